/*
 * Loads tsqemu's native addon (native/), the syscalls KVM needs.  The addon is
 * built by `npm install`; when that failed, the reason was recorded and the
 * KVM accelerator reports it instead of starting.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

/** The addon's functions; failures return a negative errno (as the syscalls' -1/errno). */
export interface NativeAddon {
  open(path: string, flags: number): number;
  close(fd: number): number;
  ioctl(fd: number, request: number, arg?: number | ArrayBuffer | ArrayBufferView): number;
  mmap(length: number, prot: number, flags: number, fd: number, offset: number): ArrayBuffer | number;
  munmap(addr: number, length: number): number;
  addressOf(buffer: ArrayBuffer | ArrayBufferView): number;
  view(addr: number, length: number): ArrayBuffer;
  eventfd(initval: number, flags: number): number;
  eventfdRead(fd: number): number;
  eventfdWrite(fd: number, value: number): number;
  gettid(): number;
  setThreadName(name: string): number;
  initKickSignal(): number;
  kick(tid: number): number;
  pollStart(fd: number, events: number, cb: (status: number, events: number) => void): object | number;
  pollStop(handle: object): void;
  readonly PROT_READ: number;
  readonly PROT_WRITE: number;
  readonly MAP_SHARED: number;
  readonly MAP_PRIVATE: number;
  readonly MAP_ANONYMOUS: number;
  readonly MAP_NORESERVE: number;
  readonly O_RDWR: number;
  readonly EFD_NONBLOCK: number;
}

/** The repository root, found from this module's place in src/ or dist/src/. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'native'))) return dir;
    dir = resolve(dir, '..');
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
}

let addon: NativeAddon | undefined;
let loadError: string | undefined;

/** The addon, or undefined with nativeLoadError() telling why. */
export function nativeAddon(): NativeAddon | undefined {
  if (addon || loadError) return addon;
  const root = packageRoot();
  const file = join(root, 'native', 'build', 'Release', 'tsqemu_native.node');
  if (!existsSync(file)) {
    const errFile = join(root, 'native', 'build', 'build-error.txt');
    const why = existsSync(errFile)
      ? `${readFileSync(errFile, 'utf8').split('\n')[0]} (see ${errFile})`
      : 'it has not been built (run `npm run build:native`)';
    loadError = `the native addon ${file} is missing: ${why}`;
    return undefined;
  }
  try {
    addon = createRequire(import.meta.url)(file) as NativeAddon;
  } catch (e) {
    loadError = `the native addon ${file} cannot be loaded: ${(e as Error).message}`;
  }
  return addon;
}

export function nativeLoadError(): string | undefined {
  nativeAddon();
  return loadError;
}
