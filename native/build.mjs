#!/usr/bin/env node
// Builds the native addon with node-gyp during `npm install`.  A failure never
// fails the install: TCG does not need the addon, and the KVM accelerator
// reports the recorded reason (native/build/build-error.txt) when it is asked for.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const buildDir = join(here, 'build');
const errorFile = join(buildDir, 'build-error.txt');
const addon = join(buildDir, 'Release', 'tsqemu_native.node');
const force = process.argv.includes('--force');

function nodeGypScript() {
  // npm hands its bundled node-gyp to lifecycle scripts; outside npm, look beside node.
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((p) => p && existsSync(p));
}

function fail(reason) {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(errorFile, reason.endsWith('\n') ? reason : reason + '\n');
  console.warn(`tsqemu: the native addon (needed only by the KVM accelerator) was not built: ${reason.split('\n')[0]}`);
  process.exit(0);
}

if (!force && existsSync(addon)) process.exit(0);
if (process.platform !== 'linux') fail(`KVM needs Linux, this is ${process.platform}`);
const gyp = nodeGypScript();
if (!gyp) fail('node-gyp was not found (it comes with npm)');
const args = [gyp, 'rebuild', '--directory', here];
// Node's headers installed with node itself: no download (this machine reaches no header mirror).
const prefix = join(dirname(process.execPath), '..');
if (existsSync(join(prefix, 'include', 'node', 'common.gypi'))) args.push(`--nodedir=${prefix}`);
rmSync(errorFile, { force: true });
const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
if (r.status !== 0 || !existsSync(addon)) {
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
  fail(`node-gyp rebuild failed (exit ${r.status ?? r.signal})\n${out}`);
}
