/* qemu-img compare (img_compare): exit 0 identical, 1 different, 2 error. */
import { QemuError } from '../util/error.js';
import type { BlockDriverState } from '../block/block-int.js';
import { chainBlockStatus } from '../block/block-status.js';
import { getopt, errorExit, imgOpen } from './img-common.js';
import type { Out } from './img-info.js';

const CHUNK = 2 * 1024 * 1024;
const SECTOR = 512;

/** Offset of the first differing 512-byte sector, or -1. */
function firstMismatch(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i - (i % SECTOR);
  return -1;
}

function firstNonZero(a: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return i - (i % SECTOR);
  return -1;
}

function withStatus(e: unknown, status: number): unknown {
  if (e instanceof QemuError) Object.assign(e, { exitCode: status });
  return e;
}

export async function imgCompare(argv: string[], out: Out): Promise<number> {
  const parsed = getopt(argv, ':hf:F:T:pqsU', {
    help: [false, 'h'], 'force-share': [false, 'U'], 'image-opts': [false, 'I'], object: [true, 'O'],
  });
  let fmt1: string | undefined;
  let fmt2: string | undefined;
  let strict = false;
  let quiet = false;
  for (const [k, v] of parsed.opts) {
    if (k === 'f') fmt1 = v;
    else if (k === 'F') fmt2 = v;
    else if (k === 's') strict = true;
    else if (k === 'q') quiet = true;
  }
  if (parsed.args.length !== 2) throw errorExit('Expecting two image file names');
  const print = (s: string): void => {
    if (!quiet) out(s);
  };
  let bs1: BlockDriverState | undefined;
  let bs2: BlockDriverState | undefined;
  try {
    bs1 = await imgOpen(parsed.args[0]!, fmt1, { readOnly: true });
    bs2 = await imgOpen(parsed.args[1]!, fmt2, { readOnly: true });
    const size1 = bs1.getLength();
    const size2 = bs2.getLength();
    if (size1 !== size2) {
      if (strict) {
        print('Strict mode: Image size mismatch!\n');
        return 1;
      }
    }
    const common = Math.min(size1, size2);
    const b1 = new Uint8Array(CHUNK);
    const b2 = new Uint8Array(CHUNK);
    for (let off = 0; off < common;) {
      const s1 = await chainBlockStatus(bs1, off, Math.min(CHUNK, common - off));
      const s2 = await chainBlockStatus(bs2, off, s1.len);
      const n = s2.len;
      if (strict && (s1.zero !== s2.zero || s1.data !== s2.data)) {
        print(`Strict mode: Offset ${off} block status mismatch!\n`);
        return 1;
      }
      if (!(s1.zero && s2.zero)) {
        await bs1.read(off, b1.subarray(0, n));
        await bs2.read(off, b2.subarray(0, n));
        const m = firstMismatch(b1.subarray(0, n), b2.subarray(0, n));
        if (m >= 0) {
          print(`Content mismatch at offset ${off + m}!\n`);
          return 1;
        }
      }
      off += n;
    }
    // Only once the common part matched does QEMU warn about the sizes.
    if (size1 !== size2) print('Warning: Image size mismatch!\n');
    const longer = size1 > size2 ? bs1 : bs2;
    for (let off = common; off < longer.getLength();) {
      const st = await chainBlockStatus(longer, off, Math.min(CHUNK, longer.getLength() - off));
      if (!st.zero) {
        await longer.read(off, b1.subarray(0, st.len));
        const m = firstNonZero(b1.subarray(0, st.len));
        if (m >= 0) {
          print(`Content mismatch at offset ${off + m}!\n`);
          return 1;
        }
      }
      off += st.len;
    }
    print('Images are identical.\n');
    return 0;
  } catch (e) {
    throw withStatus(e, 2);
  } finally {
    await bs1?.close();
    await bs2?.close();
  }
}
