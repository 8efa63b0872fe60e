/*
 * Creating monitors from the command line (monitor/monitor.c monitor_init,
 * monitor_init_opts; softmmu/vl.c monitor_parse; chardev/char.c's mux-monitor
 * half of qemu_chr_new).  The start-up sequence:
 *   1. monitorInitGlobals() once;
 *   2. for each -qmp/-qmp-pretty/-monitor: monitorParse(arg, mode, pretty) gives
 *      chardev options (create them with the other -chardev options) and -mon options;
 *   3. after the chardevs: monitorInitOpts(monOpts) for each -mon (and the parsed ones);
 *   4. -serial strings go through qemuChrNewMuxMon(label, str) so "mon:stdio" works.
 */
import { QemuError, errorReport } from '../util/error.js';
import {
  qemuChrFind, qemuChrFlushAll, qemuChrNewFromOpts, qemuChrParseCompat, qemuChrDelete, type Chardev, type ChardevOpts,
} from '../chardev/char.js';
import { MonitorQMP } from './qmp.js';
import { MonitorHMP, registerHmpQmpCommands } from './hmp.js';
import { registerQmpCommands } from './qmp-cmds.js';
import { monitorList, type Monitor } from './monitor.js';

/** monitor_init_globals(): the QMP commands of the monitor and the core. */
export function monitorInitGlobals(): void {
  registerQmpCommands();
  registerHmpQmpCommands();
}

/** monitor_init_qmp(). */
export function monitorInitQmp(chr: Chardev, pretty = false): MonitorQMP {
  monitorInitGlobals();
  return new MonitorQMP(chr, pretty);
}

/** monitor_init_hmp(). */
export function monitorInitHmp(chr: Chardev, useReadline = true): MonitorHMP {
  monitorInitGlobals();
  return new MonitorHMP(chr, useReadline);
}

/**
 * monitor_init_opts(): one -mon (keys chardev, mode=readline|control, pretty=on|off).
 */
export function monitorInitOpts(opts: Record<string, string>): Monitor {
  for (const k of Object.keys(opts)) {
    if (!['id', 'chardev', 'mode', 'pretty'].includes(k)) throw new QemuError(`Invalid parameter '${k}'`);
  }
  const mode = opts.mode ?? 'readline';
  if (mode !== 'readline' && mode !== 'control') throw new QemuError(`Parameter 'mode' does not accept value '${mode}'`);
  let pretty = false;
  if (opts.pretty !== undefined) {
    if (['on', 'yes', 'true', 'y'].includes(opts.pretty)) pretty = true;
    else if (!['off', 'no', 'false', 'n'].includes(opts.pretty)) {
      throw new QemuError("Parameter 'pretty' expects 'on' or 'off'");
    }
  }
  if (opts.chardev === undefined) throw new QemuError("Parameter 'chardev' is missing");
  const chr = qemuChrFind(opts.chardev);
  if (!chr) throw new QemuError(`chardev "${opts.chardev}" not found`);
  if (mode === 'control') return monitorInitQmp(chr, pretty);
  if (opts.pretty !== undefined && pretty) throw new QemuError("'pretty' is not compatible with HMP monitors");
  return monitorInitHmp(chr, true);
}

let monitorDeviceIndex = 0;

export interface ParsedMonitor {
  /** Options of the chardev to create, unless the argument was "chardev:<id>". */
  chardev?: ChardevOpts;
  /** The -mon options to pass to monitorInitOpts once chardevs exist. */
  mon: Record<string, string>;
}

/**
 * vl.c monitor_parse() for -monitor (mode readline), -qmp (control) and
 * -qmp-pretty (control, pretty): the chardev is "compat_monitor<N>".
 * Prints "parse error: <arg>" and throws on a bad string, as QEMU exits.
 * `-monitor none` (anything starting with "none", as vl.c checks) gives
 * undefined: no monitor; `-qmp none` is an error, as in QEMU.
 */
export function monitorParse(optarg: string, mode: 'readline' | 'control', pretty = false): ParsedMonitor | undefined {
  if (mode === 'readline' && optarg.startsWith('none')) return undefined;
  let label: string;
  let chardev: ChardevOpts | undefined;
  if (optarg.startsWith('chardev:')) {
    label = optarg.slice(8);
  } else {
    label = `compat_monitor${monitorDeviceIndex}`;
    chardev = qemuChrParseCompat(label, optarg, true);
    if (!chardev) throw new QemuError(`parse error: ${optarg}`);
  }
  const mon: Record<string, string> = { id: label, mode, chardev: label };
  if (mode === 'control') mon.pretty = pretty ? 'on' : 'off';
  monitorDeviceIndex++;
  return { chardev, mon };
}

/**
 * qemu_chr_new_mux_mon(): qemu_chr_new() where "mon:..." also puts an HMP
 * monitor on the mux.  Errors are reported and undefined returned.
 */
export function qemuChrNewMuxMon(label: string, filename: string): Chardev | undefined {
  if (filename.startsWith('chardev:')) return qemuChrFind(filename.slice(8));
  try {
    const opts = qemuChrParseCompat(label, filename, true);
    if (!opts) return undefined;
    const chr = qemuChrNewFromOpts(opts);
    if (opts.mux === 'on') {
      try {
        monitorInitHmp(chr, true);
      } catch (e) {
        qemuChrDelete(chr);
        throw e;
      }
    }
    return chr;
  } catch (e) {
    if (!(e instanceof QemuError)) throw e;
    errorReport(e.message);
    return undefined;
  }
}

/**
 * Before the process exits on a shutdown request: lets the request being
 * handled finish (quit's own return comes after the SHUTDOWN event), then
 * waits until every chardev has written out what it was given.  The
 * shutdown hook of the main loop should `await monitorFlushAll()` and then exit.
 */
export async function monitorFlushAll(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  await Promise.all(monitorList().filter((m): m is MonitorQMP => m instanceof MonitorQMP).map((m) => m.idle()));
  await qemuChrFlushAll();
}

/** For tests: the compat_monitor numbering starts again. */
export function monitorParseReset(): void {
  monitorDeviceIndex = 0;
}
