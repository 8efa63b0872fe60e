/*
 * The human monitor (monitor/hmp.c, hmp-cmds.c, qdev-monitor.c): the banner
 * and "(qemu) " prompt on a chardev, line editing, and the commands.  The same
 * command interpreter serves QMP's human-monitor-command, whose output is
 * returned instead of written.  Output lines end in \r\n (Monitor.puts).
 */
import { qemuSystemResetRequest } from '../system/runstate.js';
import type { Chardev, ChrEvent } from '../chardev/char.js';
import { cpus } from '../hw/core/cpu.js';
import { QEMU_COMPAT_VERSION } from '../system/version.js';
import { QemuError } from '../util/error.js';
import { Monitor, qemuName } from './monitor.js';
import { ReadLineState } from './readline.js';
import { qmpCont, qmpQueryChardev, qmpQueryStatus, qmpQuit, qmpStop, QEMU_PKGVERSION } from './qmp-cmds.js';
import { qmpRegisterCommand } from './qmp-dispatch.js';
import { tcgCpuDumpState } from '../accel/tcg/tcg-monitor.js';
import { hmpInfoQtree } from '../hw/core/qdev-monitor.js';
import { objectChildren, objectResolvePath, type QObject } from '../qom/object.js';

interface HmpCommand {
  /** "cont|c": the name and its aliases. */
  name: string;
  params: string;
  help: string;
  /** args_type: '' takes no argument; 'word?' one optional word ("s?"); 'rest' the rest of the line. */
  args: '' | 'word?' | 'rest';
  run?: (mon: MonitorHMP, arg: string) => void;
  sub?: HmpCommand[];
}

/** hmp-commands-info.hx, the entries we have. */
const INFO_CMDS: HmpCommand[] = [
  { name: 'chardev', params: '', help: 'show the character devices', args: '', run: (m) => hmpInfoChardev(m) },
  { name: 'cpus', params: '', help: 'show infos for each CPU', args: '', run: (m) => hmpInfoCpus(m) },
  { name: 'name', params: '', help: 'show the current VM name', args: '', run: (m) => hmpInfoName(m) },
  { name: 'qom-tree', params: '[path]', help: 'show QOM composition tree', args: 'word?', run: (m, a) => hmpInfoQomTree(m, a) },
  { name: 'qtree', params: '', help: 'show device tree', args: '', run: (m) => m.puts(hmpInfoQtree()) },
  { name: 'registers', params: '[-a|vcpu]', help: "show the cpu registers (-a: show register info for all cpus; vcpu: specific vCPU to query; show the current CPU's registers if no argument is specified)", args: 'word?', run: (m, a) => hmpInfoRegisters(m, a) },
  { name: 'status', params: '', help: 'show the current VM status (running|paused)', args: '', run: (m) => hmpInfoStatus(m) },
  { name: 'version', params: '', help: 'show the version of QEMU', args: '', run: (m) => m.puts(`${QEMU_COMPAT_VERSION} (${QEMU_PKGVERSION})\n`) },
];

/** hmp-commands.hx, the entries we have (QEMU sorts the table by name). */
const HMP_CMDS: HmpCommand[] = [
  { name: 'cont|c', params: '', help: 'resume emulation', args: '', run: () => qmpCont() },
  { name: 'help|?', params: '[cmd]', help: 'show the help', args: 'rest', run: (m, a) => hmpHelp(m, a) },
  { name: 'info', params: '[subcommand]', help: 'show various information about the system state', args: 'rest', sub: INFO_CMDS },
  { name: 'quit|q', params: '', help: 'quit the emulator', args: '', run: (m) => hmpQuit(m) },
  { name: 'stop|s', params: '', help: 'stop emulation', args: '', run: () => qmpStop() },
  { name: 'system_reset', params: '', help: 'reset the system', args: '', run: () => qemuSystemResetRequest('host-qmp-system-reset') },
];

function cmdMatches(c: HmpCommand, name: string): boolean {
  return c.name.split('|').includes(name);
}

function helpLine(prefix: string, c: HmpCommand): string {
  return `${prefix}${c.name} ${c.params} -- ${c.help}\n`;
}

function hmpHelp(mon: MonitorHMP, arg: string): void {
  const words = arg.split(/\s+/).filter((w) => w);
  if (!words.length) {
    for (const c of HMP_CMDS) mon.puts(helpLine('', c));
    return;
  }
  let table = HMP_CMDS;
  let prefix = '';
  for (let i = 0; i < words.length; i++) {
    const c = table.find((x) => cmdMatches(x, words[i]!));
    if (!c) {
      mon.puts(`unknown command: '${words.slice(0, i + 1).join(' ')}'\n`);
      return;
    }
    if (i === words.length - 1 || !c.sub) {
      if (c.sub) for (const s of c.sub) mon.puts(helpLine(`${prefix}${c.name} `, s));
      else mon.puts(helpLine(prefix, c));
      return;
    }
    prefix += `${c.name} `;
    table = c.sub;
  }
}

/** hmp_quit(): no prompt after it; the process is going away. */
function hmpQuit(mon: MonitorHMP): void {
  mon.suspend();
  qmpQuit();
}

function hmpInfoStatus(mon: MonitorHMP): void {
  const info = qmpQueryStatus();
  let s = `VM status: ${info.running ? 'running' : 'paused'}`;
  if (!info.running && info.status !== 'paused') s += ` (${info.status})`;
  mon.puts(s + '\n');
}

function hmpInfoChardev(mon: MonitorHMP): void {
  for (const c of qmpQueryChardev()) mon.puts(`${c.label}: filename=${c.filename}\n`);
}

/** info qom-tree: the composition tree under `path` (default /machine), children sorted by name as QEMU sorts them. */
function hmpInfoQomTree(mon: MonitorHMP, path: string): void {
  const p = path || '/machine';
  const root = objectResolvePath(p);
  if (!root) {
    mon.puts(`Path '${p}' could not be resolved.\n`);
    return;
  }
  const print = (obj: QObject, indent: number): void => {
    const name = obj.parentName ?? '';
    mon.puts(`${' '.repeat(indent)}/${name} (${obj.typeName})\n`);
    const kids = objectChildren(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [, child] of kids) print(child, indent + 2);
  };
  print(root, 0);
}

function hmpInfoName(mon: MonitorHMP): void {
  const name = qemuName();
  if (name !== undefined) mon.puts(`${name}\n`);
}

/** hmp_info_registers(): the current CPU's registers, every CPU's with -a, or vCPU n's. */
function hmpInfoRegisters(mon: MonitorHMP, arg: string): void {
  const all = arg === '-a';
  const vcpu = arg === '' || all ? -1 : Number(arg);
  if (!all && !Number.isInteger(vcpu)) throw new QemuError(`invalid vcpu: ${arg}`);
  const want = vcpu >= 0 ? vcpu : mon.curCpuIndex() ?? 0;
  const chosen = cpus.filter((cpu) => all || cpu.cpuIndex === want);
  if (chosen.length === 0) {
    mon.puts(vcpu >= 0 ? `CPU#${vcpu} not available\n` : 'No CPU available\n');
    return;
  }
  for (const cpu of chosen) {
    const dump = tcgCpuDumpState(cpu.cpuIndex);
    if (dump === undefined) throw new QemuError('the register dump needs the software CPU (TCG)');
    mon.puts(`\nCPU#${cpu.cpuIndex}\n${dump}`);
  }
}

function hmpInfoCpus(mon: MonitorHMP): void {
  const cur = mon.curCpuIndex();
  for (const cpu of cpus) {
    const active = cpu.cpuIndex === cur ? '*' : ' ';
    mon.puts(`${active} CPU #${cpu.cpuIndex}: thread_id=${cpu.vcpu?.threadId ?? process.pid}\n`);
  }
}

export class MonitorHMP extends Monitor {
  readonly rs: ReadLineState | undefined;
  private resetSeen = false;
  private suspendCnt = 0;
  /** The CPU "info cpus" marks and per-CPU commands use (mon_cpu); the first by default. */
  curCpu: number | undefined;

  constructor(chardev: Chardev | undefined, useReadline = true) {
    super(chardev);
    if (useReadline) this.rs = new ReadLineState((s) => this.puts(s), (line) => this.commandLine(line));
    this.attach({
      canReceive: () => (this.suspendCnt ? 0 : 4096),
      receive: (buf) => this.read(buf),
      event: (ev) => this.onChrEvent(ev),
    });
  }

  curCpuIndex(): number | undefined {
    return this.curCpu ?? cpus[0]?.cpuIndex;
  }

  private read(buf: Buffer): void {
    if (!this.rs) {
      // Without readline, the input is one command line (monitor_read without rs).
      this.commandLine(buf.toString('utf8').replace(/\r?\n$/, ''));
      return;
    }
    for (let i = 0; i < buf.length; i++) this.rs.handleByte(buf[i]!);
  }

  private commandLine(line: string): void {
    this.handleCommand(line);
    if (this.rs && !this.suspendCnt) this.rs.showPrompt();
  }

  /** monitor_event() for HMP. */
  private onChrEvent(ev: ChrEvent): void {
    switch (ev) {
      case 'mux-in':
        this.muxOut = false;
        if (this.resetSeen) {
          this.rs?.restart();
          this.resume();
          this.flush();
        } else {
          this.suspendCnt = 0;
        }
        break;
      case 'mux-out':
        if (this.resetSeen) {
          if (this.suspendCnt === 0) this.puts('\n');
          this.flush();
          this.suspendCnt++;
        } else {
          this.suspendCnt++;
        }
        this.muxOut = true;
        break;
      case 'opened':
        this.puts(`QEMU ${QEMU_COMPAT_VERSION} monitor - type 'help' for more information\n`);
        if (!this.muxOut) {
          this.rs?.restart();
          this.rs?.showPrompt();
        }
        this.resetSeen = true;
        break;
      default:
        break;
    }
  }

  /** monitor_suspend(): input waits and no prompt is shown until monitor_resume(). */
  suspend(): void {
    this.suspendCnt++;
  }

  /** monitor_resume(): the prompt comes back when the last suspension ends. */
  private resume(): void {
    if (this.suspendCnt > 0 && --this.suspendCnt === 0) {
      this.rs?.showPrompt();
      this.chr?.acceptInput();
    }
  }

  /** handle_hmp_command(): parse, check arguments, run. */
  handleCommand(line: string): void {
    let rest = line.replace(/^\s+/, '');
    if (!rest) return;
    let table = HMP_CMDS;
    const typed: string[] = [];
    for (;;) {
      const m = /^(\S+)\s*/.exec(rest)!;
      const word = m[1]!;
      typed.push(word);
      rest = rest.slice(m[0].length);
      const cmd = table.find((c) => cmdMatches(c, word));
      if (!cmd) {
        this.puts(`unknown command: '${typed.join(' ')}'\n`);
        return;
      }
      if (cmd.sub) {
        if (!rest) {
          hmpHelp(this, typed.join(' '));
          return;
        }
        table = cmd.sub;
        continue;
      }
      let arg = rest.trim();
      if (cmd.args === 'word?') {
        const m = /^(\S*)\s*(.*)$/.exec(arg)!;
        arg = m[1]!;
        rest = m[2]!;
      }
      if (cmd.args !== 'rest' && (cmd.args === '' ? arg : rest.trim())) {
        this.puts(`${cmd.name}: extraneous characters at the end of line\n`);
        this.puts(`Try "help ${typed.join(' ')}" for more information\n`);
        return;
      }
      try {
        cmd.run!(this, arg);
      } catch (e) {
        if (!(e instanceof QemuError)) throw e;
        this.puts(`Error: ${e.message}\n`);
      }
      return;
    }
  }
}

/** human-monitor-command: runs one HMP command line on a scratch monitor and returns its output. */
export function hmpHumanMonitorCommand(commandLine: string, cpuIndex?: number): string {
  const mon = new MonitorHMP(undefined, false);
  try {
    if (cpuIndex !== undefined) {
      if (!cpus.some((c) => c.cpuIndex === cpuIndex)) throw new QemuError("Parameter 'cpu-index' expects a CPU number");
      mon.curCpu = cpuIndex;
    }
    mon.handleCommand(commandLine);
    return mon.takeOutput();
  } finally {
    mon.destroy();
  }
}

let registered = false;

export function registerHmpQmpCommands(): void {
  if (registered) return;
  registered = true;
  qmpRegisterCommand('human-monitor-command',
    (args) => hmpHumanMonitorCommand(args['command-line'] as string, args['cpu-index'] as number | undefined),
    { 'command-line': 'str', '*cpu-index': 'int' });
}
