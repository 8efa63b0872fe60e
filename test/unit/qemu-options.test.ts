/*
 * The option table and the argv walk, against qemu-system-x86_64 7.2:
 * every option of the table is run alone to see that QEMU knows it, that it
 * takes an argument exactly when the table says so, and that it is refused
 * on x86 exactly when the table says so.  The -h text is compared in
 * test/oracle/cli-oracle.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  QEMU_OPTIONS, findOption, lookupOpt, optionAvailableOnX86, qemuOptionsPass1, qemuOptionsPass2, qemuOptionsWalk,
  bareDriveOptstr, qemuHelpText,
} from '../../src/system/qemu-options.js';
import { QemuError, errorInit, withLoc } from '../../src/util/error.js';
import { createVlOptsLists } from '../../src/system/opts-lists.js';
import { qemuOptsParseNoisily, qemuOptsForeach, qemuOptGet } from '../../src/util/qemu-option.js';

const QEMU = 'qemu-system-x86_64';

function run(args: string[]): Promise<{ stderr: string; status: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(QEMU, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.on('error', reject);
    child.on('close', (status) => { clearTimeout(timer); resolve({ stderr, status }); });
  });
}

async function runAll(argLists: string[][]): Promise<{ stderr: string; status: number | null }[]> {
  const out: { stderr: string; status: number | null }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < argLists.length) {
      const i = next++;
      out[i] = await run(argLists[i]!);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return out;
}

test('every option of the table: known to 7.2, argument and x86 availability as QEMU has them', async () => {
  /*
   * An option with an argument, given last, fails pass 1 with "requires an
   * argument".  One without, followed by an unknown option, lets pass 1 reach
   * that one ("invalid option").  Pass 2 then refuses a non-x86 option first.
   */
  const probes = QEMU_OPTIONS.map((o) => {
    if (!optionAvailableOnX86(o)) return o.hasArg ? [`-${o.name}`, 'x'] : [`-${o.name}`];
    return o.hasArg ? [`-${o.name}`] : [`-${o.name}`, '-zz-not-an-option'];
  });
  const results = await runAll(probes);
  QEMU_OPTIONS.forEach((o, i) => {
    const { stderr, status } = results[i]!;
    const expected = !optionAvailableOnX86(o)
      ? `${QEMU}: ${probes[i]!.join(' ')}: Option not supported for this target\n`
      : o.hasArg ? `${QEMU}: -${o.name}: requires an argument\n` : `${QEMU}: -zz-not-an-option: invalid option\n`;
    assert.equal(stderr, expected, o.name);
    assert.equal(status, 1, o.name);
  });
});

test('lookupOpt: --opt is -opt, messages and locations of QEMU', () => {
  errorInit(QEMU);
  const argv = ['qemu', '--m', '1G', '-S', '-rtc'];
  const m = lookupOpt(argv, 1);
  assert.deepEqual([m.option.name, m.arg, m.next, m.loc], ['m', '1G', 3, '--m 1G']);
  const s = lookupOpt(argv, 3);
  assert.deepEqual([s.option.name, s.arg, s.next, s.loc], ['S', undefined, 4, '-S']);
  assert.throws(() => lookupOpt(argv, 4), (e: QemuError) => e.format() === `${QEMU}: -rtc: requires an argument\n`);
  assert.throws(() => lookupOpt(['q', '-nope'], 1), (e: QemuError) => e.format() === `${QEMU}: -nope: invalid option\n`);
  assert.equal(findOption('machine')?.hasArg, true);
  assert.equal(findOption('nouserconfig'), undefined); // 7.2 spells it -no-user-config
});

test('the two passes: pass 1 finds -no-user-config and bad options first; pass 2 is lazy', () => {
  assert.deepEqual(qemuOptionsPass1(['q', '-no-user-config', 'disk.img']), { userconfig: false });
  assert.deepEqual(qemuOptionsPass1(['q', 'disk.img']), { userconfig: true });
  // An invalid option after a bad -rtc is reported first (pass 1), as cli-oracle checks.
  assert.throws(() => qemuOptionsWalk(['q', '-rtc', 'bad', '-bogus']), { message: 'invalid option' });
  // Pass 2 yields the earlier items before it refuses a non-x86 option.
  const it = qemuOptionsPass2(['q', 'a,b.img', '-m', '1G', '-g', '1x1']);
  const first = it.next().value!;
  assert.deepEqual([first.name, first.arg, first.bare, first.loc, first.index], ['drive', 'a,b.img', true, 'a,b.img', 1]);
  const second = it.next().value!;
  assert.deepEqual([second.name, second.arg, second.bare, second.loc, second.index], ['m', '1G', false, '-m 1G', 2]);
  assert.throws(() => it.next(), { message: 'Option not supported for this target' });
  // drive_add(IF_DEFAULT, 0, file, "media=disk") as one -drive string.
  assert.equal(bareDriveOptstr('a,b.img'), 'index=0,media=disk,file=a,,b.img');
});

test('qemuHelpText starts with the usage lines and lists x86 options only', () => {
  const t = qemuHelpText('tsqemu-system-x86_64');
  assert.ok(t.startsWith("usage: tsqemu-system-x86_64 [options] [disk_image]\n\n'disk_image' is a raw hard disk image"));
  assert.ok(t.includes('\n-win2k-hack     '));
  assert.ok(!t.includes('\n-g '));
  assert.ok(t.endsWith('More information on the QEMU project at <https://qemu.org>.\n'));
});

test('a bare argument is -drive index=0,media=disk,file=<arg>, reported at the argument itself', () => {
  errorInit(QEMU);
  const arg = '/nonexistent/a,b.img';
  const q = spawnSync(QEMU, ['-M', 'none', '-S', '-display', 'none', '-nodefaults', arg], { encoding: 'utf8', timeout: 20000 });
  assert.equal(q.status, 1, `${QEMU} must be installed`);
  const drive = createVlOptsLists().get('drive')!;
  for (const item of qemuOptionsWalk(['q', arg])) {
    withLoc(item.loc, () => qemuOptsParseNoisily(drive, bareDriveOptstr(item.arg!), false));
  }
  let msg = '';
  qemuOptsForeach(drive, (o) => {
    assert.deepEqual([qemuOptGet(o, 'index'), qemuOptGet(o, 'media')], ['0', 'disk']);
    msg = new QemuError(`Could not open '${qemuOptGet(o, 'file')}': No such file or directory`).format();
    return 1;
  });
  assert.equal(msg, q.stderr);
});
