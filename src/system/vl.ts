/*
 * qemu_init(): the start-up sequence of system/vl.c, one function per step.
 * Filled in step by step; see docs/startup.md.
 */
import { QemuError, QemuExit } from '../util/error.js';
import { TSQEMU_VERSION, QEMU_COMPAT_VERSION } from './version.js';

export function qemuInit(argv: string[]): void {
  const args = argv.slice(1);
  if (args.includes('-version') || args.includes('--version')) {
    process.stdout.write(versionText());
    throw new QemuExit(0);
  }
  throw new QemuError('the start-up sequence is not supported yet');
}

export function versionText(): string {
  return `tsqemu emulator version ${TSQEMU_VERSION} (QEMU ${QEMU_COMPAT_VERSION} compatible)\n` +
    'Copyright (c) 2026 the tsqemu developers\n';
}
