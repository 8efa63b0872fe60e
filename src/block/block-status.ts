/*
 * Block status through a backing chain (bdrv_block_status_above), as qemu-img map,
 * convert and compare use it.
 */
import type { BlockDriverState } from './block-int.js';

export interface ChainStatus {
  len: number;
  /** Index in the chain of the layer that answered (0: the top). */
  depth: number;
  /** Allocated in some layer (BDRV_BLOCK_ALLOCATED). */
  present: boolean;
  zero: boolean;
  data: boolean;
  /** Host offset, when the data sits uncompressed in `fileBs`. */
  offset?: number;
  /** The node whose file holds the data. */
  layer: BlockDriverState;
}

/** Status of [offset, offset+len) looking down from `top`, stopping above `base` if given. */
export async function chainBlockStatus(
  top: BlockDriverState, offset: number, len: number, base?: BlockDriverState,
): Promise<ChainStatus> {
  let depth = 0;
  let cur: BlockDriverState = top;
  for (;;) {
    const st = await cur.blockStatus(offset, len);
    len = st.len;
    if (st.allocated) {
      return { len, depth, present: true, zero: st.zero, data: st.data, offset: st.offset, layer: cur };
    }
    const b = cur.backing;
    if (!b || b === base) return { len, depth, present: false, zero: !b, data: false, layer: cur };
    const blen = b.getLength();
    if (offset >= blen) return { len, depth, present: false, zero: true, data: false, layer: cur };
    len = Math.min(len, blen - offset);
    cur = b;
    depth++;
  }
}
