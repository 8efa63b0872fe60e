/*
 * One qtest script on QEMU 7.2 and on our pc, answers compared line by line,
 * with the IOAPIC's inputs watched (`irq_intercept_in ioapic`): QEMU prints
 * "IRQ raise N" / "IRQ lower N" while it runs the command that changed the
 * line, so each answer is the IRQ lines printed before the command's OK.
 * Memory accesses are single sized accesses, as qtest's readl/writel are
 * (readq/writeq: two 32-bit accesses, as the memory core splits them for
 * devices of 32-bit registers).
 */
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import type { MachineState } from '../../src/hw/core/machine.js';
import { pcBoard } from '../../src/hw/i386/pc-board.js';
import { pcMemory } from '../../src/hw/i386/pc-memory.js';
import { qemuAllocateIrq, qemuSetIrq } from '../../src/hw/core/irq.js';

const isCommand = (l: string): boolean => l.trim() !== '' && !l.startsWith('#');

/**
 * Runs `cmds` on qemu-system-x86_64 -M pc -nodefaults -qtest stdio plus `args`
 * (which add -S to keep the VM and its virtual clock stopped).  A command
 * `sleep MS` (not qtest's) waits MS ms of host time before the next command
 * and answers `OK`; `answerNs` receives the host time each answer arrived at.
 */
export function qtestQemuIrq(args: string[], cmds: string[], timeoutMs = 30000, answerNs: number[] = []): Promise<string[]> {
  const script = cmds.filter(isCommand);
  return new Promise((resolve, reject) => {
    const p = spawn('qemu-system-x86_64', ['-M', 'pc', '-nodefaults', '-display', 'none', '-qtest', 'stdio', ...args],
      { stdio: ['pipe', 'pipe', 'pipe'] });
    const answers: string[] = [];
    // One command at a time, so that a sleep falls between the commands around it.
    const sendNext = (): void => {
      const next = script[answers.length];
      if (next === undefined) return;
      const sleep = /^sleep (\d+)$/.exec(next);
      if (sleep) {
        setTimeout(() => {
          answers.push([...irqs, 'OK'].join(' | '));
          answerNs.push(Number(process.hrtime.bigint()));
          irqs = [];
          if (answers.length === script.length) p.kill('SIGKILL');
          else sendNext();
        }, Number(sleep[1]));
        return;
      }
      p.stdin.write(next + '\n');
    };
    let irqs: string[] = [];
    let buf = '';
    let stderr = '';
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`qtest timed out after ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`qemu-system-x86_64 is required for the IOAPIC/HPET oracle tests: ${e.message}`));
    });
    p.stdin.on('error', () => {});
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line.startsWith('IRQ ')) {
          irqs.push(line);
        } else if (line.startsWith('OK') || line.startsWith('FAIL')) {
          answers.push([...irqs, line].join(' | '));
          answerNs.push(Number(process.hrtime.bigint()));
          irqs = [];
          if (answers.length === script.length) p.kill('SIGKILL');
          else sendNext();
        }
      }
    });
    p.on('exit', () => {
      clearTimeout(timer);
      if (answers.length !== script.length) reject(new Error(`QEMU answered ${answers.length} of ${script.length} commands; stderr: ${stderr}`));
      else resolve(answers);
    });
    sendNext();
  });
}

const hex = (v: number, w: number): string => (v >>> 0).toString(16).padStart(w, '0');

/** The same commands on our machine; `sleep MS` calls `sleep` (which moves the fake clock on). */
export function qtestOursIrq(ms: MachineState, cmds: string[], sleep?: (ms: number) => void): string[] {
  const b = pcBoard(ms)!;
  const as = pcMemory(ms)!.memory!.as;
  const sizes: Record<string, number> = { b: 1, w: 2, l: 4 };
  const irqs: string[] = [];
  return cmds.filter(isCommand).map((line) => {
    const [cmd, a1, a2] = line.trim().split(/\s+/) as [string, string?, string?];
    const n1 = Number(a1), n2 = Number(a2);
    let ok: string;
    if (/^out[bwl]$/.test(cmd)) {
      b.io.write(n1, n2, sizes[cmd[3]!]!);
      ok = 'OK';
    } else if (/^in[bwl]$/.test(cmd)) {
      ok = `OK 0x${hex(b.io.read(n1, sizes[cmd[2]!]!), 4)}`;
    } else if (/^read[bwl]$/.test(cmd)) {
      ok = `OK 0x${hex(as.readSlow(n1, sizes[cmd[4]!]!), 16)}`;
    } else if (cmd === 'readq') {
      const lo = as.readSlow(n1, 4), hi = as.readSlow(n1 + 4, 4);
      ok = `OK 0x${hex(hi, 8)}${hex(lo, 8)}`;
    } else if (/^write[bwl]$/.test(cmd)) {
      as.writeSlow(n1, n2, sizes[cmd[5]!]!);
      ok = 'OK';
    } else if (cmd === 'sleep' && sleep) {
      sleep(n1);
      ok = 'OK';
    } else if (cmd === 'irq_intercept_in' && a1 === 'ioapic') {
      // qemu_irq_intercept_in(): each input reports its level changes, then goes on to the IOAPIC.
      const levels = new Array<number>(b.ioapicIrqs.length).fill(0);
      b.ioapicIrqs.forEach((orig, n) => {
        b.ioapicIrqs[n] = qemuAllocateIrq((_o, _n, level) => {
          qemuSetIrq(orig, level);
          if (levels[n] !== level) {
            levels[n] = level;
            irqs.push(`IRQ ${level ? 'raise' : 'lower'} ${n}`);
          }
        }, null, n);
      });
      ok = 'OK';
    } else {
      throw new Error(`qtestOursIrq: unsupported command ${line}`);
    }
    const answer = [...irqs, ok].join(' | ');
    irqs.length = 0;
    return answer;
  });
}

/** Asserts every answer equal, naming the first command that differs. */
export function assertSameAnswers(name: string, cmds: string[], ours: string[], theirs: string[]): void {
  const script = cmds.filter(isCommand);
  for (let i = 0; i < script.length; i++) assert.equal(ours[i], theirs[i], `${name}: command ${i} \`${script[i]}\``);
  assert.equal(ours.length, theirs.length);
}
