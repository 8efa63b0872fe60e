/*
 * Image locking as QEMU's file-posix does it (raw_apply_lock_bytes / raw_check_lock_bytes):
 * one-byte open-file-description locks whose layout QEMU defines, so that tsqemu and QEMU
 * exclude each other.  Byte 100+i is read-locked while this open holds permission i;
 * byte 200+i is read-locked while it refuses to share permission i.  A permission is
 * unavailable when another open holds a lock on the opposite byte (F_OFD_GETLK with F_WRLCK
 * finds it).  Node has no fcntl: the native addon provides it; without the addon,
 * locking=auto does nothing (as QEMU on a file system without OFD locks).
 */
import { QemuError } from '../util/error.js';
import { nativeAddon, type NativeAddon } from '../accel/kvm/kvm-native.js';

const RAW_LOCK_PERM_BASE = 100;
const RAW_LOCK_SHARED_BASE = 200;

/** BlockPermission bits (include/block/block-common.h), in bit order, with QEMU's names. */
const PERM_NAMES = ['consistent read', 'write', 'write unchanged', 'resize'];
export const BLK_PERM_CONSISTENT_READ = 1 << 0;
export const BLK_PERM_WRITE = 1 << 1;
export const BLK_PERM_WRITE_UNCHANGED = 1 << 2;
export const BLK_PERM_RESIZE = 1 << 3;
const BLK_PERM_ALL = 0xf;

export type LockingMode = 'on' | 'off' | 'auto';

interface OfdLockAddon {
  ofdLock(fd: number, getlk: boolean, type: number, start: number): number;
  readonly F_RDLCK: number;
  readonly F_WRLCK: number;
}

function lockAddon(mode: LockingMode): OfdLockAddon | undefined {
  if (mode === 'off') return undefined;
  const a = nativeAddon() as (NativeAddon & Partial<OfdLockAddon>) | undefined;
  if (a?.ofdLock) return a as OfdLockAddon;
  if (mode === 'on') throw new QemuError('OFD lock is not supported on this system', 'the native addon (native/) is not built');
  return undefined;
}

/**
 * Takes the lock bytes for `perm` (held) and the complement of `shared`, then checks that
 * no other open conflicts; throws QEMU's message when one does.  The locks live as long as
 * the open file description: closing the fd releases them.
 */
export function rawHandlePermLock(fd: number, filename: string, mode: LockingMode, perm: number, shared: number): void {
  const a = lockAddon(mode);
  if (!a) return;
  const hint = `Is another process using the image [${filename}]?`;
  for (let i = 0; i < PERM_NAMES.length; i++) {
    const bit = 1 << i;
    for (const [base, want] of [[RAW_LOCK_PERM_BASE, perm & bit], [RAW_LOCK_SHARED_BASE, ~shared & BLK_PERM_ALL & bit]]) {
      if (!want) continue;
      const r = a.ofdLock(fd, false, a.F_RDLCK, base + i);
      if (r < 0) throw new QemuError(`Failed to lock byte ${base + i}`, hint);
    }
  }
  for (let i = 0; i < PERM_NAMES.length; i++) {
    const bit = 1 << i;
    if ((perm & bit) && a.ofdLock(fd, true, a.F_WRLCK, RAW_LOCK_SHARED_BASE + i) < 0) {
      throw new QemuError(`Failed to get "${PERM_NAMES[i]}" lock`, hint);
    }
  }
  for (let i = 0; i < PERM_NAMES.length; i++) {
    const bit = 1 << i;
    if (!(shared & bit) && a.ofdLock(fd, true, a.F_WRLCK, RAW_LOCK_PERM_BASE + i) < 0) {
      throw new QemuError(`Failed to get shared "${PERM_NAMES[i]}" lock`, hint);
    }
  }
}
