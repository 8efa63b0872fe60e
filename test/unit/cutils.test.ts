/*
 * cutils: qemu_strtou64 / qemu_strtoi64 against glibc's strtoull/strtoll
 * (compiled with gcc here), and qemu_strtosz against qemu-system-x86_64
 * 7.2 itself: "-m 15E,maxmem=S" makes QEMU print the exact value of
 * qemu_strtosz(S) in hex ("maximum memory size (0x...)"), or its error for S.
 * Missing gcc or QEMU fails the test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  qemuStrtou64, qemuStrtoi64, qemuStrtoi, qemuStrtosz, qemuStrtoszMetric, qemuStrtoszMiB, EINVAL, ERANGE,
  idWellformed, parseQapiBool,
} from '../../src/util/cutils.js';
import { setStderrWriter } from '../../src/util/error.js';

const C_STRTO = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
int main(void) {
  char line[512];
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\\n")] = 0;
    int base = atoi(line);
    char *s = strchr(line, ' ') + 1, *end;
    errno = 0;
    unsigned long long u = strtoull(s, &end, base);
    int eu = errno; long endu = end - s;
    errno = 0;
    long long i = strtoll(s, &end, base);
    int ei = errno; long endi = end - s;
    printf("%llu %ld %d %lld %ld %d\\n", u, endu, eu, i, endi, ei);
  }
  return 0;
}
`;

const STRTO_INPUTS: [string, number][] = [];
for (const base of [0, 8, 10, 16]) {
  for (const s of ['0', '1', '-1', '+7', '  42', '\t-0x1f', '0x', '0X1G', '0x1g', '010', '09', '0b1', '', '-', '+', 'x',
    '18446744073709551615', '18446744073709551616', '-18446744073709551615', '-18446744073709551616',
    '9223372036854775807', '9223372036854775808', '-9223372036854775808', '-9223372036854775809',
    '0xffffffffffffffff', '0x10000000000000000', '777777777777777777777', '1777777777777777777777', '12abc', ' 0x 1',
    '9007199254740993', '00x5', '0xx5', '-0x8000000000000000', '+-1', '1e3', 'ff', 'FFz']) {
    STRTO_INPUTS.push([s, base]);
  }
}
// A deterministic spread of random strings over the characters that matter.
let seed = 12345;
const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
const ALPHABET = '0123456789abcdefxX+- \t';
for (let k = 0; k < 400; k++) {
  let s = '';
  const len = rnd(24);
  for (let j = 0; j < len; j++) s += ALPHABET[rnd(ALPHABET.length)];
  STRTO_INPUTS.push([s, [0, 8, 10, 16][rnd(4)]!]);
}

test('qemuStrtou64 / qemuStrtoi64 scan as glibc strtoull / strtoll', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsqemu-strto-'));
  writeFileSync(join(dir, 'strto.c'), C_STRTO);
  const cc = spawnSync('gcc', ['-O1', '-o', join(dir, 'strto'), join(dir, 'strto.c')], { encoding: 'utf8' });
  assert.equal(cc.status, 0, 'gcc must be installed (glibc is the oracle): ' + cc.stderr);
  const run = spawnSync(join(dir, 'strto'), {
    input: STRTO_INPUTS.map(([s, b]) => `${b} ${s}\n`).join(''), encoding: 'utf8',
  });
  assert.equal(run.status, 0);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, STRTO_INPUTS.length);
  STRTO_INPUTS.forEach(([s, base], i) => {
    const [u, endu, eu, v, endi, ei] = lines[i]!.split(' ');
    const ru = qemuStrtou64(s, base, true);
    const ri = qemuStrtoi64(s, base, true);
    const what = JSON.stringify([s, base]);
    // glibc leaves end at the start when nothing converts; QEMU then says -EINVAL.
    if (endu === '0') {
      assert.equal(ru.err, -EINVAL, what);
      assert.equal(ri.err, -EINVAL, what);
      return;
    }
    assert.equal(ru.text, u, what);
    assert.equal(String(ru.end), endu, what);
    assert.equal(ru.err, eu === '34' ? -ERANGE : 0, what);
    assert.equal(ru.exact, BigInt(u!) <= 2n ** 53n, what);
    assert.equal(ri.text, v, what);
    assert.equal(String(ri.end), endi, what);
    assert.equal(ri.err, ei === '34' ? -ERANGE : 0, what);
    // Without an end pointer (allowTrailing false), trailing characters are -EINVAL.
    const whole = qemuStrtou64(s, base);
    assert.equal(whole.err, ru.end < s.length ? -EINVAL : ru.err, what);
  });
});

test('qemuStrtoi clamps to a C int with -ERANGE', () => {
  // strtoll gives these values (checked above); QEMU's qemu_strtoi() range-checks them to int.
  assert.deepEqual([qemuStrtoi('2147483647').err, qemuStrtoi('2147483647').value], [0, 2147483647]);
  assert.deepEqual([qemuStrtoi('2147483648').err, qemuStrtoi('2147483648').value], [-ERANGE, 2147483647]);
  assert.deepEqual([qemuStrtoi('-2147483649').err, qemuStrtoi('-2147483649').value], [-ERANGE, -2147483648]);
  assert.equal(qemuStrtoi('0x10').value, 16);
  assert.equal(qemuStrtoi('010').value, 8);
});

/* Size strings: valid ones below 15 EiB, invalid ones, and the boundaries. */
const SIZES = [
  '0', '1', '1b', '1B', '1k', '1K', '1M', '1G', '1T', '1P', '1E', '14E', '1.5K', '1.9999K', '1.K', '1.', '0.5K', '.5K',
  '1.5', '1.0', '2.5B', '1.5e5', '1.5e', '1.5E', '0x10', '0x10K', '0X1f', '0x', '0x1.5G', '-1', '-0', ' 1G', '\t2M', '+1G',
  '1023.99951171875K', '1023.99951171874K', '14.999999999E', '1.00000000000000000001K', '0.00048828125K', '0.00048828124K',
  '12345678901234567890', '18446744073709551615', '99999999999999999999', '99999999999999999999G', '16E', '15.99999999999999999E',
  '1Q', '1KB', 'K', '', '1.5ee', '0x0.5', '00x5', '1;5K', '3.14159G', '7.0000001P', '9007199254740993', '0.000001E',
];

function qemuSize(s: string): { value?: bigint; err?: 'EINVAL' | 'ERANGE' | 'big'; warned: boolean } {
  const r = spawnSync('qemu-system-x86_64', ['-M', 'none', '-S', '-display', 'none', '-nodefaults', '-m', `15E,maxmem=${s}`],
    { encoding: 'utf8', timeout: 20000 });
  assert.notEqual(r.status, null, 'qemu-system-x86_64 must be installed and exit (it is the oracle)');
  const warned = r.stderr.includes('Using a multiplier suffix on hex numbers is deprecated');
  const m = /maximum memory size \(0x([0-9a-f]+)\)/.exec(r.stderr);
  if (m) return { value: BigInt('0x' + m[1]), warned };
  if (r.stderr.includes('expects a non-negative number below 2^64')) return { err: 'EINVAL', warned };
  if (r.stderr.includes('is out of range for parameter')) return { err: 'ERANGE', warned };
  // maxmem >= 15E: accepted, QEMU then fails to allocate 15 EiB.
  assert.match(r.stderr, /Cannot allocate memory/, s + ': ' + r.stderr);
  return { err: 'big', warned };
}

test('qemuStrtosz gives the values and errors of QEMU 7.2', () => {
  for (const s of SIZES) {
    const q = qemuSize(s);
    let warned = false;
    const old = setStderrWriter((t) => { warned ||= t.includes('Using a multiplier suffix on hex numbers is deprecated: ' + s); });
    let r;
    try {
      r = qemuStrtosz(s);
    } finally {
      setStderrWriter(old);
    }
    assert.equal(warned, q.warned, `${JSON.stringify(s)} warning`);
    if (q.value !== undefined) {
      assert.equal(r.err, 0, JSON.stringify(s));
      assert.equal(r.text, q.value.toString(), JSON.stringify(s));
      assert.equal(r.exact, q.value <= 2n ** 53n);
      if (r.exact) assert.equal(r.value, Number(q.value));
    } else if (q.err === 'big') {
      assert.equal(r.err, 0, JSON.stringify(s));
      assert.ok(BigInt(r.text) >= 15n << 60n, JSON.stringify(s));
    } else {
      assert.equal(r.err, q.err === 'EINVAL' ? -EINVAL : -ERANGE, JSON.stringify(s));
    }
  }
});

test('qemuStrtoszMiB / qemuStrtoszMetric change only the default unit and the base', () => {
  // By definition (util/cutils.c): MiB is the default unit, or 1000 replaces 1024.
  assert.equal(qemuStrtoszMiB('2048').value, 2048 * 1024 * 1024);
  assert.equal(qemuStrtoszMiB('1G').value, 1024 ** 3);
  assert.equal(qemuStrtoszMiB('1.5').value, 1.5 * 1024 * 1024);
  assert.equal(qemuStrtoszMetric('1.5k').value, 1500);
  assert.equal(qemuStrtoszMetric('12345k').value, 12345000);
  assert.equal(qemuStrtoszMetric('2G').value, 2e9);
  assert.equal(qemuStrtoszMetric('1.5').err, -EINVAL);
});

test('idWellformed and parseQapiBool accept what QEMU accepts', () => {
  // "-chardev null,id=X": 7.2 rejects 1a, -x, _a (checked in cli-oracle) and accepts a., a-b_c.d
  for (const id of ['a', 'a.', 'a-b_c.d', 'Z9']) assert.ok(idWellformed(id), id);
  for (const id of ['1a', '-x', '_a', '', 'a b', 'a,b', 'é']) assert.ok(!idWellformed(id), id);
  // qapi_bool_parse(): -name debug-threads=X
  for (const v of ['on', 'yes', 'true', 'y']) assert.equal(parseQapiBool(v), true);
  for (const v of ['off', 'no', 'false', 'n']) assert.equal(parseQapiBool(v), false);
  for (const v of ['1', '0', 'ON', 'On', '']) assert.equal(parseQapiBool(v), undefined);
});
