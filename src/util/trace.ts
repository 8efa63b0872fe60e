/*
 * Trace events (QEMU's -trace / -d).  An event is printed when enabled, by
 * exact name or by a glob pattern ("qemu_*"), as "<pid>@<time>:<event> <args>"
 * in QEMU's log backend format.  Output goes to stderr or the -D file.
 */
import { appendFileSync } from 'node:fs';

const patterns: RegExp[] = [];
let logFile: string | undefined;

/** -trace enable=PATTERN / -trace PATTERN. */
export function traceEnable(pattern: string): void {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  patterns.push(re);
}

export function traceSetLogFile(path: string | undefined): void {
  logFile = path;
}

export function traceEventEnabled(name: string): boolean {
  return patterns.length > 0 && patterns.some((p) => p.test(name));
}

export function trace(name: string, args: string): void {
  if (!traceEventEnabled(name)) return;
  const now = process.hrtime();
  qemuLogWrite(`${process.pid}@${now[0]}.${String(Math.floor(now[1] / 1000)).padStart(6, '0')}:${name} ${args}\n`);
}

/** Writes to the log (-D file, else stderr): trace events and the -d log items share it. */
export function qemuLogWrite(text: string): void {
  if (logFile) appendFileSync(logFile, text);
  else process.stderr.write(text);
}

export function traceReset(): void {
  patterns.length = 0;
  logFile = undefined;
}
