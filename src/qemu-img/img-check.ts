/* qemu-img check (img_check, collect_image_check, dump_human_image_check). */
import { QemuError } from '../util/error.js';
import { Qcow2BDS } from '../block/qcow2/qcow2.js';
import { qcow2Check, BDRV_FIX_ERRORS, BDRV_FIX_LEAKS, type BdrvCheckResult } from '../block/qcow2/qcow2-check.js';
import { getopt, errorExit, imgOpen } from './img-common.js';
import { toJsonPretty } from './qdict-json.js';
import type { Out } from './img-info.js';

function dumpHuman(r: BdrvCheckResult, out: Out): void {
  if (r.corruptions === 0 && r.leaks === 0 && r.checkErrors === 0) {
    out('No errors were found on the image.\n');
  } else {
    if (r.corruptions) {
      out(`\n${r.corruptions} errors were found on the image.\nData may be corrupted, or further writes to the image may corrupt it.\n`);
    }
    if (r.leaks) {
      out(`\n${r.leaks} leaked clusters were found on the image.\nThis means waste of disk space, but no harm to data.\n`);
    }
    if (r.checkErrors) out(`\n${r.checkErrors} internal errors have occurred during the check.\n`);
  }
  if (r.totalClusters !== 0 && r.allocatedClusters !== 0) {
    const pct = (a: number, b: number): string => ((a * 100) / b).toFixed(2);
    out(`${r.allocatedClusters}/${r.totalClusters} = ${pct(r.allocatedClusters, r.totalClusters)}% allocated, ` +
      `${pct(r.fragmentedClusters, r.allocatedClusters)}% fragmented, ${pct(r.compressedClusters, r.allocatedClusters)}% compressed clusters\n`);
  }
  if (r.imageEndOffset) out(`Image end offset: ${r.imageEndOffset}\n`);
}

function toQapi(r: BdrvCheckResult, filename: string, format: string): Record<string, unknown> {
  const nz = (v: number): number | undefined => (v !== 0 ? v : undefined);
  return {
    filename,
    format,
    'check-errors': r.checkErrors,
    'image-end-offset': nz(r.imageEndOffset),
    corruptions: nz(r.corruptions),
    leaks: nz(r.leaks),
    'corruptions-fixed': nz(r.corruptionsFixed),
    'leaks-fixed': nz(r.leaksFixed),
    'total-clusters': nz(r.totalClusters),
    'allocated-clusters': nz(r.allocatedClusters),
    'fragmented-clusters': nz(r.fragmentedClusters),
    'compressed-clusters': nz(r.compressedClusters),
  };
}

export async function imgCheck(argv: string[], out: Out, err: Out): Promise<number> {
  const { opts, args } = getopt(argv, ':hf:r:T:qU', {
    help: [false, 'h'], format: [true, 'f'], repair: [true, 'r'], output: [true, 'o'],
    'force-share': [false, 'U'], 'image-opts': [false, 'I'], object: [true, 'O'],
  });
  let fmt: string | undefined;
  let fix = 0;
  let output = 'human';
  let quiet = false;
  for (const [k, v] of opts) {
    if (k === 'f') fmt = v;
    else if (k === 'r') {
      if (v === 'leaks') fix = BDRV_FIX_LEAKS;
      else if (v === 'all') fix = BDRV_FIX_LEAKS | BDRV_FIX_ERRORS;
      else throw errorExit(`Unknown option value for -r (expecting 'leaks' or 'all'): ${v}`);
    } else if (k === 'o') output = v;
    else if (k === 'q') quiet = true;
  }
  if (args.length !== 1) throw errorExit('Expecting one image file name');
  if (output !== 'human' && output !== 'json') throw new QemuError('--output must be used with human or json as argument.');
  const filename = args[0]!;
  const bs = await imgOpen(filename, fmt, { readOnly: fix === 0, noRepair: true });
  try {
    if (!(bs instanceof Qcow2BDS)) {
      if (output === 'json') return 63;
      throw Object.assign(new QemuError('This image format does not support checks'), { exitCode: 63 });
    }
    const log = (l: string): void => err(l + '\n');
    let r = await qcow2Check(bs, fix, log);
    if (r.corruptionsFixed || r.leaksFixed) {
      if (output === 'human' && !quiet) {
        out(`The following inconsistencies were found and repaired:\n\n    ${r.leaksFixed} leaked clusters\n    ${r.corruptionsFixed} corruptions\n\nDouble checking the fixed image now...\n`);
      }
      const fixed = r;
      bs.refcounts.invalidate();
      bs.dropCaches();
      r = await qcow2Check(bs, 0, log);
      r.leaksFixed = fixed.leaksFixed;
      r.corruptionsFixed = fixed.corruptionsFixed;
    }
    if (output === 'json') out(toJsonPretty(toQapi(r, filename, bs.drvName)) + '\n');
    else if (!quiet) dumpHuman(r, out);
    if (r.checkErrors) return 1;
    if (r.corruptions) return 2;
    if (r.leaks) return 3;
    return 0;
  } finally {
    await bs.close();
  }
}
