/* main() of tsqemu-system-x86_64: qemu_init(), then the main loop (system/main.c). */
import { errorInit, reportFatal } from '../util/error.js';
import { qemuInit } from './vl.js';

/** argv[0] is the program name, as in C. */
export function main(argv: string[]): void {
  errorInit(argv[0] ?? 'tsqemu-system-x86_64');
  try {
    qemuInit(argv);
  } catch (e) {
    process.exitCode = reportFatal(e);
  }
}
