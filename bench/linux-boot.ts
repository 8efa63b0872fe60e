/*
 * Boots the default guest (Debian's kernel + the busybox initramfs of scripts/fetch-guest.sh) on
 * an emulator with the console on stdio, and drives its shell as a terminal would: it answers the
 * shell's cursor-position query (ESC [ 6 n), types commands after the prompt, and measures the
 * wall time to the guest's marker and the process's peak RSS.  Used by the e2e test and by
 * `npm run bench:boot`, for QEMU 7.2 and for tsqemu alike.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const GUEST_DIR = join(ROOT, '.cache', 'guest');
export const TSQEMU = join(ROOT, 'bin', 'tsqemu-system-x86_64');
/** The line the initramfs's /init prints once the kernel runs user space. */
export const GUEST_MARKER = /tsqemu guest: (\S+), (\d+) CPU\(s\)/;
const PROMPT = '/ # ';

/** The kernel and initrd, which scripts/fetch-guest.sh must have fetched (fails loudly if not). */
export function guestFiles(): { kernel: string; initrd: string } {
  const kernel = join(GUEST_DIR, 'bzImage'), initrd = join(GUEST_DIR, 'initramfs.cpio.gz');
  for (const f of [kernel, initrd]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run scripts/fetch-guest.sh (scripts/setup.sh does)`);
  }
  return { kernel, initrd };
}

/** The guest command line both emulators get: the console on the first serial port. */
export function linuxArgs(smp: number, mem: number, extra: string[] = [], append = ''): string[] {
  const { kernel, initrd } = guestFiles();
  return ['-M', 'pc', '-smp', String(smp), '-m', String(mem), '-kernel', kernel, '-initrd', initrd,
    '-append', `console=ttyS0 ${append}`.trim(), '-nographic', '-no-reboot', ...extra];
}

export interface BootRun {
  /** Everything the console printed. */
  output: string;
  /** ms from spawn to the guest's marker line (NaN if it never came). */
  markerMs: number;
  /** The marker's CPU count. */
  cpus: number;
  /** Output of each command typed, in order (text between the command's echo and the next prompt). */
  replies: string[];
  exitCode: number | null;
  /** Peak resident set (VmHWM) of the emulator process, in KiB, read just before it ended. */
  peakRssKb: number;
}

/**
 * Runs `cmd args`, waits for the marker and the shell's prompt, types each of `commands` (one at
 * a time, each after the prompt), and then waits for the process to end (the last command
 * should power the guest off).  Gives up after timeoutMs (the process is killed).
 */
export function bootAndRun(cmd: string, args: string[], commands: string[], timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env): Promise<BootRun> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    const t0 = performance.now();
    let output = '', stderr = '';
    let markerMs = NaN, cpus = 0, peakRssKb = 0;
    let scan = 0, next = 0;
    const replies: string[] = [];
    let replyStart = -1;
    const readRss = (): void => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakRssKb = Math.max(peakRssKb, Number(m[1]));
      } catch { /* the process has ended */ }
    };
    const rss = setInterval(readRss, 200);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString('latin1'); });
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString('latin1');
      if (Number.isNaN(markerMs)) {
        const m = GUEST_MARKER.exec(output);
        if (m) {
          markerMs = performance.now() - t0;
          cpus = Number(m[2]);
          readRss();
        }
      }
      // A terminal answers the cursor-position query; busybox's line editor waits for it.
      for (let i = output.indexOf('\x1b[6n', scan); i >= 0; i = output.indexOf('\x1b[6n', i + 1)) {
        child.stdin.write('\x1b[1;1R');
        scan = i + 4;
      }
      if (Number.isNaN(markerMs)) return;
      const p = output.lastIndexOf(PROMPT);
      if (p >= 0 && p + PROMPT.length > replyStart && output.length >= p + PROMPT.length) {
        if (replyStart >= 0) {
          replies.push(output.slice(replyStart, p));
          replyStart = -1;
        }
        if (next < commands.length && replies.length === next) {
          const c = commands[next++]!;
          replyStart = output.length; // the echo of the command comes first; callers match inside
          child.stdin.write(`${c}\r`);
        }
      }
    });
    child.on('close', (code) => {
      clearInterval(rss);
      clearTimeout(timer);
      if (replyStart >= 0) replies.push(output.slice(replyStart));
      resolve({ output: output + (stderr ? `\n[stderr]\n${stderr}` : ''), markerMs, cpus, replies, exitCode: code, peakRssKb });
    });
  });
}
