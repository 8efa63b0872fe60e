/*
 * The parse step of qemu_init() (vl.c, QEMU 7.2), driven by our CLI layer
 * only: both argv passes and, for each option, what vl.c does with its
 * argument while it walks argv (QemuOpts / keyval / JSON parsing and the few
 * checks made there), then keyval_dashify() of the -machine dict.  Nothing
 * is created: when the parse succeeds, QEMU would go on to build the
 * machine, and the result has status undefined.
 *
 * parseCommandLineForOracle(argv) returns what QEMU prints and its exit
 * status at this step, so that tests can compare with the real binary.
 */
import {
  QemuError, QemuExit, errorInit, errorReport, setStderrWriter, withLoc,
} from '../../src/util/error.js';
import {
  qemuOptsParseNoisily, qemuOptsPrintHelp, qemuOptGet, qemuOptSet, qemuOptsCreate, qemuOptsFind, qemuOptsDel,
  qemuOptsDoParse, setStdoutWriter, qemuPrintf, errorPrintf, type QemuOptsList,
} from '../../src/util/qemu-option.js';
import { keyvalDictNew, keyvalMerge, keyvalParse, keyvalParseInto, keyvalDashify, type KeyvalDict } from '../../src/util/keyval.js';
import { qobjectFromJson } from '../../src/util/qjson.js';
import { isHelpOption } from '../../src/util/cutils.js';
import { createVlOptsLists, qemuFindOpts } from '../../src/system/opts-lists.js';
import { qemuOptionsWalk, qemuHelpText, bareDriveOptstr } from '../../src/system/qemu-options.js';

export interface OracleResult {
  stdout: string;
  stderr: string;
  /** The exit status, or undefined when QEMU would carry on past the parse step. */
  status: number | undefined;
}

/** What parse-time state vl.c keeps; exposed for reuse by the start-up code. */
export interface ParsedCommandLine {
  lists: Map<string, QemuOptsList>;
  machineOptsDict: KeyvalDict;
  cpuOption: string | undefined;
  /** -device and -object given as JSON, in order. */
  jsonDevices: unknown[];
  jsonObjects: unknown[];
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

function parseNoisilyOrExit(list: QemuOptsList, arg: string, permitAbbrev: boolean) {
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

/* One option of vl.c's second pass, as far as parsing goes. */
function handleOption(st: ParsedCommandLine, name: string, arg: string | undefined, prog: string): void {
  const L = (n: string) => qemuFindOpts(st.lists, n);
  const a = arg ?? '';
  switch (name) {
    case 'h': case 'help':
      qemuPrintf(versionLines() + qemuHelpText(prog));
      throw new QemuExit(0);
    case 'version':
      qemuPrintf(versionLines());
      throw new QemuExit(0);
    case 'M': case 'machine':
      if (keyvalParseInto(st.machineOptsDict, a, 'type')) {
        // machine_help_func() lists machine types: not this layer's business.
        throw new QemuExit(0);
      }
      return;
    case 'enable-kvm': st.machineOptsDict.accel = 'kvm'; return;
    case 'kernel': st.machineOptsDict.kernel = a; return;
    case 'initrd': st.machineOptsDict.initrd = a; return;
    case 'append': st.machineOptsDict.append = a; return;
    case 'dtb': st.machineOptsDict.dtb = a; return;
    case 'bios': st.machineOptsDict.firmware = a; return;
    case 'nographic': st.machineOptsDict.graphics = 'off'; return;
    case 'usb': st.machineOptsDict.usb = 'on'; return;
    case 'cpu': st.cpuOption = a; return;
    case 'smp': machineParsePropertyOpt(st, L('smp-opts'), 'smp', a); return;
    case 'boot': machineParsePropertyOpt(st, L('boot-opts'), 'boot', a); return;
    case 'accel': {
      // vl.c does not exit when this parse fails: it reports, then lists the accelerators.
      let opts;
      try {
        opts = qemuOptsParseNoisily(L('accel'), a, true);
      } catch (e) {
        if (!(e instanceof QemuError)) throw e;
        errorPrintf(e.format());
      }
      const accel = opts ? qemuOptGet(opts, 'accel') : undefined;
      if (accel === undefined || isHelpOption(accel)) {
        qemuPrintf('Accelerators supported in QEMU binary:\ntcg\nkvm\n');
        throw new QemuExit(0);
      }
      return;
    }
    case 'device':
      if (a[0] === '{') st.jsonDevices.push(qobjectFromJson(a));
      else parseNoisilyOrExit(L('device'), a, true);
      return;
    case 'object':
      if (a[0] === '{') {
        st.jsonObjects.push(qobjectFromJson(a));
      } else {
        const opts = parseNoisilyOrExit(L('object'), a, true);
        if (qemuOptGet(opts, 'qom-type') === undefined) throw new QemuError("Parameter 'qom-type' is missing");
      }
      return;
    case 'netdev':
      if (netdevIsModern(a)) {
        if (a[0] === '{') qobjectFromJson(a);
        return; // keyval + QAPI for stream/dgram: a later layer
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
    case 'vnc': parseNoisilyOrExit(L('vnc'), a, !isHelpOption(a)); return;
    case 'tpmdev':
      if (a === 'help') throw new QemuExit(1); // tpm_display_backend_drivers(): a later layer
      parseNoisilyOrExit(L('tpmdev'), a, true);
      return;
    case 'trace': {
      const opts = parseNoisilyOrExit(L('trace'), a, true);
      qemuOptsDel(opts);
      return;
    }
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
    default:
      return; // options with no parse-time syntax of their own
  }
}

function versionLines(): string {
  return 'QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\n' +
    'Copyright (c) 2003-2022 Fabrice Bellard and the QEMU Project developers\n';
}

/** Runs the parse step and returns the parsed state (throws QemuError / QemuExit). */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  const prog = (argv[0] ?? 'tsqemu-system-x86_64').split('/').pop()!;
  const st: ParsedCommandLine = {
    lists: createVlOptsLists(),
    machineOptsDict: keyvalDictNew(),
    cpuOption: undefined,
    jsonDevices: [],
    jsonObjects: [],
  };
  for (const item of qemuOptionsWalk(argv)) {
    withLoc(item.loc, () => {
      if (item.bare) parseNoisilyOrExit(qemuFindOpts(st.lists, 'drive'), bareDriveOptstr(item.arg!), false);
      else handleOption(st, item.name, item.arg, prog);
    });
  }
  // qemu_apply_legacy_machine_options()
  keyvalDashify(st.machineOptsDict);
  return st;
}

/**
 * parseCommandLine() with its output captured: stdout (help texts), stderr
 * (warnings and the final error, formatted as the top level prints it) and
 * the exit status.
 */
export function parseCommandLineForOracle(argv: readonly string[]): OracleResult {
  let stdout = '';
  let stderr = '';
  errorInit(argv[0] ?? 'tsqemu-system-x86_64');
  const oldErr = setStderrWriter((t) => { stderr += t; });
  const oldOut = setStdoutWriter((t) => { stdout += t; });
  let status: number | undefined;
  try {
    parseCommandLine(argv);
  } catch (e) {
    if (e instanceof QemuExit) status = e.status;
    else if (e instanceof QemuError) {
      stderr += e.format();
      status = 1;
    } else {
      throw e;
    }
  } finally {
    setStderrWriter(oldErr);
    setStdoutWriter(oldOut);
  }
  return { stdout, stderr, status };
}
