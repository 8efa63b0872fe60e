/* qemu-img snapshot (img_snapshot). */
import { QemuError } from '../util/error.js';
import { Qcow2BDS } from '../block/qcow2/qcow2.js';
import { qcow2SnapshotCreate, qcow2SnapshotGoto, qcow2SnapshotDelete } from '../block/qcow2/qcow2-snapshot.js';
import { getopt, errorExit, imgOpen } from './img-common.js';
import { snapshotLine, type Out } from './img-info.js';

export async function imgSnapshot(argv: string[], out: Out): Promise<number> {
  const { opts, args } = getopt(argv, ':la:c:d:hqU', {
    help: [false, 'h'], object: [true, 'O'], 'image-opts': [false, 'I'], 'force-share': [false, 'U'],
  });
  let action: string | undefined;
  let name = '';
  for (const [k, v] of opts) {
    if ('lacd'.includes(k)) {
      if (action !== undefined) throw errorExit('Cannot mix \'-l\', \'-a\', \'-c\', \'-d\'');
      action = k;
      name = v;
    }
  }
  if (args.length !== 1) throw errorExit('Expecting one image file name');
  // No action given: qemu-img does nothing and succeeds.
  if (action === undefined) return 0;
  const bs = await imgOpen(args[0]!, undefined, { readOnly: action === 'l' });
  try {
    if (action === 'l') {
      if (bs instanceof Qcow2BDS && bs.snapshots.length > 0) {
        out('Snapshot list:\n' + snapshotLine() + '\n');
        for (const sn of bs.snapshots) out(snapshotLine(sn) + '\n');
      }
      return 0;
    }
    const verb = action === 'c' ? 'create' : action === 'a' ? 'apply' : 'delete';
    if (!(bs instanceof Qcow2BDS)) {
      throw new QemuError(`Could not ${verb} snapshot '${name}': -95 (Operation not supported)`);
    }
    try {
      if (action === 'c') await qcow2SnapshotCreate(bs, name);
      else if (action === 'a') await qcow2SnapshotGoto(bs, name);
      else await qcow2SnapshotDelete(bs, name);
    } catch (e) {
      if (e instanceof QemuError) throw new QemuError(`Could not ${verb} snapshot '${name}': ${e.message}`);
      throw e;
    }
    return 0;
  } finally {
    await bs.close();
  }
}
