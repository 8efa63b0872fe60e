/*
 * Firmware lookup (qemu_find_file with QEMU_FILE_TYPE_BIOS): the name as a path first, then in
 * the -L directories, the project's guest cache (filled by scripts/fetch-guest.sh from Debian's
 * seabios package) and Debian's QEMU firmware path.
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
  if (existsSync(name)) return name;
  const dirs = [...dataDirs, join(repoRoot, '.cache', 'guest'), '/usr/share/qemu', '/usr/share/seabios'];
  for (const d of dirs) {
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}
