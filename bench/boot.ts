/*
 * npm run bench:boot — the default guest (Debian kernel + busybox initramfs, -smp 2 -m 512) booted
 * to its shell marker on QEMU 7.2 TCG (-machine pc) and on tsqemu, side by side in one run: both
 * wall times, their ratio, and tsqemu's peak RSS.  Each guest is powered off from its shell.
 * `--guest-decompress` adds a tsqemu run with the host-decompression fast path off
 * (TSQEMU_LINUXBOOT_HOST_DECOMPRESS=0), the kernel decompressing itself as under QEMU.
 */
import { spawnSync } from 'node:child_process';
import { bootAndRun, linuxArgs, TSQEMU, type BootRun } from './linux-boot.js';

const SMP = 2, MEM = 512;
const TIMEOUT_MS = 20 * 60_000;

function need(cmd: string): void {
  if (spawnSync(cmd, ['--version']).error) throw new Error(`${cmd} is required (scripts/setup.sh installs it)`);
}

async function measure(label: string, cmd: string, args: string[], env = process.env): Promise<BootRun> {
  const r = await bootAndRun(cmd, args, ['poweroff'], TIMEOUT_MS, env);
  if (Number.isNaN(r.markerMs)) {
    throw new Error(`${label}: the guest never printed its marker; console ends with:\n${r.output.slice(-2000)}`);
  }
  process.stderr.write(`${label}: marker after ${(r.markerMs / 1000).toFixed(1)} s, ${r.cpus} CPU(s), exit ${r.exitCode}\n`);
  return r;
}

async function main(): Promise<void> {
  need('qemu-system-x86_64');
  const guestDecompress = process.argv.includes('--guest-decompress');
  const qemu = await measure('QEMU 7.2 TCG', 'qemu-system-x86_64', linuxArgs(SMP, MEM, ['-accel', 'tcg']));
  const ts = await measure('tsqemu', TSQEMU, linuxArgs(SMP, MEM));
  const slow = guestDecompress
    ? await measure('tsqemu (guest decompresses)', TSQEMU, linuxArgs(SMP, MEM), { ...process.env, TSQEMU_LINUXBOOT_HOST_DECOMPRESS: '0' })
    : undefined;
  const row = (name: string, r: BootRun): string =>
    `| ${name} | ${(r.markerMs / 1000).toFixed(1)} s | ${(r.markerMs / qemu.markerMs).toFixed(1)}× | ${(r.peakRssKb / 1024).toFixed(0)} MiB |`;
  console.log(`Boot to the shell marker: Debian ${/tsqemu guest: ([^,\s]+)/.exec(ts.output)?.[1] ?? ''}, -smp ${SMP} -m ${MEM}`);
  console.log('| emulator | wall time to marker | vs QEMU | peak RSS |');
  console.log('|---|---|---|---|');
  console.log(row('QEMU 7.2 TCG (SeaBIOS, linuxboot_dma)', qemu));
  console.log(row('tsqemu (host-decompressed kernel)', ts));
  if (slow) console.log(row('tsqemu (kernel decompresses itself)', slow));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
