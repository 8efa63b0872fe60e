#!/usr/bin/env node
// Boots the default guest (as scripts/run-default.sh does) and types each argument as a shell
// command, showing the console; the last command should power the guest off.
import { bootAndRun, linuxArgs, TSQEMU } from '../dist/bench/linux-boot.js';

const r = await bootAndRun(TSQEMU, linuxArgs(2, 512), process.argv.slice(2), 30 * 60_000);
process.stdout.write(`${r.output}\n`);
if (Number.isNaN(r.markerMs)) {
  console.error('run-default: the guest did not reach its shell');
  process.exit(1);
}
console.error(`run-default: shell after ${(r.markerMs / 1000).toFixed(1)} s; tsqemu exited with ${r.exitCode}`);
process.exit(r.exitCode ?? 1);
