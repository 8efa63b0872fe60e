/*
 * Bad (and a few good) command lines run LIVE against qemu-system-x86_64
 * 7.2 and through our parse step (cli-harness.ts): stderr (program name
 * replaced), stdout and exit status must be identical.  A line that QEMU
 * accepts keeps it running (-S): after a short wait it is killed and counts
 * as "continues", which our side reports as status undefined.
 *
 * If qemu-system-x86_64 is missing the tests fail: they never skip.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { parseCommandLineForOracle } from './cli-harness.js';
import { createVlOptsLists } from '../../src/system/opts-lists.js';
import { qemuOptsHelpText } from '../../src/util/qemu-option.js';
import { versionText } from '../../src/system/version.js';

const QEMU = 'qemu-system-x86_64';
const BASE = ['-M', 'none', '-S', '-display', 'none', '-nodefaults'];
/* How long a line that QEMU accepts is left running before we call it "continues". */
const RUNNING_MS = 5000;

interface Run {
  stdout: string;
  stderr: string;
  status: number | undefined;
}

function runQemu(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(QEMU, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, RUNNING_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, status: killed ? undefined : code ?? undefined });
    });
  });
}

/* Runs QEMU on every argument list, a few at a time (each fast failure takes ~30 ms). */
async function runAll(argLists: string[][], parallel = 4): Promise<Run[]> {
  const out: Run[] = new Array(argLists.length);
  let next = 0;
  const worker = async () => {
    while (next < argLists.length) {
      const i = next++;
      out[i] = await runQemu(argLists[i]!);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return out;
}

/* Our name for QEMU's; our version lines for QEMU's (tsqemu names itself, on purpose). */
const rename = (s: string) => s.replace(/^qemu-system-x86_64:/gm, 'tsqemu-system-x86_64:')
  .replace(/^usage: qemu-system-x86_64 /m, 'usage: tsqemu-system-x86_64 ')
  .replace(/^QEMU emulator version 7\.2\..*\nCopyright \(c\) 2003-2022 .*\n/, versionText());

/* Each entry: the arguments after BASE. */
const CASES: string[][] = [
  // lookup_opt(): pass 1 and the x86 check of pass 2
  ['-foo'], ['--foo'], ['-m'], ['-rtc'], ['-foo', 'bar'], ['-'], ['--'], ['---m', '1G'], ['-nouserconfig'],
  ['-rtc', 'foo=bar', '-bogus'], ['-g', '800x600'], ['-semihosting'], ['-prom-env', 'x'], ['-old-param'],
  ['-rtc', 'foo=bar', '-g', '1'], ['--rtc', 'utc'],
  // -rtc (QemuOpts, merge_lists, no implied key)
  ['-rtc', 'utc'], ['-rtc', 'base=utc,id=x'], ['-rtc', 'base=utc,driftfix=slew,foo=bar'], ['-rtc', ',base=utc'],
  ['-rtc', '=utc'], ['-rtc', 'help'], ['-rtc', 'base=utc,?'], ['-rtc', 'noid'], ['-rtc', 'base=utc', '-rtc', 'clock=vm,x=y'],
  // -name
  ['-name', 'foo,debug-threads=1'], ['-name', 'foo,bar=1'], ['-name', 'guest=x,help'], ['-name', 'x,id=y'],
  // -m (sizes)
  ['-m', '0.5'], ['-m', '-1'], ['-m', '99999999999999999999'], ['-m', '16E'], ['-m', '99999999999999999999G'],
  ['-m', 'help'], ['-m', 'size=1,help'], ['-m', '1G,slots=x'], ['-m', '1G,slots=99999999999999999999'],
  ['-m', '1G,maxmem=1.5'], ['-m', '1G,foo=1'], ['-m', 'id=x'], ['-m', '0x1.5G'], ['-m', '1.5e5'], ['-m', '2.5B'],
  ['-m', '.5K'], ['-m', '1G,maxmem=0x'], ['-m', '1G,maxmem=1Q'],
  // -accel
  ['-accel', 'help'], ['-accel', 'id=1'], ['-accel', 'tcg,id=x', '-accel', 'kvm,id=x'],
  // -chardev
  ['-chardev', 'null,id=1a'], ['-chardev', 'null,id=a', '-chardev', 'null,id=a'], ['-chardev', 'null,id=a,bogus=1'],
  ['-chardev', 'socket,id=a,server=yes,wait=maybe'], ['-chardev', 'null,id=x,help'], ['-chardev', 'ringbuf,id=a,size=1x'],
  ['-chardev', 'socket,id=a,reconnect=-'], ['-chardev', 'null,id=_a'], ['-chardev', 'null,id=a b'],
  ['-name', 'x,debug-threads=ON'], ['-name', 'x,debug-threads='], ['-name', 'x,debug-threads=0'], ['-chardev', 'null,id=x,nomux,foo'], ['-chardev', 'socket,id=a,delay,x'],
  // -netdev, -nic, -net
  ['-netdev', 'user,id=1'], ['-netdev', 'user,id=a', '-netdev', 'user,id=a'], ['-netdev', '{"type":"user"'],
  ['-nic', 'user,id=9'], ['-net', 'nic,id=a.', '-net', 'user,id=a.'],
  // -device (QemuOpts or JSON)
  ['-device', '{"driver":"x",}'], ['-device', '{'], ['-device', '{"a":1} x'], ['-device', 'e1000,id=-x'],
  ['-device', '{"a":"\\ud800"}'], ['-device', '{"a":01}'], ['-device', '{"a":1,"a":2}'], ['-device', '{"a":"b'],
  ['-device', '{"a":[1 2]}'], ['-device', '{"a":1}{"b":2}'], ['-device', '{"a":%d}'], ['-device', '{"a":"\\u12"}'],
  ['-device', '{"a":"\\uffff"}'], ['-device', '{1:2}'],
  ['-device', '{"a":' + '['.repeat(1100)], ['-object', '{"a":' + '[{"b":'.repeat(600)],
  ['-device', '{"a":"b\nc"}'], ['-device', '{"a":1,\n"b":\t}'], ['-device', '{\u00e9}'], ['-device', '{"a":"\u00e9\\u00"}'],
  // -object
  ['-object', '{"qom-type":tru}'], ['-object', 'id=x'], ['-object', 'iothread,id=a', '-object', 'iothread,id=a'],
  // -drive, bare arguments
  ['-drive', 'file=x,id=1'], ['-drive', 'if=none,id=d', '-drive', 'if=none,id=d'],
  // -global, -set
  ['-global', 'driver=x'], ['-global', 'help'], ['-global', 'foo=bar'], ['-set', 'foo'], ['-set', 'bogus.x.y=z'],
  ['-set', 'drive.x.file=y'], ['-chardev', 'null,id=c', '-set', 'chardev.c.bogus=1'],
  ['-chardev', 'null,id=c', '-set', 'chardev.c.mux=2'], ['-set', 'x'.repeat(70) + '.a.b=1'],
  ['-global', 'x'.repeat(70) + '.prop=1'], ['-global', 'drv.' + 'p'.repeat(70) + '=1'], ['-set', 'rtc..b=1'],
  // -msg, -overcommit, -action, -add-fd
  ['-msg', 'timestamp=1'], ['-msg', 'help'], ['-overcommit', 'help'], ['-overcommit', 'mem-lock=x'],
  ['-action', 'help'], ['-action', 'id=x'], ['-add-fd', '3'], ['-add-fd', 'fd=x'], ['-add-fd', 'fd=3,set=1,opaque=x,help'],
  // -icount, -mon, -trace, -fw_cfg, -option-rom, -numa, -sandbox, -vnc
  ['-icount', 'shift=1,align=2'], ['-icount', 'shift=1,help'], ['-mon', 'chardev=x,pretty=2'], ['-trace', 'enable=x,help'],
  ['-fw_cfg', 'name=x,help'], ['-option-rom', 'bootindex=1'], ['-option-rom', 'x,bootindex=y'], ['-numa', 'node,id=1x'],
  ['-sandbox', '1'], ['-sandbox', 'on,help'], ['-vnc', ':0,help'], ['-vnc', ':0,to=x'], ['-vnc', ':0,lossy=maybe'],
  // -machine (keyval)
  ['-M', 'pc,usb'], ['-M', 'pc,,x'], ['-M', 'none,foo.1=a'], ['-M', 'none,foo.a=1,foo=2'], ['-M', 'none,foo=2,foo.a=1'],
  ['-M', 'none,1a=b'], ['-M', 'none,=x'], ['-M', 'none,a..b=1'], ['-M', 'none,a.0=x,a.b=y'],
  ['-M', 'none,' + 'x'.repeat(130) + '=1'], ['-M', 'none,a.' + 'x'.repeat(130) + '=1'],
  ['-M', 'none,kernel_irqchip=on,kernel-irqchip=off'], ['-M', 'x.y=1', '-M', 'x=2'], ['-M', 'none,a.b'],
  ['-M', 'none,a.1=x,a.0=y,a.3=z'], ['-machine', 'none,a-=1,a.-b=2'], ['-M', 'none,__com.x_y=1,9=2'],
  ['-M', 'none,a\nb=1'], ['-rtc', 'base=utc,\u00e9=1'],
  // -smp, -boot (keyval into the machine dict)
  ['-smp', '2,cpus'], ['-smp', 'help'], ['-smp', 'cpus=2,help'], ['-smp', '2,,3'], ['-boot', 'help'],
  ['-boot', 'c,menu'], ['-boot', 'order=c,help'],
  // help and version
  ['-h'], ['-help'], ['--version'],
];

/* Lines QEMU accepts at this step (it carries on); warnings must still match. */
const ACCEPTED: string[][] = [
  ['-name', 'x,process'], ['-rtc', 'base=utc,clock=host'], ['-chardev', 'null,id=c0', '-name', 'foo,,bar'],
  ['-object', 'memory-backend-ram,id=m,size=1M,share'], ['-m', '1G,maxmem=2G,slots=0x2', '-smp', '1,sockets=1'],
  ['-name', 'x,debug-threads=y', '-msg', 'timestamp=no,guest-name=true', '-overcommit', 'mem-lock=false'],
];

test(`CLI parse step matches qemu-system-x86_64 7.2 on ${CASES.length} bad and ${ACCEPTED.length} good command lines`, async () => {
  const v = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  assert.equal(v.status, 0, `${QEMU} must be installed (it is the oracle)`);
  assert.match(v.stdout, /version 7\.2\./);

  const all = [...CASES, ...ACCEPTED];
  // The accepted lines only wait for RUNNING_MS: they run beside the pool.
  const [bad, good] = await Promise.all([
    runAll(CASES.map((c) => [...BASE, ...c])),
    Promise.all(ACCEPTED.map((c) => runQemu([...BASE, ...c]))),
  ]);
  const runs = [...bad, ...good];
  const failures: string[] = [];
  all.forEach((c, i) => {
    const q = runs[i]!;
    // Keep the two groups honest: the bad lines stop QEMU, the good ones do not.
    if ((q.status === undefined) !== (i >= CASES.length)) failures.push(`${JSON.stringify(c)}: misfiled, QEMU status ${q.status}`);
    const ours = parseCommandLineForOracle(['tsqemu-system-x86_64', ...BASE, ...c]);
    const want = { stderr: rename(q.stderr), stdout: rename(q.stdout), status: q.status };
    try {
      assert.deepEqual(ours, want);
    } catch {
      failures.push(`${JSON.stringify(c)}\n  qemu: ${JSON.stringify(want)}\n  ours: ${JSON.stringify(ours)}`);
    }
  });
  assert.equal(failures.length, 0, failures.join('\n'));
});

/* Every QemuOptsList with keys: "help" lists them exactly as 7.2 does. */
const HELP_PROBES: [string, string[]][] = [
  ['rtc', ['-rtc', 'help']], ['name', ['-name', 'guest=x,help']], ['memory', ['-m', 'size=1,help']],
  ['icount', ['-icount', 'shift=1,help']], ['option-rom', ['-option-rom', 'romfile=x,help']],
  ['fw_cfg', ['-fw_cfg', 'name=x,help']], ['mon', ['-mon', 'chardev=x,help']], ['add-fd', ['-add-fd', 'fd=3,help']],
  ['sandbox', ['-sandbox', 'on,help']], ['vnc', ['-vnc', ':0,help']], ['trace', ['-trace', 'enable=x,help']],
  ['global', ['-global', 'help']], ['msg', ['-msg', 'help']], ['overcommit', ['-overcommit', 'help']],
  ['action', ['-action', 'help']], ['smp-opts', ['-smp', 'help']], ['boot-opts', ['-boot', 'help']],
  ['chardev', ['-chardev', 'null,id=x,help']],
];

test('the desc lists of the option groups print the same help as 7.2', async () => {
  const lists = createVlOptsLists();
  const runs = await runAll(HELP_PROBES.map(([, args]) => [...BASE, ...args]));
  HELP_PROBES.forEach(([name], i) => {
    assert.equal(qemuOptsHelpText(lists.get(name)!, true), runs[i]!.stdout, name);
  });
});
