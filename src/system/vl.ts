/*
 * qemu_init() (system/vl.c, QEMU 7.2): the start-up sequence from argv to
 * vCPUs, one function per step, in QEMU's order.  docs/startup.md walks it.
 * `-trace 'vl_*'` prints each step as it runs.
 */
import { QemuError, QemuExit, errorReport, withLoc, withLocAsync } from '../util/error.js';
import {
  qemuOptGet, qemuOptGetBool, qemuOptsForeach, qemuOptsToQdict, qemuPrintf, type QemuOpts,
} from '../util/qemu-option.js';
import { isHelpOption } from '../util/cutils.js';
import type { KeyvalDict } from '../util/keyval.js';
import { trace, traceEnable, traceSetLogFile } from '../util/trace.js';
import { qemuFindOpts } from './opts-lists.js';
import { parseCommandLine, type ParsedCommandLine, type StartupPhase } from './vl-cmdline.js';
import { moduleCallInit } from './modules.js';
import { cpusInit } from './cpus.js';
import { qemuAddDataDir } from './datadir.js';
import { QEMU_LOG_ITEMS, qemuSetLogMask } from '../util/log.js';
import { onShutdownRequest, qemuSystemShutdownRequest, runstateSet, setRebootActionShutdown, vmStart, vmStop } from './runstate.js';
import { pcLoadKernel, tcgMachineInit } from '../accel/tcg/tcg-machine.js';
import { debugExitSetHandler } from '../hw/misc/debugexit.js';
import { configureRtc } from './rtc.js';
import { configureAccelerators, currentAccel, type AccelOption } from '../accel/accel.js';
import {
  machineRunBoardInit, machineSetPropertiesFromDict, qemuCreateMachine, selectMachine, type MachineState,
} from '../hw/core/machine.js';
import { machineClass, machineResolveMemdev, qdevGetMachine } from '../hw/core/machine.js';
import { kvmSetSmp } from '../accel/kvm/kvm-accel.js';
import { kvmSetDebugThreads } from '../accel/kvm/kvm-accel-ops.js';
import { qdevDeviceAdd, qdevDeviceHelp } from '../hw/core/qdev-monitor.js';
import { GlobalPropPriority, objectRegisterGlobalProp } from '../qom/object.js';
import { userCreatableAdd } from '../qom/object-interfaces.js';
import { REQUIRED_MEMBERS } from '../backends/hostmem.js';
import { parseCpuOption } from '../target/i386/cpu-featurestr.js';
import { x86CpuListText } from '../target/i386/cpu-help.js';
import { qemuChrFind, qemuChrNewFromOpts, qemuChrFlushAll, chardevHelpText, type Chardev, type ChardevOpts } from '../chardev/char.js';
import { pcBoard, pcMachineDone, pcSetSerialHds } from '../hw/i386/pc-board.js';
import { qemuClockInit } from '../qemu/timer.js';
import { suspendMuxOpen, resumeMuxOpen } from '../chardev/char-mux.js';
import { blkByNameOrNode, blockdevAdd, driveDiscard, driveOpen, driveParse } from '../block/blockdev.js';
import { qdevRegisterBackendLookup } from '../hw/core/qdev-properties.js';
import { blkCloseAll } from '../block/block-backend.js';
import { monitorInitOpts, monitorParse, monitorInitGlobals, monitorFlushAll, qemuChrNewMuxMon } from '../monitor/monitor-init.js';
import { setQemuName } from '../monitor/monitor.js';
import { registerMachineQmpCommands } from './qmp-machine-cmds.js';

function step(name: string, args = ''): void {
  trace(name, args);
}

/** qemu_validate_options(). */
function qemuValidateOptions(st: ParsedCommandLine): void {
  const d = st.machineOptsDict;
  if (d.kernel === undefined) {
    if (d.initrd !== undefined) throw new QemuError('-initrd only allowed with -kernel option');
    if (d.append !== undefined) throw new QemuError('-append only allowed with -kernel option');
  }
}

/** qemu_process_early_options(): -name, -trace, -D/-d. */
function qemuProcessEarlyOptions(st: ParsedCommandLine): void {
  qemuOptsForeach(qemuFindOpts(st.lists, 'name'), (opts) => {
    const guest = qemuOptGet(opts, 'guest');
    if (guest !== undefined) setQemuName(guest);
    kvmSetDebugThreads(qemuOptGetBool(opts, 'debug-threads', false));
  });
  traceSetLogFile(st.logFile);
  qemuOptsForeach(qemuFindOpts(st.lists, 'trace'), (opts) => {
    const pattern = qemuOptGet(opts, 'enable');
    if (pattern !== undefined) traceEnable(pattern);
    const file = qemuOptGet(opts, 'file');
    if (file !== undefined) traceSetLogFile(file);
  });
  if (st.logItems !== undefined) qemuSetLogItems(st.logItems);
}

/** -d item,item,...: qemu_str_to_log_mask(), with -d help listing the items we produce. */
function qemuSetLogItems(items: string): void {
  let mask = 0;
  for (const item of items.split(',')) {
    if (item.startsWith('trace:')) {
      traceEnable(item.slice(6)); // -d trace:PATTERN is -trace PATTERN
      continue;
    }
    const found = QEMU_LOG_ITEMS.find(([, name]) => name === item);
    if (found === undefined) {
      let text = 'Log items (comma separated):\n';
      for (const [, name, help] of QEMU_LOG_ITEMS) text += `${name.padEnd(15)} ${help}\n`;
      qemuPrintf(`${text}trace:PATTERN   enable trace events\n`);
      throw new QemuExit(item === 'help' ? 0 : 1);
    }
    mask |= found[0];
  }
  qemuSetLogMask(mask);
}

/** qemu_process_help_options(): -cpu help, -device help, -chardev help. */
function qemuProcessHelpOptions(st: ParsedCommandLine): void {
  if (st.cpuHelp) {
    qemuPrintf(x86CpuListText());
    throw new QemuExit(0);
  }
  qemuOptsForeach(qemuFindOpts(st.lists, 'device'), (opts) => {
    if (qdevDeviceHelp(qemuOptsToQdict(opts), qemuPrintf)) throw new QemuExit(0);
  });
  qemuOptsForeach(qemuFindOpts(st.lists, 'chardev'), (opts) => {
    if (isHelpOption(qemuOptGet(opts, 'backend'))) {
      qemuPrintf(chardevHelpText());
      throw new QemuExit(0);
    }
  });
}

/** parse_memory_options(): -m into machine["memory"]; a bare number means MiB. */
function parseMemoryOptions(st: ParsedCommandLine): void {
  const opts = qemuFindOpts(st.lists, 'memory').head[0];
  if (!opts) return;
  const mem: KeyvalDict = {};
  let size = qemuOptGet(opts, 'size');
  if (size !== undefined) {
    if (/[0-9]$/.test(size)) size += 'M';
    mem.size = size;
  }
  const maxmem = qemuOptGet(opts, 'maxmem');
  if (maxmem !== undefined) mem['max-size'] = maxmem;
  const slots = qemuOptGet(opts, 'slots');
  if (slots !== undefined) mem.slots = slots;
  st.machineOptsDict.memory = mem;
}

/** qemu_create_machine(): select the class and instantiate it at /machine. */
function qemuCreateMachineStep(st: ParsedCommandLine): MachineState {
  const t = st.machineOptsDict.type;
  const oc = selectMachine(typeof t === 'string' ? t : undefined);
  const ms = qemuCreateMachine(oc);
  step('vl_create_machine', `type=${machineClass(oc).name}`);
  return ms;
}

/** user_register_global_props(): every -global. */
function userRegisterGlobalProps(st: ParsedCommandLine): void {
  qemuOptsForeach(qemuFindOpts(st.lists, 'global'), (opts) => {
    objectRegisterGlobalProp({
      driver: qemuOptGet(opts, 'driver')!,
      property: qemuOptGet(opts, 'property')!,
      value: qemuOptGet(opts, 'value')!,
    });
  });
}

/**
 * qemu_create_early_backends(): chardevs (the monitors' included).  Node binds
 * and connects asynchronously; each chardev is ready, or has failed with its
 * option's location, before the next one is created, as QEMU's blocking calls do.
 */
async function qemuCreateEarlyBackends(st: ParsedCommandLine): Promise<Array<Record<string, string>>> {
  monitorInitGlobals();
  suspendMuxOpen();
  const monOpts: Array<Record<string, string>> = [];
  for (const m of st.monitors) {
    const p = withLoc(m.loc, () => monitorParse(m.arg, m.mode, m.pretty));
    if (!p) continue;
    if (p.chardev) {
      const chr = withLoc(m.loc, () => qemuChrNewFromOpts(p.chardev!));
      await withLocAsync(m.loc, () => chr.ready);
    }
    monOpts.push(p.mon);
  }
  for (const opts of qemuFindOpts(st.lists, 'chardev').head) {
    const chr = withLoc(opts.loc ?? '-chardev', () => qemuChrNewFromOpts(qemuOptsToQdict(opts) as ChardevOpts));
    await withLocAsync(opts.loc, () => chr.ready);
  }
  checkUnsupported(st, 'early-backends');
  await configureBlockdev(st);
  step('vl_create_early_backends', `chardevs=${qemuFindOpts(st.lists, 'chardev').head.length + monOpts.length}`);
  return monOpts;
}

/**
 * configure_blockdev(): every -blockdev, then every -drive, becomes a block node / backend.  `if=none` drives
 * are for -device drive=; an interface whose controller model is not written
 * yet (IDE, floppy, virtio…) is refused before its image is opened.
 */
async function configureBlockdev(st: ParsedCommandLine): Promise<void> {
  for (const b of st.blockdevs) await withLocAsync(b.loc, () => blockdevAdd(b.opts));
  for (const opts of qemuFindOpts(st.lists, 'drive').head) {
    const loc = opts.loc ?? '-drive';
    const spec = withLoc(loc, () => driveParse(qemuOptsToQdict(opts), 'ide'));
    if (spec.type !== 'none') {
      driveDiscard(spec);
      throw new QemuError(`drives with if=${spec.type} are not supported yet (use if=none with -device)`, undefined, loc);
    }
    await withLocAsync(loc, () => driveOpen(spec));
  }
}

/** Legacy -machine keys that are not machine properties (qemu_apply_legacy_machine_options). */
const LEGACY_MACHINE_KEYS = ['type', 'accel', 'kernel-irqchip', 'kvm-shadow-mem', 'igd-passthru'];

/** qemu_apply_machine_options(): every other key is a machine property (smp, memory, usb …). */
function qemuApplyMachineOptions(st: ParsedCommandLine, ms: MachineState): void {
  const props: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(st.machineOptsDict)) {
    if (!LEGACY_MACHINE_KEYS.includes(k)) props[k] = v;
  }
  machineSetPropertiesFromDict(ms, props);
  step('vl_apply_machine_options', `smp.cpus=${ms.smp.cpus} ram_size=${ms.ramSize}`);
}

/** configure_accelerators(): -accel items, or -machine accel= / -enable-kvm. */
function configureAcceleratorsStep(st: ParsedCommandLine): void {
  const d = st.machineOptsDict;
  const accelOpts: AccelOption[] = [];
  qemuOptsForeach(qemuFindOpts(st.lists, 'accel'), (opts: QemuOpts) => {
    accelOpts.push({ loc: opts.loc, props: qemuOptsToQdict(opts) });
  });
  // kernel-irqchip / kvm-shadow-mem on -machine are sugar for kvm-accel properties.
  for (const k of ['kernel-irqchip', 'kvm-shadow-mem']) {
    const v = d[k];
    if (typeof v === 'string') objectRegisterGlobalProp({ driver: 'kvm-accel', property: k, value: v, priority: GlobalPropPriority.Sugar });
  }
  const ms = qdevGetMachine();
  kvmSetSmp(ms.smp.cpus, ms.smp.maxCpus);
  const ac = configureAccelerators(typeof d.accel === 'string' ? d.accel : undefined, accelOpts);
  step('vl_configure_accelerators', `accel=${ac.name}`);
}

/** qemu_create_late_backends(): the monitors, then the options that have no backend yet. */
function qemuCreateLateBackends(st: ParsedCommandLine, monOpts: Array<Record<string, string>>): void {
  // object_create_late(): memory backends and the other user objects.
  qemuOptsForeach(qemuFindOpts(st.lists, 'object'), (opts) => {
    userCreatableAdd(qemuOptsToQdict(opts), REQUIRED_MEMBERS, false);
  });
  for (const o of st.jsonObjects) withLoc(o.loc, () => userCreatableAdd(o.value as Record<string, unknown>, REQUIRED_MEMBERS, true));
  for (const m of monOpts) monitorInitOpts(m);
  qemuOptsForeach(qemuFindOpts(st.lists, 'mon'), (opts) => {
    monitorInitOpts(qemuOptsToQdict(opts));
  });
  serialHds = serialParse(st);
  debugconParse(st);
  checkUnsupported(st, 'late-backends');
}

let serialHds: Array<Chardev | undefined> = [];

/**
 * The -serial ports (vl.c serial_parse): each becomes chardev "serialN"
 * (`mon:` puts the HMP monitor on a mux with it), `none` leaves no port.  With
 * -nographic and no -serial, COM1 is `mon:stdio`.  QEMU's graphical default,
 * a virtual console, has no equivalent here: without -nographic there is no
 * default serial port.
 */
function serialParse(st: ParsedCommandLine): Array<Chardev | undefined> {
  const args = st.serials.length > 0 ? st.serials : st.nographic && !st.nodefaults ? [{ loc: '-nographic', arg: 'mon:stdio' }] : [];
  const chrs: Array<Chardev | undefined> = [];
  for (const [i, s] of args.entries()) {
    if (s.arg === 'none') continue;
    const chr = withLoc(s.loc, () => qemuChrNewMuxMon(`serial${i}`, s.arg));
    if (!chr) throw new QemuError(`could not connect serial device to character backend '${s.arg}'`, undefined, s.loc);
    chrs.push(chr);
  }
  return chrs;
}

/** vl.c debugcon_parse(): chardev "debugcon" and an isa-debugcon device on it. */
function debugconParse(st: ParsedCommandLine): void {
  for (const d of st.debugcons) {
    const chr = withLoc(d.loc, () => qemuChrNewMuxMon('debugcon', d.arg));
    if (!chr) throw new QemuError(`invalid character backend '${d.arg}'`, undefined, d.loc);
    st.extraDevices.push({ loc: d.loc, opts: { driver: 'isa-debugcon', chardev: 'debugcon' } });
  }
}

/**
 * An option we parse but cannot honour yet is never ignored: at the step where
 * QEMU would create its backend, the first such option ends start-up.
 */
function checkUnsupported(st: ParsedCommandLine, phase: StartupPhase): void {
  const first = st.unsupported.find((u) => u.phase === phase);
  if (!first) return;
  // "drives (-drive) are", "direct kernel boot (-kernel) is"
  const plural = /s$/.test(first.what.split(' (')[0]!);
  throw new QemuError(`${first.what} ${plural ? 'are' : 'is'} not supported yet`, undefined, first.loc);
}

/** current_machine->cpu_type: the class default, or -cpu (parse_cpu_option). */
function resolveCpuType(st: ParsedCommandLine, ms: MachineState): void {
  const mc = ms.mc;
  ms.cpuType = mc.defaultCpuType;
  if (st.cpuOption !== undefined) {
    ms.cpuType = withLoc(`-cpu ${st.cpuOption}`, () => parseCpuOption(st.cpuOption!));
  }
  step('vl_cpu_type', `type=${ms.cpuType ?? 'none'}`);
}

/** qemu_create_cli_devices(): every -device, JSON or QemuOpts. */
function qemuCreateCliDevices(st: ParsedCommandLine): void {
  qemuOptsForeach(qemuFindOpts(st.lists, 'device'), (opts) => {
    qdevDeviceAdd(qemuOptsToQdict(opts));
  });
  for (const d of st.jsonDevices) withLoc(d.loc, () => qdevDeviceAdd(d.value as Record<string, unknown>));
  for (const d of st.extraDevices) withLoc(d.loc, () => qdevDeviceAdd(d.opts));
}

/**
 * qmp_x_exit_preconfig(): board init (with -kernel's loading), devices, creation done; under
 * TCG every CPU then gets its software-CPU context, so the VM can start now or at `cont`.
 */
function qmpXExitPreconfig(st: ParsedCommandLine, ms: MachineState): void {
  checkUnsupported(st, 'board');
  pcSetSerialHds(serialHds);
  machineRunBoardInit(ms);
  const kernel = pcLoadKernel(ms);
  step('vl_board_init_done', `cpus=${ms.smp.cpus}`);
  qemuCreateCliDevices(st);
  // qdev_machine_creation_done(): the machine-done notifiers see every -device.
  if (pcBoard(ms) !== undefined) pcMachineDone(ms);
  resumeMuxOpen();
  // Under KVM the vCPU threads exist already and run from vm_start(); TCG's contexts come now.
  if (currentAccel().name === 'tcg') tcgMachineInit(ms, kernel, st.autostart);
}

/** qemu_init_displays(): our default display is none; VNC and local displays come later. */
function qemuInitDisplays(st: ParsedCommandLine): void {
  for (const d of st.displays) {
    if (d.arg === 'none') continue;
    st.unsupported.push({ loc: d.loc, what: d.arg === 'vnc' ? 'VNC displays (-vnc)' : `the ${d.arg.split(',')[0]} display`, phase: 'displays' });
  }
  checkUnsupported(st, 'displays');
}

/** Ends the process once monitors, chardevs and images are flushed and closed. */
function qemuCleanupAndExit(status: number): void {
  void monitorFlushAll().then(qemuChrFlushAll).then(blkCloseAll).finally(() => process.exit(status));
}

/**
 * The main loop: stays up while the VM exists; a shutdown request ends the process, or with
 * -no-shutdown stops the VM in the shutdown state (main_loop_should_exit).
 */
function qemuMainLoop(st: ParsedCommandLine): void {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  setRebootActionShutdown(st.noReboot);
  onShutdownRequest((reason) => {
    if (st.noShutdown && reason !== 'host-qmp-quit' && reason !== 'host-signal') {
      vmStop('shutdown');
      return;
    }
    clearInterval(keepAlive);
    // quit's return must reach the client after SHUTDOWN, and images are flushed and closed, before the process ends.
    qemuCleanupAndExit(0);
  });
  // isa-debug-exit: the guest's code becomes the exit status; its last output is flushed first.
  debugExitSetHandler((code) => {
    runstateSet('shutdown'); // QEMU exit()s here: no event, and no more guest code

    clearInterval(keepAlive);
    qemuCleanupAndExit(code);
  });
  // termsig_handler(): a signal asks for a clean shutdown, as QEMU does (it also names the sender's pid).
  for (const [sig, num] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] as const) {
    process.on(sig, () => {
      errorReport(`terminating on signal ${num}`);
      qemuSystemShutdownRequest('host-signal');
    });
  }
}

export async function qemuInit(argv: string[]): Promise<void> {
  // qemu_init_subsystems(): module_call_init(MODULE_INIT_QOM) registers every type.
  moduleCallInit('qom');
  cpusInit();
  qemuClockInit();
  // Devices name their backends by id (drive=, chardev=): qdev looks them up here.
  qdevRegisterBackendLookup('drive', (id) => blkByNameOrNode(id) !== undefined);
  qdevRegisterBackendLookup('chr', (id) => qemuChrFind(id) !== undefined);
  registerMachineQmpCommands();

  const st = parseCommandLine(argv);
  for (const d of st.dataDirs) qemuAddDataDir(d);
  qemuValidateOptions(st);
  qemuProcessEarlyOptions(st);
  checkUnsupported(st, 'early-options');
  step('vl_parse_done', `argc=${argv.length}`);
  qemuProcessHelpOptions(st);
  userRegisterGlobalProps(st);
  configureRtc(qemuFindOpts(st.lists, 'rtc').head[0]);
  parseMemoryOptions(st);

  const ms = qemuCreateMachineStep(st);
  const monOpts = await qemuCreateEarlyBackends(st);
  qemuApplyMachineOptions(st, ms);
  configureAcceleratorsStep(st);
  qemuCreateLateBackends(st, monOpts);
  resolveCpuType(st, ms);
  machineResolveMemdev(ms, qemuFindOpts(st.lists, 'memory').head.some((o) => qemuOptGet(o, 'size') !== undefined));
  qmpXExitPreconfig(st, ms);
  qemuInitDisplays(st);
  step('vl_init_done', `autostart=${st.autostart}`);
  if (st.autostart) vmStart();
  qemuMainLoop(st);
}
