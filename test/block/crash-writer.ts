/*
 * Child process of crash.test.ts: writes to a qcow2 image until it is killed.  Before each
 * request it logs "W <off> <len> <value>" and after each completed flush "F", with
 * synchronous writes to a log file, so the parent knows what may and what must be on disk.
 * Usage: node crash-writer.js <image> <log> <seed>
 */
import { openSync, writeSync } from 'node:fs';
import { bdrvOpen } from '../../src/block/block.js';
import { prng } from './helpers.js';

const [image, logPath, seedArg] = process.argv.slice(2);
const log = openSync(logPath!, 'a');
const rnd = prng(Number(seedArg));
const { bs } = await bdrvOpen(image!, 'qcow2');
const size = bs.getLength();
writeSync(log, 'R\n');
for (let i = 0; ; i++) {
  // A batch of 1-4 concurrent requests, then sometimes a flush.
  const n = 1 + Math.floor(rnd() * 4);
  const reqs: Array<Promise<void>> = [];
  const batch: Array<[number, number]> = [];
  for (let k = 0; k < n; k++) {
    // Requests in flight together do not overlap: their relative order is undefined.
    const len = 1 + Math.floor(rnd() * (rnd() < 0.2 ? 200000 : 20000));
    let off = Math.floor(rnd() * (size - len));
    while (batch.some(([o, l]) => off < o + l && o < off + len)) off = Math.floor(rnd() * (size - len));
    batch.push([off, len]);
    const zero = rnd() < 0.1;
    const value = zero ? 0 : 1 + ((i * 7 + k) % 255);
    writeSync(log, `W ${off} ${len} ${value}\n`);
    reqs.push(zero ? bs.writeZeroes(off, len, rnd() < 0.5) : bs.write(off, new Uint8Array(len).fill(value)));
  }
  await Promise.all(reqs);
  if (rnd() < 0.3) {
    await bs.flush();
    writeSync(log, 'F\n');
  }
}
