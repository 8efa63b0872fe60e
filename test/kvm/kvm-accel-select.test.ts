import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KVM_SKIP, requireKvmTools } from './kvm-helpers.js';

// Oracle: real QEMU 7.2 run in the same mount namespace, where /dev/kvm is
// either absent (tmpfs over /dev) or not a KVM device (/dev/null bound over
// it).  Both print their lines to stderr; tsqemu must print the same ones.
requireKvmTools();

const child = fileURLToPath(new URL('./kvm-accel-child.js', import.meta.url));

/** Runs `cmd` in a private mount namespace after `setup` (shell) ran there. */
function inNamespace(setup: string, cmd: string[], input = ''): { stderr: string; stdout: string; status: number | null } {
  const quoted = cmd.map((a) => `'${a}'`).join(' ');
  const r = spawnSync('unshare', ['-m', 'sh', '-c', `${setup} && exec ${quoted}`], { encoding: 'utf8', timeout: 30000, input });
  if (r.error) throw new Error(`unshare cannot run: ${r.error.message}`);
  return { stderr: r.stderr, stdout: r.stdout, status: r.status };
}

function qemu(setup: string, accel: string): string {
  // Stopped (-S), then `quit` on the monitor: QEMU prints the accelerator lines and exits.
  const r = inNamespace(setup, ['timeout', '20', 'qemu-system-x86_64', '-M', `none,accel=${accel}`, '-display', 'none', '-S', '-monitor', 'stdio', '-nodefaults'], 'quit\n');
  return r.stderr.split('\n').filter((l) => !/terminating on signal/.test(l)).join('\n');
}

const cases: Array<[string, string, string]> = [
  ['/dev/kvm missing', 'mount -t tmpfs none /dev', 'kvm:tcg'],
  ['/dev/kvm not a KVM device', 'mount --bind /dev/null /dev/kvm', 'kvm:tcg'],
  ['/dev/kvm missing, kvm only', 'mount -t tmpfs none /dev', 'kvm'],
];

for (const [what, setup, accel] of cases) {
  test(`accel=${accel} with ${what}: QEMU's lines`, () => {
    const expected = qemu(setup, accel);
    assert.match(expected, /failed to initialize kvm/);
    const r = inNamespace(setup, [process.execPath, child, accel]);
    assert.equal(r.stderr, expected);
    if (accel === 'kvm:tcg') assert.equal(r.stdout, 'accelerator: tcg\n');
    else assert.equal(r.status, 1);
  });
}

test('accel=kvm:tcg with a usable /dev/kvm selects KVM without a line', { skip: KVM_SKIP }, () => {
  const r = spawnSync(process.execPath, [child, 'kvm:tcg'], { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'accelerator: KVM\n');
});

test('without the native addon (its build failed), KVM says why and kvm:tcg falls back to TCG', { skip: KVM_SKIP }, () => {
  // A copy of the built tree whose native/ only holds the build's failure record.
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'tsqemu-noaddon-'));
  try {
    cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true });
    cpSync(join(root, 'package.json'), join(dir, 'package.json'));
    mkdirSync(join(dir, 'native', 'build'), { recursive: true });
    writeFileSync(join(dir, 'native', 'build', 'build-error.txt'), 'node-gyp rebuild failed (exit 1)\n');
    const r = spawnSync(process.execPath, [join(dir, 'dist', 'test', 'kvm', 'kvm-accel-child.js'), 'kvm:tcg'], { encoding: 'utf8', timeout: 30000 });
    const addon = join(dir, 'native', 'build', 'Release', 'tsqemu_native.node');
    assert.equal(r.stderr,
      `qemu-system-x86_64: the KVM accelerator needs tsqemu's native addon: the native addon ${addon} is missing: ` +
      `node-gyp rebuild failed (exit 1) (see ${join(dir, 'native', 'build', 'build-error.txt')})\n` +
      'qemu-system-x86_64: failed to initialize kvm: Function not implemented\n' +
      'qemu-system-x86_64: falling back to tcg\n');
    assert.equal(r.stdout, 'accelerator: tcg\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
