/*
 * The first real guest: Debian's amd64 kernel with the busybox initramfs boots on the software
 * CPU with -smp 2 -m 512 -nographic, shows both CPUs, computes a SHA-256 in the guest (oracle:
 * the host's node:crypto over the same bytes), and powers off through ACPI; tsqemu exits 0.
 * The guest's boot log must hold no ACPI error, and the kernel must have found its CPUs in the
 * MADT (not the MP table).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { bootAndRun, linuxArgs, TSQEMU } from '../../bench/linux-boot.js';

const MIB = 4;

test('Debian kernel + busybox initramfs: 2 CPUs, a SHA-256 workload, poweroff (tsqemu exits 0)', { timeout: 900_000 }, async () => {
  const expect = createHash('sha256').update(Buffer.alloc(MIB << 20)).digest('hex');
  const run = await bootAndRun(TSQEMU, linuxArgs(2, 512), [
    'cat /sys/devices/system/cpu/online',
    `dd if=/dev/zero bs=1M count=${MIB} 2>/dev/null | sha256sum`,
    'poweroff',
  ], 840_000);
  const tail = run.output.slice(-3000);
  assert.ok(!Number.isNaN(run.markerMs), `no guest marker; console ends with:\n${tail}`);
  assert.equal(run.cpus, 2, 'CPUs the guest counts in /proc/cpuinfo');
  assert.match(run.replies[0] ?? '', /\b0-1\b/, 'online CPUs');
  assert.ok((run.replies[1] ?? '').includes(expect), `sha256sum in the guest: ${run.replies[1]}`);
  assert.match(run.output, /ACPI: MADT|ACPI: APIC 0x/, 'the kernel found the MADT');
  assert.doesNotMatch(run.output, /ACPI (BIOS )?Error|ACPI Warning|MP-table|SMP motherboard not detected/, 'ACPI errors or an MP-table fallback');
  assert.match(run.output, /smp: Brought up 1 node, 2 CPUs/);
  assert.equal(run.exitCode, 0, `tsqemu's exit status; console ends with:\n${tail}`);
});
