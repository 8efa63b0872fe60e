import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QemuError, errorInit, withLoc } from '../../src/util/error.js';

// Format from QEMU's util/error-report.c: "<prog>: <loc>: <msg>" then hint lines.
test('QemuError formats prog, location and hint as QEMU does', () => {
  errorInit('/usr/bin/tsqemu-system-x86_64');
  const e = withLoc('-rtc utc', () => new QemuError("Invalid parameter 'utc'"));
  assert.equal(e.format(), "tsqemu-system-x86_64: -rtc utc: Invalid parameter 'utc'\n");
  const h = new QemuError('unsupported machine type', 'Use -machine help to list supported machines');
  assert.equal(h.format(), 'tsqemu-system-x86_64: unsupported machine type\nUse -machine help to list supported machines\n');
});
