export const TSQEMU_VERSION = '0.1.0';
/** The QEMU release whose behaviour, messages and machine types we follow. */
export const QEMU_COMPAT_VERSION = '7.2.0';
