/*
 * The socket backend (chardev/char-socket.c): a unix (`path=`) or TCP
 * (`host=`,`port=`) stream, as a server (`server=on`, waiting for its first
 * client unless `wait=off`) or a client (`reconnect=N` retries every N s).
 * One connection at a time: while a client is connected, later ones wait,
 * as they would in the listen backlog.  The backend is "open" while connected.
 */
import { createServer, createConnection, type Server, type Socket } from 'node:net';
import { unlinkSync } from 'node:fs';
import { objectClassPropertyAdd, typeRegisterStatic, type PropValue } from '../qom/object.js';
import { QemuError, errorReport, infoReport } from '../util/error.js';
import { strerror } from '../util/strerror.js';
import { Chardev, OutputBatcher, TYPE_CHARDEV, type ChardevOpts } from './char.js';
import { optBool, optNumber } from './chardev-opts.js';

type SocketAddress = { type: 'unix'; path: string } | { type: 'inet'; host: string; port: string };

export class SocketChardev extends Chardev {
  addr!: SocketAddress;
  isListen = false;
  private nodelay = false;
  private reconnectTime = 0;
  private server: Server | undefined;
  private sock: Socket | undefined;
  private backlog: Socket[] = [];
  private closing = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  get connected(): boolean {
    return this.sock !== undefined;
  }

  override open(opts: ChardevOpts): boolean {
    const { path, host, fd } = opts;
    const given = [path, host, fd].filter((x) => x !== undefined).length;
    if (given > 1) throw new QemuError("None or one of 'path', 'fd' or 'host' option required.");
    if (given === 0 || fd !== undefined) {
      // QEMU falls back to fd= and fails to parse it; passing fds is not supported here.
      if (fd === undefined || !/^\d+$/.test(fd)) throw new QemuError(`Unable to parse FD number ${fd ?? ''}`);
      throw new QemuError('chardev: socket: fd= is not supported yet');
    }
    if (host !== undefined && opts.port === undefined) throw new QemuError('chardev: socket: no port given');
    for (const k of ['telnet', 'tn3270', 'websocket']) {
      if (optBool(opts, k, false)) throw new QemuError(`chardev: socket: ${k} is not supported yet`);
    }
    if (opts['tls-creds'] !== undefined) throw new QemuError('chardev: socket: tls-creds is not supported yet');
    this.isListen = optBool(opts, 'server', false);
    this.reconnectTime = optNumber(opts, 'reconnect', 0);
    if (this.isListen && this.reconnectTime) {
      throw new QemuError("'reconnect' option is incompatible with socket in server listen mode");
    }
    if (!this.isListen && opts.wait !== undefined) {
      throw new QemuError("'wait' option is incompatible with socket in client connect mode");
    }
    const wait = optBool(opts, 'wait', true);
    this.nodelay = !optBool(opts, 'delay', true) || optBool(opts, 'nodelay', false);
    if (path !== undefined) {
      this.addr = { type: 'unix', path };
    } else {
      const port = opts.port!;
      if (!/^\d+$/.test(port) || Number(port) > 65535) {
        throw new QemuError(`address resolution failed for ${host}:${port}: Servname not supported for ai_socktype`);
      }
      this.addr = { type: 'inet', host: host!, port };
    }
    this.updateFilename();
    if (this.isListen) this.listen(wait);
    else this.connect(true);
    return false;
  }

  private addrText(): string {
    return this.addr.type === 'unix' ? `unix:${this.addr.path}` : `tcp:${this.addr.host}:${this.addr.port}`;
  }

  /** qemu_chr_compute_filename(): a connected TCP socket shows both ends. */
  private updateFilename(): void {
    const server = this.isListen ? ',server=on' : '';
    const s = this.sock;
    if (!s) {
      this.filename = `disconnected:${this.addrText()}${server}`;
    } else if (this.addr.type === 'unix') {
      this.filename = `${this.addrText()}${server}`;
    } else {
      const host = (a: string | undefined): string => (a && a.includes(':') ? `[${a}]` : a ?? '');
      this.filename = `tcp:${host(s.localAddress)}:${s.localPort}${server} <-> ${host(s.remoteAddress)}:${s.remotePort}`;
    }
  }

  private listen(wait: boolean): void {
    const server = createServer((s) => this.accept(s));
    this.server = server;
    let resolveReady!: () => void;
    let rejectReady!: (e: unknown) => void;
    this.ready = new Promise<void>((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    });
    this.ready.catch(() => {});
    server.once('error', (e) => {
      const a = this.addr;
      rejectReady(new QemuError(a.type === 'unix'
        ? `Failed to bind socket to ${a.path}: ${strerror(e as NodeJS.ErrnoException)}`
        : `Failed to find an available port: ${strerror(e as NodeJS.ErrnoException)}`));
    });
    if (this.addr.type === 'unix') {
      // QEMU removes a stale socket file before binding.
      try { unlinkSync(this.addr.path); } catch { /* absent */ }
      server.listen(this.addr.path);
    } else {
      server.listen(Number(this.addr.port), this.addr.host || undefined);
    }
    if (wait) {
      infoReport(`QEMU waiting for connection on: ${this.filename}`);
      server.once('connection', () => resolveReady());
    } else {
      server.once('listening', () => resolveReady());
    }
  }

  private connect(first: boolean): void {
    const a = this.addr;
    const s = a.type === 'unix' ? createConnection(a.path) : createConnection(Number(a.port), a.host || 'localhost');
    const where = a.type === 'unix' ? a.path : `${a.host}:${a.port}`;
    const attempt = new Promise<void>((res, rej) => {
      s.once('connect', () => {
        s.removeAllListeners('error');
        this.attach(s);
        res();
      });
      s.once('error', (e) => {
        const msg = (e as NodeJS.ErrnoException).code === 'ENOTFOUND'
          ? `address resolution failed for ${where}: ${strerror(e as NodeJS.ErrnoException)}`
          : `Failed to connect to '${where}': ${strerror(e as NodeJS.ErrnoException)}`;
        if (this.reconnectTime) {
          errorReport(`Unable to connect character device ${this.label}: ${msg}`);
          this.scheduleReconnect();
          res();
        } else {
          rej(new QemuError(msg));
        }
      });
    });
    if (first) {
      this.ready = attempt;
      this.ready.catch(() => {});
    }
  }

  private scheduleReconnect(): void {
    if (this.closing || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closing && !this.sock) this.connect(false);
    }, this.reconnectTime * 1000);
    this.reconnectTimer.unref();
  }

  private accept(s: Socket): void {
    if (this.sock) this.backlog.push(s);
    else this.attach(s);
  }

  private attach(s: Socket): void {
    this.sock = s;
    if (this.nodelay && this.addr.type === 'inet') s.setNoDelay(true);
    this.updateFilename();
    s.on('data', (d: Buffer) => this.beWrite(d));
    s.on('error', () => {});
    s.on('close', () => this.disconnected(s));
    this.beEvent('opened');
  }

  private disconnected(s: Socket): void {
    const i = this.backlog.indexOf(s);
    if (i >= 0) {
      this.backlog.splice(i, 1);
      return;
    }
    if (this.sock !== s) return;
    this.sock = undefined;
    this.updateFilename();
    this.beEvent('closed');
    if (this.closing) return;
    const next = this.backlog.shift();
    if (next) this.attach(next);
    else if (!this.isListen && this.reconnectTime) this.scheduleReconnect();
  }

  private batch = new OutputBatcher((data) => {
    if (this.sock && !this.sock.destroyed) this.sock.write(data);
  });

  /** Data while nobody is connected is dropped, as QEMU does. */
  protected override chrWrite(buf: Buffer): number {
    if (this.sock && !this.sock.destroyed) this.batch.push(buf);
    return buf.length;
  }

  protected override pauseInput(): void {
    this.sock?.pause();
  }

  protected override resumeInput(): void {
    this.sock?.resume();
  }

  override drain(): Promise<void> {
    void super.drain();
    this.batch.flush();
    const s = this.sock;
    if (!s || s.destroyed) return Promise.resolve();
    return new Promise((res) => s.write(Buffer.alloc(0), () => res()));
  }

  override close(): void {
    this.batch.flush();
    this.closing = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.sock?.end();
    for (const s of this.backlog) s.destroy();
    this.backlog = [];
    this.server?.close();
    super.close();
  }
}

export function registerSocketChardev(): void {
  typeRegisterStatic({
    name: 'chardev-socket',
    parent: TYPE_CHARDEV,
    instance: SocketChardev,
    classInit: (oc) => {
      objectClassPropertyAdd(oc, { name: 'connected', type: 'bool', get: (o) => (o as SocketChardev).connected });
      objectClassPropertyAdd(oc, {
        name: 'addr',
        type: 'SocketAddress',
        get: (o) => (o as SocketChardev).addr as unknown as PropValue,
      });
    },
  });
}
