/*
 * The argv walk of qemu_init() (system/vl.c, QEMU 7.2): both passes, and for
 * each option what vl.c does with its argument while it walks argv — parse it
 * (QemuOpts, keyval, JSON) into the option groups or the -machine dict, and
 * handle the options that print help and exit.  Nothing is created here.
 */
import { QemuError, QemuExit, errorPrintf, errorReport, withLoc } from '../util/error.js';
import {
  qemuOptsParseNoisily, qemuOptsPrintHelp, qemuOptGet, qemuOptSet, qemuOptsCreate, qemuOptsFind,
  qemuOptsDoParse, qemuPrintf, type QemuOptsList, type QemuOpts,
} from '../util/qemu-option.js';
import { keyvalDictNew, keyvalMerge, keyvalParse, keyvalParseInto, keyvalDashify, type KeyvalDict } from '../util/keyval.js';
import { qobjectFromJson, type QObject as QJson } from '../util/qjson.js';
import { isHelpOption } from '../util/cutils.js';
import { createVlOptsLists, qemuFindOpts } from './opts-lists.js';
import { qemuOptionsWalk, qemuHelpText, bareDriveOptstr } from './qemu-options.js';
import { accelHelpText } from '../accel/accel.js';
import { versionText } from './version.js';
import { machineHelp } from '../hw/i386/machine-help.js';

/** A monitor asked for with -monitor / -qmp / -qmp-pretty, in argv order. */
export interface MonitorRequest {
  loc: string;
  arg: string;
  mode: 'readline' | 'control';
  pretty: boolean;
}

/**
 * The qemu_init() step at which an option's backend would be created: the first
 * missing piece is reported where QEMU would first need it.
 */
export type StartupPhase = 'early-options' | 'early-backends' | 'late-backends' | 'board' | 'displays';

export interface UnsupportedOption {
  loc: string;
  what: string;
  phase: StartupPhase;
}

/** What the argv walk leaves for the rest of qemu_init(). */
export interface ParsedCommandLine {
  prog: string;
  lists: Map<string, QemuOptsList>;
  machineOptsDict: KeyvalDict;
  cpuOption: string | undefined;
  /** -device given as JSON, in order (QemuOpts -device items are in lists.get('device')). */
  jsonDevices: Array<{ loc: string; value: QJson }>;
  jsonObjects: Array<{ loc: string; value: QJson }>;
  /** Options that take effect later, with their locations. */
  monitors: MonitorRequest[];
  serials: Array<{ loc: string; arg: string }>;
  debugcons: Array<{ loc: string; arg: string }>;
  /** -blockdev, as flat dotted keys (keyval or JSON). */
  blockdevs: Array<{ loc: string; opts: Record<string, string> }>;
  /** Devices the start-up code adds itself (-debugcon's isa-debugcon), created with the -device ones. */
  extraDevices: Array<{ loc: string; opts: Record<string, string> }>;
  displays: Array<{ loc: string; arg: string }>;
  autostart: boolean;
  noShutdown: boolean;
  noReboot: boolean;
  nodefaults: boolean;
  nographic: boolean;
  dataDirs: string[];
  logItems: string | undefined;
  logFile: string | undefined;
  /** Options validated but refused until their backend exists, each at its start-up step. */
  unsupported: UnsupportedOption[];
  /** -device help / -cpu help: handled after the walk, as qemu_process_help_options() does. */
  cpuHelp: boolean;
}

/* machine_parse_property_opt(): -smp / -boot as keyval, merged into machine[propname]. */
function machineParsePropertyOpt(st: ParsedCommandLine, list: QemuOptsList, propname: string, arg: string): void {
  const { dict, help } = keyvalParse(arg, list.impliedOptName);
  if (help) {
    qemuOptsPrintHelp(list, true);
    throw new QemuExit(0);
  }
  const opts = keyvalDictNew();
  opts[propname] = dict;
  keyvalMerge(st.machineOptsDict, opts);
}

function parseNoisilyOrExit(list: QemuOptsList, arg: string, permitAbbrev: boolean): QemuOpts {
  const opts = qemuOptsParseNoisily(list, arg, permitAbbrev);
  if (!opts) throw new QemuExit(1);
  return opts;
}

/* qemu_global_option() */
function qemuGlobalOption(list: QemuOptsList, str: string): void {
  const m = /^([^.=]{1,63})\.([^=]{1,63})/.exec(str);
  if (m && str[m[0].length] === '=') {
    const opts = qemuOptsCreate(list, undefined, false);
    qemuOptSet(opts, 'driver', m[1]!);
    qemuOptSet(opts, 'property', m[2]!);
    qemuOptSet(opts, 'value', str.slice(m[0].length + 1));
    return;
  }
  const opts = parseNoisilyOrExit(list, str, false);
  if (!qemuOptGet(opts, 'driver') || !qemuOptGet(opts, 'property') || !qemuOptGet(opts, 'value')) {
    errorReport("options 'driver', 'property', and 'value' are required");
    throw new QemuExit(1);
  }
}

/* qemu_set_option(): -set group.id.arg=value */
function qemuSetOption(st: ParsedCommandLine, str: string): void {
  const m = /^([^.]{1,63})\.([^.]{1,63})\.([^=]{1,63})/.exec(str);
  if (!m || str[m[0].length] !== '=') throw new QemuError(`can't parse: "${str}"`);
  const list = qemuFindOpts(st.lists, m[1]!);
  const opts = qemuOptsFind(list, m[2]!);
  if (!opts) throw new QemuError(`there is no ${list.name} "${m[2]}" defined`);
  qemuOptSet(opts, m[3]!, str.slice(m[0].length + 1));
}

/* netdev_is_modern(): JSON, or type=stream/dgram. */
function netdevIsModern(arg: string): boolean {
  if (arg[0] === '{') return true;
  const dummy = { name: 'netdev', impliedOptName: 'type', desc: [], head: [] };
  const opts = qemuOptsCreate(dummy, undefined, false);
  qemuOptsDoParse(opts, arg, 'type');
  const type = qemuOptGet(opts, 'type');
  return type === 'stream' || type === 'dgram';
}

/** Options this build parses but whose backend is still missing: refused after the walk. */
const NOT_YET: Record<string, [string, StartupPhase]> = {
  'parallel': ['parallel ports (-parallel)', 'late-backends'],
  'hda': ['IDE disks (-hda)', 'early-backends'],
  'hdb': ['IDE disks (-hdb)', 'early-backends'],
  'hdc': ['IDE disks (-hdc)', 'early-backends'],
  'hdd': ['IDE disks (-hdd)', 'early-backends'],
  'cdrom': ['CD-ROM drives (-cdrom)', 'early-backends'],
  'fda': ['floppy drives (-fda)', 'early-backends'],
  'fdb': ['floppy drives (-fdb)', 'early-backends'],
  'usbdevice': ['USB devices (-usbdevice)', 'board'],
  'vga': ['display adapters (-vga)', 'board'],
  'soundhw': ['sound devices', 'board'],
  'audiodev': ['audio backends (-audiodev)', 'early-backends'],
  'spice': ['SPICE', 'displays'],
  'loadvm': ['snapshots (-loadvm)', 'early-options'],
  'incoming': ['migration (-incoming)', 'early-options'],
  'gdb': ['the gdb stub (-gdb)', 'early-options'],
  's': ['the gdb stub (-s)', 'early-options'],
  'icount': ['-icount', 'early-options'],
  'numa': ['NUMA (-numa)', 'board'],
  'pidfile': ['-pidfile', 'early-options'],
  'daemonize': ['-daemonize', 'early-options'],
  'fsdev': ['file system devices (-fsdev)', 'early-backends'],
  'virtfs': ['file system devices (-virtfs)', 'early-backends'],
  'watchdog-action': ['watchdogs', 'board'],
  'semihosting': ['semihosting', 'early-options'],
  'preconfig': ['-preconfig', 'early-options'],
  'plugin': ['TCG plugins (-plugin)', 'early-options'],
  'tpmdev': ['TPM devices (-tpmdev)', 'late-backends'],
  'netdev': ['network backends (-netdev)', 'late-backends'],
  'net': ['network backends (-net)', 'late-backends'],
  'nic': ['network backends (-nic)', 'late-backends'],
  'option-rom': ['option ROMs (-option-rom)', 'board'],
  'fw_cfg': ['-fw_cfg', 'board'],
};

/** qdict_flatten(): {file: {filename: x}} → {'file.filename': 'x'}; scalars as their text. */
function flattenDotted(tree: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  for (const [k, v] of Object.entries(tree as Record<string, unknown>)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flattenDotted(v, `${prefix}${k}.`, out);
    else out[prefix + k] = typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v);
  }
  return out;
}

/* One option of vl.c's second pass. */
function handleOption(st: ParsedCommandLine, name: string, arg: string | undefined, loc: string): void {
  const L = (n: string) => qemuFindOpts(st.lists, n);
  const a = arg ?? '';
  const notYet = NOT_YET[name];
  if (notYet) st.unsupported.push({ loc, what: notYet[0], phase: notYet[1] });
  switch (name) {
    case 'h': case 'help':
      qemuPrintf(versionText() + qemuHelpText(st.prog));
      throw new QemuExit(0);
    case 'version':
      qemuPrintf(versionText());
      throw new QemuExit(0);
    case 'M': case 'machine':
      if (keyvalParseInto(st.machineOptsDict, a, 'type')) {
        // machine_help_func()
        const t = st.machineOptsDict.type;
        qemuPrintf(machineHelp(typeof t === 'string' && !isHelpOption(t) ? t : undefined));
        throw new QemuExit(0);
      }
      return;
    case 'enable-kvm': st.machineOptsDict.accel = 'kvm'; return;
    case 'kernel': st.machineOptsDict.kernel = a; return;
    case 'initrd': st.machineOptsDict.initrd = a; return;
    case 'append': st.machineOptsDict.append = a; return;
    case 'dtb': st.machineOptsDict.dtb = a; return;
    case 'bios': st.machineOptsDict.firmware = a; return;
    case 'nographic': st.machineOptsDict.graphics = 'off'; st.nographic = true; return;
    case 'usb': st.machineOptsDict.usb = 'on'; return;
    case 'cpu':
      st.cpuOption = a;
      if (isHelpOption(a)) st.cpuHelp = true;
      return;
    case 'smp': machineParsePropertyOpt(st, L('smp-opts'), 'smp', a); return;
    case 'boot': machineParsePropertyOpt(st, L('boot-opts'), 'boot', a); return;
    case 'accel': {
      // vl.c does not exit when this parse fails: it reports, then lists the accelerators.
      let opts: QemuOpts | undefined;
      try {
        opts = qemuOptsParseNoisily(L('accel'), a, true);
      } catch (e) {
        if (!(e instanceof QemuError)) throw e;
        errorPrintf(e.format());
      }
      const accel = opts ? qemuOptGet(opts, 'accel') : undefined;
      if (accel === undefined || isHelpOption(accel)) {
        qemuPrintf(accelHelpText());
        throw new QemuExit(0);
      }
      return;
    }
    case 'device':
      if (a[0] === '{') st.jsonDevices.push({ loc, value: qobjectFromJson(a) });
      else parseNoisilyOrExit(L('device'), a, true);
      return;
    case 'object':
      if (a[0] === '{') {
        st.jsonObjects.push({ loc, value: qobjectFromJson(a) });
      } else {
        const opts = parseNoisilyOrExit(L('object'), a, true);
        if (qemuOptGet(opts, 'qom-type') === undefined) throw new QemuError("Parameter 'qom-type' is missing");
      }
      return;
    case 'netdev':
      if (netdevIsModern(a)) {
        if (a[0] === '{') qobjectFromJson(a);
        return;
      }
      parseNoisilyOrExit(L('netdev'), a, true);
      return;
    case 'net': parseNoisilyOrExit(L('net'), a, true); return;
    case 'nic': parseNoisilyOrExit(L('nic'), a, true); return;
    case 'drive': parseNoisilyOrExit(L('drive'), a, false); return;
    case 'chardev': parseNoisilyOrExit(L('chardev'), a, true); return;
    case 'rtc': parseNoisilyOrExit(L('rtc'), a, false); return;
    case 'm': parseNoisilyOrExit(L('memory'), a, true); return;
    case 'name': parseNoisilyOrExit(L('name'), a, true); return;
    case 'mon': parseNoisilyOrExit(L('mon'), a, true); return;
    case 'numa': parseNoisilyOrExit(L('numa'), a, true); return;
    case 'icount': parseNoisilyOrExit(L('icount'), a, true); return;
    case 'fw_cfg': parseNoisilyOrExit(L('fw_cfg'), a, true); return;
    case 'sandbox': parseNoisilyOrExit(L('sandbox'), a, true); return;
    case 'msg': parseNoisilyOrExit(L('msg'), a, false); return;
    case 'overcommit': parseNoisilyOrExit(L('overcommit'), a, false); return;
    case 'action': parseNoisilyOrExit(L('action'), a, false); return;
    case 'add-fd': parseNoisilyOrExit(L('add-fd'), a, false); return;
    case 'plugin': parseNoisilyOrExit(L('plugin'), a, true); return;
    case 'vnc':
      parseNoisilyOrExit(L('vnc'), a, !isHelpOption(a));
      st.displays.push({ loc, arg: 'vnc' });
      return;
    case 'display': st.displays.push({ loc, arg: a }); return;
    case 'tpmdev':
      if (a === 'help') throw new QemuExit(1);
      parseNoisilyOrExit(L('tpmdev'), a, true);
      return;
    case 'trace': parseNoisilyOrExit(L('trace'), a, true); return;
    case 'option-rom': {
      const opts = parseNoisilyOrExit(L('option-rom'), a, true);
      if (qemuOptGet(opts, 'romfile') === undefined) {
        errorReport('Option ROM file is not specified');
        throw new QemuExit(1);
      }
      return;
    }
    case 'global': qemuGlobalOption(L('global'), a); return;
    case 'set': qemuSetOption(st, a); return;
    case 'monitor': st.monitors.push({ loc, arg: a, mode: 'readline', pretty: false }); return;
    case 'qmp': st.monitors.push({ loc, arg: a, mode: 'control', pretty: false }); return;
    case 'qmp-pretty': st.monitors.push({ loc, arg: a, mode: 'control', pretty: true }); return;
    case 'serial': st.serials.push({ loc, arg: a }); return;
    case 'debugcon': st.debugcons.push({ loc, arg: a }); return;
    case 'blockdev': {
      const tree = a[0] === '{' ? (qobjectFromJson(a) as Record<string, unknown>) : keyvalParse(a, 'driver', false).dict;
      st.blockdevs.push({ loc, opts: flattenDotted(tree) });
      return;
    }
    case 'S': st.autostart = false; return;
    case 'no-shutdown': st.noShutdown = true; return;
    case 'no-reboot': st.noReboot = true; return;
    case 'no-acpi': st.machineOptsDict.acpi = 'off'; return;
    case 'no-hpet': st.machineOptsDict.hpet = 'off'; return;
    case 'nodefaults': st.nodefaults = true; return;
    case 'L': st.dataDirs.push(a); return;
    case 'd': st.logItems = a; return;
    case 'D': st.logFile = a; return;
    default:
      return;
  }
}

/** Runs both passes over argv; throws QemuError / QemuExit as QEMU would exit. */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  const st: ParsedCommandLine = {
    prog: (argv[0] ?? 'tsqemu-system-x86_64').split('/').pop()!,
    lists: createVlOptsLists(),
    machineOptsDict: keyvalDictNew(),
    cpuOption: undefined,
    jsonDevices: [],
    jsonObjects: [],
    monitors: [],
    serials: [],
    debugcons: [],
    blockdevs: [],
    extraDevices: [],
    displays: [],
    autostart: true,
    noShutdown: false,
    noReboot: false,
    nodefaults: false,
    nographic: false,
    dataDirs: [],
    logItems: undefined,
    logFile: undefined,
    unsupported: [],
    cpuHelp: false,
  };
  for (const item of qemuOptionsWalk(argv)) {
    withLoc(item.loc, () => {
      if (item.bare) {
        parseNoisilyOrExit(qemuFindOpts(st.lists, 'drive'), bareDriveOptstr(item.arg!), false);
        st.unsupported.push({ loc: item.loc, what: 'IDE disks (a bare disk image argument)', phase: 'early-backends' });
      } else {
        handleOption(st, item.name, item.arg, item.loc);
      }
    });
  }
  // qemu_apply_legacy_machine_options() starts with keyval_dashify().
  keyvalDashify(st.machineOptsDict);
  return st;
}
