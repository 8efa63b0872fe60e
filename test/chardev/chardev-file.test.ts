/*
 * The file backend against QEMU 7.2: an HMP monitor on `-chardev file,...`
 * writes its banner and prompt into the file.  Existing content is truncated
 * by default and kept with append=on; `-monitor file:<path>` (the legacy
 * syntax) behaves the same.  The files must be equal (banner version aside).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addCompatMonitor, buildFixture } from '../monitor/fixture.js';
import { qemuChrFind, qemuChrFlushAll, qemuChrNewFromOpts } from '../../src/chardev/char.js';
import { qemuChrFeInit } from '../../src/chardev/char-fe.js';
import { monitorInitOpts } from '../../src/monitor/monitor-init.js';

const norm = (s: string): string => s.replace(/QEMU \d+\.\d+\.\d+ monitor/g, 'QEMU x.y.z monitor');

/** Runs QEMU until `path` holds the prompt, then stops it. */
async function qemuWrites(args: string[], path: string): Promise<string> {
  const p = spawn('qemu-system-x86_64', ['-display', 'none', '-nodefaults', '-machine', 'none', '-S', ...args],
    { stdio: 'ignore' });
  const exited = new Promise((r) => p.once('exit', r));
  const deadline = Date.now() + 10000;
  let content = '';
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    content = readFileSync(path, 'latin1');
    if (content.endsWith('(qemu) ')) break;
  }
  p.kill('SIGKILL');
  await exited;
  return content;
}

test('file chardev: truncates by default, appends with append=on, as QEMU 7.2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsqemu-file-'));
  try {
    const variants: Array<{ name: string; qemu: string[]; ours: () => Promise<void> }> = [
      {
        name: 'truncate',
        qemu: ['-chardev', `file,id=f,path=${dir}/q-truncate`, '-mon', 'chardev=f'],
        ours: async () => {
          qemuChrNewFromOpts({ backend: 'file', id: 'f', path: `${dir}/o-truncate` });
          monitorInitOpts({ chardev: 'f' });
        },
      },
      {
        name: 'append',
        qemu: ['-chardev', `file,id=f,path=${dir}/q-append,append=on`, '-mon', 'chardev=f'],
        ours: async () => {
          qemuChrNewFromOpts({ backend: 'file', id: 'f', path: `${dir}/o-append`, append: 'on' });
          monitorInitOpts({ chardev: 'f' });
        },
      },
      {
        name: 'compat',
        qemu: ['-monitor', `file:${dir}/q-compat`],
        ours: () => addCompatMonitor(`file:${dir}/o-compat`, 'readline'),
      },
    ];
    for (const v of variants) {
      writeFileSync(`${dir}/q-${v.name}`, 'OLD CONTENT\n');
      writeFileSync(`${dir}/o-${v.name}`, 'OLD CONTENT\n');
      const theirs = await qemuWrites(v.qemu, `${dir}/q-${v.name}`);
      const fx = buildFixture();
      try {
        await v.ours();
        await qemuChrFlushAll();
      } finally {
        fx.teardown();
      }
      const mine = readFileSync(`${dir}/o-${v.name}`, 'latin1');
      assert.equal(norm(mine), norm(theirs), v.name);
      assert.equal(theirs.startsWith('OLD CONTENT\n'), v.name === 'append');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file chardev: a frontend\'s writes land in order; logfile gets a copy', async () => {
  const fx = buildFixture();
  try {
    const path = join(fx.dir, 'out');
    const log = join(fx.dir, 'log');
    qemuChrNewFromOpts({ backend: 'file', id: 'f', path, logfile: log });
    const be = qemuChrFeInit(qemuChrFind('f')!, { canReceive: () => 0, receive: () => {} });
    let expected = '';
    for (let i = 0; i < 2000; i++) {
      const s = `line ${i}\n`;
      assert.equal(be.write(s), s.length);
      expected += s;
    }
    await qemuChrFlushAll();
    assert.equal(readFileSync(path, 'utf8'), expected);
    assert.equal(readFileSync(log, 'utf8'), expected);
  } finally {
    fx.teardown();
  }
});
