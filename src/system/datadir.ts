/*
 * Firmware lookup (qemu_find_file with QEMU_FILE_TYPE_BIOS): a name with a slash is a path;
 * otherwise the -L directories are searched first, then the project's guest cache (filled by
 * scripts/fetch-guest.sh from Debian's seabios package), then Debian's QEMU firmware path.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dataDirs: string[] = [];

/** qemu_add_data_dir(): -L. */
export function qemuAddDataDir(dir: string): void {
  if (!dataDirs.includes(dir)) dataDirs.push(dir);
}

export function qemuFindFile(name: string): string | undefined {
  if (name.includes('/')) return existsSync(name) ? name : undefined;
  const dirs = [...dataDirs, join(repoRoot, '.cache', 'guest'), '/usr/share/qemu', '/usr/share/seabios'];
  for (const d of dirs) {
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}
