/*
 * Character devices (chardev/char.c): the Chardev base every backend derives
 * from, the /chardevs container, creation from -chardev options, and the legacy
 * strings of -serial/-monitor/-qmp (qemu_chr_parse_compat).
 *
 * A chardev is a QOM object ("chardev-<backend>") under /chardevs/<id>.  One
 * frontend (a device or a monitor) attaches through a CharBackend (char-fe.ts);
 * a mux chardev lets several share one backend.  Input is pushed to the
 * frontend only as far as its canReceive() allows; the rest waits, and the
 * backend stops reading, until the frontend calls acceptInput().  Writes never
 * block: they go to Node streams, which queue.
 */
import { openSync, writeSync, closeSync, constants as fsc } from 'node:fs';
import {
  QObject, TYPE_OBJECT, containerGet, objectGetRoot, objectNew, objectPropertyAddChild, objectResolveChild,
  objectClassByName, objectClassDynamicCast, objectClassGetList, objectChildren, objectUnparent, typeRegisterStatic,
} from '../qom/object.js';
import { QemuError, QemuExit, errorReport } from '../util/error.js';
import { isHelpOption } from '../util/cutils.js';
import { strerror } from '../util/strerror.js';
import { chardevIdCheck, chardevOptsValidate, optBool, parseOptsTail, type ChardevOpts } from './chardev-opts.js';
import type { CharBackend } from './char-fe.js';

export type { ChardevOpts } from './chardev-opts.js';

export const TYPE_CHARDEV = 'chardev';

/** QEMUChrEvent. */
export type ChrEvent = 'opened' | 'closed' | 'break' | 'mux-in' | 'mux-out';

export class Chardev extends QObject {
  /** The id (chr->label). */
  label = '';
  /** What info chardev / query-chardev show (chr->filename). */
  filename = '';
  /** The backend side is open (chr->be_open). */
  beOpen = false;
  /** The attached frontend (chr->be); for a mux, the one in focus. */
  be: CharBackend | undefined;
  private logFd: number | undefined;
  private logBatch = new OutputBatcher((data) => {
    if (this.logFd !== undefined) writeSync(this.logFd, data);
  });
  private pending: Buffer[] = [];
  /** Settles once the backend is usable (a listening socket bound, a client connected). */
  ready: Promise<void> = Promise.resolve();

  /**
   * ChardevClass parse + open: checks the backend's options and opens it.
   * Returns whether the backend is open at once (be_opened); throws QemuError.
   */
  open(_opts: ChardevOpts): boolean {
    return true;
  }

  /** chr_write: takes as much as it can without blocking; the null backend drops everything. */
  protected chrWrite(buf: Buffer): number {
    return buf.length;
  }

  /** Stops and restarts reading from the host side while the frontend is full. */
  protected pauseInput(): void {}
  protected resumeInput(): void {}

  /** Releases host resources (object finalize). */
  close(): void {
    this.logBatch.flush();
    if (this.logFd !== undefined) closeSync(this.logFd);
    this.logFd = undefined;
  }

  /** Resolves when everything written so far has reached the host side (subclasses wait for their streams). */
  drain(): Promise<void> {
    this.logBatch.flush();
    return Promise.resolve();
  }

  /** qemu_chr_write(): frontends call this through CharBackend.write. */
  write(data: Buffer): number {
    const n = this.chrWrite(data);
    if (this.logFd !== undefined && n > 0) this.logBatch.push(n === data.length ? data : data.subarray(0, n));
    return n;
  }

  /** qemu_chr_be_event(): backend state changes, forwarded to the frontend. */
  beEvent(ev: ChrEvent): void {
    if (ev === 'opened') this.beOpen = true;
    else if (ev === 'closed') this.beOpen = false;
    this.be?.handlers?.event?.(ev);
  }

  /** qemu_chr_be_write(): data from the host side for the frontend. */
  beWrite(data: Buffer): void {
    if (this.pending.length) {
      this.pending.push(data);
      return;
    }
    this.deliver(data);
  }

  /** qemu_chr_accept_input(): the frontend can take more. */
  acceptInput(): void {
    while (this.pending.length) {
      const buf = this.pending.shift()!;
      if (!this.deliver(buf, true)) return;
    }
    this.resumeInput();
  }

  /** Hands data to the frontend as far as it can take it; keeps the rest. False if some is left. */
  private deliver(data: Buffer, requeueFront = false): boolean {
    const h = this.be?.handlers;
    let buf = data;
    while (buf.length) {
      const n = h ? h.canReceive() : 0;
      if (n <= 0) {
        if (requeueFront) this.pending.unshift(buf);
        else this.pending.push(buf);
        this.pauseInput();
        return false;
      }
      const take = Math.min(n, buf.length);
      h!.receive(buf.subarray(0, take));
      buf = buf.subarray(take);
    }
    return true;
  }

  /** logfile=/logappend= (qemu_char_open). */
  openLogfile(opts: ChardevOpts): void {
    const logfile = opts.logfile;
    if (logfile === undefined) return;
    const append = optBool(opts, 'logappend', false);
    try {
      this.logFd = openSync(logfile, fsc.O_WRONLY | fsc.O_CREAT | (append ? fsc.O_APPEND : fsc.O_TRUNC), 0o666);
    } catch (e) {
      throw new QemuError(`Could not create '${logfile}': ${strerror(e as NodeJS.ErrnoException)}`);
    }
  }
}

/**
 * Gathers a frontend's small writes (a serial port writes byte by byte) into
 * one host write per event-loop turn, or per 64 KiB.  Order is kept; nothing
 * is allocated per write.
 */
export class OutputBatcher {
  private static readonly CAP = 65536;
  private buf = Buffer.allocUnsafe(OutputBatcher.CAP);
  private len = 0;
  private scheduled = false;

  constructor(private readonly sink: (data: Buffer) => void) {}

  push(data: Buffer): void {
    if (this.len + data.length > OutputBatcher.CAP) this.flush();
    if (data.length >= OutputBatcher.CAP) {
      this.sink(Buffer.from(data));
      return;
    }
    data.copy(this.buf, this.len);
    this.len += data.length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Hands what is gathered to the sink now (the sink keeps the buffer). */
  flush(): void {
    if (!this.len) return;
    const out = this.buf.subarray(0, this.len);
    this.buf = Buffer.allocUnsafe(OutputBatcher.CAP);
    this.len = 0;
    this.sink(out);
  }
}

// ---- registry -------------------------------------------------------------

/** The order QEMU 7.2's `-chardev help` prints backend names in (its type hash order). */
const QEMU_HELP_ORDER = [
  'stdio', 'ringbuf', 'mux', 'pipe', 'qemu-vdagent', 'null', 'msmouse', 'socket', 'vc', 'parallel', 'udp',
  'memory', 'file', 'serial', 'wctablet', 'pty', 'testdev',
];

/** Backend names a user may ask for (non-abstract chardev-* types). */
export function chardevBackendNames(): string[] {
  const names = objectClassGetList(TYPE_CHARDEV, false)
    .map((oc) => oc.typeName)
    .filter((n) => n.startsWith('chardev-') && !(objectClassByName(n) as { unsupported?: boolean }).unsupported)
    .map((n) => n.slice('chardev-'.length));
  const rank = (n: string): number => {
    const i = QEMU_HELP_ORDER.indexOf(n);
    return i < 0 ? QEMU_HELP_ORDER.length : i;
  };
  return names.sort((a, b) => rank(a) - rank(b));
}

/** What `-chardev help` prints (to stdout, exit 0). */
export function chardevHelpText(): string {
  return 'Available chardev backend types: ' + chardevBackendNames().map((n) => `\n  ${n}`).join('') + '\n';
}

export function getChardevsRoot(): QObject {
  return containerGet(objectGetRoot(), '/chardevs');
}

/** qemu_chr_find(). */
export function qemuChrFind(id: string): Chardev | undefined {
  return objectResolveChild(getChardevsRoot(), id) as Chardev | undefined;
}

export function qemuChrList(): Chardev[] {
  return objectChildren(getChardevsRoot()).map(([, c]) => c as Chardev);
}

function charGetClassName(backend: string): string {
  const tn = `chardev-${backend}`;
  const oc = objectClassByName(tn);
  if (!oc || !objectClassDynamicCast(oc, TYPE_CHARDEV)) throw new QemuError(`'${backend}' is not a valid char driver name`);
  if (oc.abstract) throw new QemuError("Parameter 'driver' expects a non-abstract device type");
  return tn;
}

/** qemu_chardev_new(): creates, opens, and adds /chardevs/<id>. */
export function qemuChardevNew(id: string, typeName: string, opts: ChardevOpts): Chardev {
  const root = getChardevsRoot();
  if (objectResolveChild(root, id)) {
    throw new QemuError(`attempt to add duplicate property '${id}' to object (type 'container')`);
  }
  const chr = objectNew(typeName) as Chardev;
  chr.label = id;
  chr.openLogfile(opts);
  let opened: boolean;
  try {
    opened = chr.open(opts);
  } catch (e) {
    chr.close();
    throw e;
  }
  if (!chr.filename) chr.filename = typeName.slice('chardev-'.length);
  objectPropertyAddChild(root, id, chr);
  if (opened) chr.beEvent('opened');
  return chr;
}

/**
 * qemu_chr_new_from_opts(): `opts` is the -chardev QemuOpts as a dict (`backend`,
 * `id`, backend keys).  With mux=on the backend becomes "<id>-base" and a mux
 * chardev takes the id.  Throws QemuError with QEMU's messages; backend=help
 * prints the backend list and throws QemuExit(0).
 */
export function qemuChrNewFromOpts(opts: ChardevOpts): Chardev {
  const backend = opts.backend;
  const id = opts.id;
  if (isHelpOption(backend)) {
    // `-chardev help`: QEMU prints the list and exits 0.
    process.stdout.write(chardevHelpText());
    throw new QemuExit(0);
  }
  if (id === undefined) throw new QemuError('chardev: no id specified');
  chardevIdCheck(id);
  if (qemuChrFind(id)) throw new QemuError(`Duplicate ID '${id}' for chardev`);
  chardevOptsValidate(opts);
  if (backend === undefined) throw new QemuError(`chardev: "${id}" missing backend`);
  const typeName = charGetClassName(backend);
  const mux = optBool(opts, 'mux', false);
  const chr = qemuChardevNew(mux ? `${id}-base` : id, typeName, opts);
  if (!mux) return chr;
  try {
    return qemuChardevNew(id, 'chardev-mux', { chardev: `${id}-base` });
  } catch (e) {
    qemuChrDelete(chr);
    throw e;
  }
}

/** object_unparent() on a chardev: closes it and removes /chardevs/<id>. */
export function qemuChrDelete(chr: Chardev): void {
  chr.close();
  objectUnparent(chr);
}

/**
 * qemu_chr_parse_compat(): the legacy syntax of -serial, -monitor, -qmp
 * ("stdio", "mon:stdio", "unix:/p,server=on", "tcp:h:p,...", "file:/p", "null",
 * "pty", ...) as chardev options with id `label`.  Returns undefined after
 * reporting what is wrong (e.g. "'%s' is not a valid char driver"), as QEMU
 * does; the caller adds its own line ("parse error: ...").
 */
export function qemuChrParseCompat(label: string, filename: string, permitMuxMon = false): ChardevOpts | undefined {
  const opts: ChardevOpts = { id: label };
  let f = filename;
  if (f.startsWith('mon:')) {
    if (!permitMuxMon) {
      errorReport("mon: isn't supported in this context");
      return undefined;
    }
    f = f.slice(4);
    opts.mux = 'on';
    // Muxed with the monitor, Ctrl-C goes to the guest (what -nographic did).
    if (f === 'stdio') opts.signal = 'off';
  }
  if (['null', 'pty', 'msmouse', 'wctablet', 'braille', 'testdev', 'stdio'].includes(f)) {
    opts.backend = f;
    return opts;
  }
  const prefixed: Array<[string, string]> = [['file:', 'file'], ['pipe:', 'pipe'], ['pty:', 'pty']];
  for (const [prefix, backend] of prefixed) {
    if (f.startsWith(prefix)) {
      opts.backend = backend;
      opts.path = f.slice(prefix.length);
      return opts;
    }
  }
  try {
    const inet = /^(tcp|telnet|tn3270|websocket):/.exec(f);
    if (inet) {
      const p = f.slice(inet[0].length);
      // sscanf("%64[^:]:%32[^,]") or ":%32[^,]"; a mismatch fails without a message of its own.
      const m = /^([^:]{1,64}):([^,]{1,32})/.exec(p) ?? /^():([^,]{1,32})/.exec(p);
      if (!m) return undefined;
      opts.backend = 'socket';
      opts.host = m[1]!;
      opts.port = m[2]!;
      if (p[m[0].length] === ',') parseOptsTail(p.slice(m[0].length + 1), opts);
      if (inet[1] !== 'tcp') opts[inet[1]!] = 'on';
      chardevOptsValidate(opts);
      return opts;
    }
    if (f.startsWith('unix:')) {
      opts.backend = 'socket';
      parseOptsTail(f.slice(5), opts, 'path');
      chardevOptsValidate(opts);
      return opts;
    }
  } catch (e) {
    if (!(e instanceof QemuError)) throw e;
    errorReport(e.message);
    return undefined;
  }
  if (f.startsWith('/dev/parport') || f.startsWith('/dev/ppi')) {
    opts.backend = 'parallel';
    opts.path = f;
    return opts;
  }
  if (f.startsWith('/dev/')) {
    opts.backend = 'serial';
    opts.path = f;
    return opts;
  }
  errorReport(`'${f}' is not a valid char driver`);
  return undefined;
}

/** ChardevBackend of chardev-add, after QAPI checking: `{type, data}`. */
export interface ChardevBackendQapi {
  type: string;
  data: { [k: string]: unknown };
}

/** The -chardev options equivalent to a chardev-add backend (QEMU goes the other way, opts to QAPI). */
function chardevOptsFromQapi(id: string, b: ChardevBackendQapi): ChardevOpts {
  const d = b.data;
  const opts: ChardevOpts = { id, backend: b.type };
  const onOff = (k: string, v: unknown): void => {
    if (v !== undefined) opts[k] = v ? 'on' : 'off';
  };
  if (typeof d.logfile === 'string') opts.logfile = d.logfile;
  onOff('logappend', d.logappend);
  switch (b.type) {
    case 'file':
      if (d.in !== undefined) throw new QemuError("chardev: file: 'in' is not supported yet");
      opts.path = d.out as string;
      onOff('append', d.append);
      break;
    case 'socket': {
      const addr = d.addr as { type: string; data: { [k: string]: unknown } };
      if (addr.type === 'unix') opts.path = addr.data.path as string;
      else if (addr.type === 'inet') {
        opts.host = addr.data.host as string;
        opts.port = addr.data.port as string;
      } else throw new QemuError(`chardev: socket: ${addr.type} addresses are not supported yet`);
      // QMP's defaults differ from the command line's: a server, not waiting.
      onOff('server', d.server ?? true);
      if (d.wait !== undefined || d.server !== false) onOff('wait', d.wait ?? false);
      for (const k of ['nodelay', 'telnet', 'tn3270', 'websocket']) onOff(k, d[k]);
      if (d['tls-creds'] !== undefined) opts['tls-creds'] = d['tls-creds'] as string;
      if (d.reconnect !== undefined) opts.reconnect = String(d.reconnect);
      break;
    }
    case 'stdio':
      onOff('signal', d.signal);
      break;
    case 'mux':
      opts.chardev = d.chardev as string;
      break;
  }
  return opts;
}

/** chardev-add (qmp_chardev_add). */
export async function qmpChardevAdd(id: string, backend: ChardevBackendQapi): Promise<void> {
  if (qemuChrFind(id)) throw new QemuError(`Chardev with id '${id}' already exists`);
  let chr: Chardev | undefined;
  try {
    const typeName = charGetClassName(backend.type);
    chr = qemuChardevNew(id, typeName, chardevOptsFromQapi(id, backend));
    await chr.ready;
  } catch (e) {
    if (!(e instanceof QemuError)) throw e;
    if (chr) qemuChrDelete(chr);
    throw new QemuError(`Failed to add chardev '${id}': ${e.message}`);
  }
}

/** chardev-remove (qmp_chardev_remove). A mux always counts as busy in QEMU 7.2. */
export function qmpChardevRemove(id: string): void {
  const chr = qemuChrFind(id);
  if (!chr) throw new QemuError(`Chardev '${id}' not found`);
  if (chr.be || chr.typeName === 'chardev-mux') throw new QemuError(`Chardev '${id}' is busy`);
  qemuChrDelete(chr);
}

/** Waits for every chardev's writes to reach the host (before the process exits). */
export async function qemuChrFlushAll(): Promise<void> {
  await Promise.all(qemuChrList().map((c) => c.drain()));
}

/** qemu_chr_cleanup() (also for tests that build several machines in one process). */
export function qemuChrCleanup(): void {
  for (const c of qemuChrList()) qemuChrDelete(c);
}

export function registerChardevBaseType(): void {
  typeRegisterStatic({ name: TYPE_CHARDEV, parent: TYPE_OBJECT, abstract: true, instance: Chardev });
}
