export const TSQEMU_VERSION = '0.1.0';
/** The QEMU release whose behaviour, messages and machine types we follow. */
export const QEMU_COMPAT_VERSION = '7.2.0';

/** What -version prints (QEMU prints "QEMU emulator version …" and its copyright line). */
export function versionText(): string {
  return `tsqemu emulator version ${TSQEMU_VERSION} (QEMU ${QEMU_COMPAT_VERSION} compatible)\n` +
    'Copyright (c) 2026 the tsqemu developers\n';
}
