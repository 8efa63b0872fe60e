/* main() of tsqemu-system-x86_64: qemu_init(), then the main loop (system/main.c). */
import { errorInit, reportFatal } from '../util/error.js';
import { qemuInit } from './vl.js';

/** argv[0] is the program name, as in C. */
export function main(argv: string[]): void {
  errorInit(argv[0] ?? 'tsqemu-system-x86_64');
  qemuInit(argv).catch((e: unknown) => {
    // A user error ends start-up with its message; pending sockets must not keep us alive.
    process.exit(reportFatal(e));
  });
}
