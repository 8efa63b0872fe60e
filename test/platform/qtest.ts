/*
 * A small client for QEMU's qtest protocol, and the same protocol spoken by
 * our pc machine built in-process, so one script runs on both and the
 * answers compare line by line.
 *
 * QEMU: `qemu-system-x86_64 -M pc -display none -qtest stdio ...` takes one
 * command a line (outb/outw/outl/inb/inw/inl PORT [VAL], readb/readw/readl/
 * readq ADDR, writeb/writew/writel ADDR VAL, read ADDR LEN, write ADDR LEN
 * 0xHEX) and answers each with one `OK [...]` or `FAIL ...` line.  It does
 * not exit at the end of its input: the client kills it once every answer is in.
 * A script is a list of batches; the next batch is sent once the previous
 * one is answered, so that requests the main loop handles (a reset) run between them.
 * A batch `['sleep MS']` (not a qtest command) waits MS milliseconds of host time.
 */
import { spawn } from 'node:child_process';
import type { MachineState } from '../../src/hw/core/machine.js';
import { pcBoard } from '../../src/hw/i386/pc-board.js';
import { pcMemory } from '../../src/hw/i386/pc-memory.js';

export interface QemuQtestResult {
  answers: string[][];
  /** The exit code if QEMU exited by itself (before being killed), else undefined. */
  exitCode: number | undefined;
}

const isCommand = (l: string): boolean => l.trim() !== '' && !l.startsWith('#');

/** Runs `batches` on qemu-system-x86_64 -M pc with `args`; QEMU may exit early (the answers stop there). */
export function qtestQemu(args: string[], batches: string[][], timeoutMs = 30000): Promise<QemuQtestResult> {
  return new Promise((resolve, reject) => {
    const p = spawn('qemu-system-x86_64', ['-M', 'pc', '-display', 'none', '-qtest', 'stdio', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const answers: string[][] = [];
    let batch = 0;
    let pending: string[] = [];
    let buf = '';
    let stderr = '';
    let finished = false;
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`qtest timed out after ${timeoutMs} ms (batch ${batch}); stderr: ${stderr}`));
    }, timeoutMs);
    const sendNext = (): void => {
      while (batch < batches.length) {
        const cmds = batches[batch]!.filter(isCommand);
        pending = [];
        answers.push(pending);
        const sleep = /^sleep (\d+)$/.exec(cmds[0] ?? '');
        if (sleep) {
          batch++;
          setTimeout(sendNext, Number(sleep[1]));
          return;
        }
        if (cmds.length === 0) {
          batch++;
          continue;
        }
        p.stdin.write(cmds.join('\n') + '\n');
        return;
      }
      finished = true;
      p.kill('SIGKILL');
    };
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`qemu-system-x86_64 is required for the platform oracle tests: ${e.message}`));
    });
    p.stdin.on('error', () => {});
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line.startsWith('OK') && !line.startsWith('FAIL')) continue; // IRQ notifications
        pending.push(line);
        if (pending.length === batches[batch]!.filter(isCommand).length) {
          batch++;
          sendNext();
        }
      }
    });
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ answers, exitCode: finished ? undefined : code ?? -1 });
    });
    sendNext();
  });
}

const hex = (v: number, w: number): string => v.toString(16).padStart(w, '0');

/**
 * The same commands against our machine: ports through pcBoard(ms).io,
 * memory through pcMemory(ms)'s address space.  Answers use qtest.c's formats.
 */
export function qtestOurs(ms: MachineState, batches: string[][]): string[][] {
  const io = pcBoard(ms)!.io;
  const memory = pcMemory(ms)!.memory;
  const sizes: Record<string, number> = { b: 1, w: 2, l: 4, q: 8 };
  const asOrFail = (): NonNullable<typeof memory>['as'] => {
    if (!memory) throw new Error(`qtestOurs: the machine has no runnable memory: ${pcMemory(ms)!.unsupported}`);
    return memory.as;
  };
  return batches.map((cmds) => {
    return cmds.filter(isCommand).map((line) => {
      const [cmd, a1, a2, a3] = line.trim().split(/\s+/) as [string, string?, string?, string?];
      const num = (s: string | undefined): number => Number(s);
      if (/^out[bwl]$/.test(cmd)) {
        io.write(num(a1), num(a2), sizes[cmd[3]!]!);
        return 'OK';
      }
      if (/^in[bwl]$/.test(cmd)) return `OK 0x${hex(io.read(num(a1), sizes[cmd[2]!]!), 4)}`;
      if (/^read[bwlq]$/.test(cmd)) {
        const size = sizes[cmd[4]!]!;
        const buf = new Uint8Array(size);
        asOrFail().dmaRead(num(a1), buf);
        return `OK 0x${readLe(buf).toString(16).padStart(16, '0')}`;
      }
      if (/^write[bwl]$/.test(cmd)) {
        const size = sizes[cmd[5]!]!;
        const buf = new Uint8Array(size);
        for (let i = 0, v = num(a2); i < size; i++, v = Math.floor(v / 256)) buf[i] = v % 256;
        asOrFail().dmaWrite(num(a1), buf);
        return 'OK';
      }
      if (cmd === 'read') {
        const buf = new Uint8Array(num(a2));
        asOrFail().dmaRead(num(a1), buf);
        return `OK 0x${Buffer.from(buf).toString('hex')}`;
      }
      if (cmd === 'write') {
        const data = Buffer.from(a3!.slice(2).padEnd(2 * num(a2), '0'), 'hex');
        asOrFail().dmaWrite(num(a1), data.subarray(0, num(a2)));
        return 'OK';
      }
      throw new Error(`qtestOurs: unsupported command ${line}`);
    });
  });
}

function readLe(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = v * 256n + BigInt(b[i]!);
  return v;
}
