/*
 * -object (memory backends), -machine memory-backend=, -serial, -debugcon and -blockdev, run through our
 * binary and QEMU 7.2 side by side: the same stderr (program name replaced)
 * and exit status.  Lines that both accept keep running (-S) until killed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const TSQEMU = join(process.cwd(), 'bin', 'tsqemu-system-x86_64');
const QEMU = 'qemu-system-x86_64';
const BASE = ['-S', '-display', 'none', '-nodefaults'];

function run(bin: string, args: string[]): Promise<{ stderr: string; status: number | null }> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, [...BASE, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), 4000);
    p.on('error', reject);
    p.on('close', (code) => { clearTimeout(t); resolve({ stderr, status: code }); });
  });
}

const CASES: string[][] = [
  ['-M', 'none', '-object', 'foo,id=x'],
  ['-M', 'none', '-object', 'memory-backend-ram,size=1M'],
  ['-M', 'none', '-object', 'memory-backend-ram,id=m0'],
  ['-M', 'none', '-object', 'memory-backend-ram,id=m0,size=1M', '-object', 'memory-backend-ram,id=m0,size=1M'],
  ['-M', 'none', '-object', 'memory-backend-ram,id=m0,size=1M,bogus=1'],
  ['-M', 'none', '-object', 'memory-backend-ram,id=m0,size=x'],
  ['-M', 'none', '-object', 'memory-backend-ram,id=m0,size=0'],
  ['-M', 'none', '-object', 'memory-backend-ram,id=m0,size=1M,policy=foo'],
  ['-M', 'none', '-object', 'memory-backend-ram,id=m0,size=1M,merge=maybe'],
  ['-M', 'none', '-object', 'memory-backend-file,id=m,size=1M'],
  ['-M', 'none', '-object', '{"qom-type":"memory-backend-ram","id":"m","size":"1M"}'],
  ['-M', 'none', '-object', '{"qom-type":"memory-backend-ram","id":"m","size":1048576,"bogus":1}'],
  ['-M', 'pc,memory-backend=m1', '-m', '128'],
  ['-M', 'pc,memory-backend=m0', '-object', 'memory-backend-ram,id=m0,size=64M', '-m', '128'],
  // -serial and -debugcon chardevs, created with the late backends.
  ['-M', 'pc', '-serial', 'foo'],
  ['-M', 'pc', '-serial', 'file:/nonexistent-dir/x'],
  ['-M', 'pc', '-debugcon', 'foo'],
  // -blockdev, keyval and JSON.
  ['-M', 'none', '-blockdev', 'driver=qcow2,file.driver=file,file.filename=/nonexistent.qcow2'],
  ['-M', 'none', '-blockdev', 'driver=foo,node-name=x'],
  ['-M', 'none', '-blockdev', '{"driver":"raw","node-name":"r","file":{"driver":"file","filename":"/nonexistent"}}'],
  ['-M', 'none', '-blockdev', 'driver=raw,node-name=r,file.driver=file,file.filename=/nonexistent'],
];

test(`-object memory backends: ${CASES.length} command lines match QEMU 7.2`, async () => {
  const failures: string[] = [];
  for (const c of CASES) {
    const [q, o] = await Promise.all([run(QEMU, c), run(TSQEMU, c)]);
    assert.ok(!/spawn|ENOENT/.test(q.stderr), `${QEMU} must be installed`);
    const want = q.stderr.replace(/^qemu-system-x86_64:/gm, 'tsqemu-system-x86_64:');
    if (want !== o.stderr || q.status !== o.status) {
      failures.push(`${c.join(' ')}\n  qemu: ${JSON.stringify(want)} ${q.status}\n  ours: ${JSON.stringify(o.stderr)} ${o.status}`);
    }
  }
  assert.equal(failures.length, 0, failures.join('\n'));
});

test('-blockdev nodes open, and a device finds them by node-name', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { spawnSync } = await import('node:child_process');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'tsqemu-blockdev-'));
  try {
    const img = join(dir, 'd.qcow2');
    assert.equal(spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', img, '16M']).status, 0, 'qemu-img is required');
    const args = ['-M', 'pc', '-blockdev', `driver=qcow2,node-name=n0,file.driver=file,file.filename=${img}`,
      '-device', 'virtio-blk-pci,drive=n0'];
    // One after the other: each locks the image, as QEMU does.
    const q = await run(QEMU, args);
    const o = await run(TSQEMU, args);
    // QEMU runs (killed after the wait); we stop at the virtio-blk model, not at the drive.
    assert.equal(q.status, null, q.stderr);
    assert.match(o.stderr, /Device 'virtio-blk-pci' is not supported yet\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a memory backend appears at /objects/<id> and becomes the machine\'s RAM size', async () => {
  const { startWithQmp } = await import('../helpers/qmp-client.js');
  const vm = await startWithQmp(TSQEMU, [...BASE, '-M', 'pc,memory-backend=m0', '-object', 'memory-backend-ram,id=m0,size=256M']);
  try {
    assert.equal(await vm.qmp.execute('qom-get', { path: '/objects/m0', property: 'size' }), 256 * 1024 * 1024);
    assert.equal(await vm.qmp.execute('qom-get', { path: '/objects/m0', property: 'type' }), 'memory-backend-ram');
  } finally {
    await vm.stop();
  }
});
