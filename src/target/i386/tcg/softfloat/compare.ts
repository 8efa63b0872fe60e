/* Ordering of two unpacked non-NaN operands (ua, ub), shared by SSE and x87 compares. */
import { ua, ub, CLS_ZERO, CLS_INF } from './round-pack.js';
import { REL_LESS, REL_EQUAL, REL_GREATER } from './float-status.js';

/** REL_LESS / REL_EQUAL / REL_GREATER of ua against ub; neither may be a NaN. */
export function compareUnpacked(): number {
  const a = ua, b = ub;
  if (a.cls === CLS_ZERO && b.cls === CLS_ZERO) return REL_EQUAL;
  if (a.sign !== b.sign) {
    return a.sign !== 0 ? REL_LESS : REL_GREATER;
  }
  /* Same sign: compare magnitudes, then flip for negatives. */
  let m: number;
  const ra = a.cls === CLS_ZERO ? 0 : a.cls === CLS_INF ? 2 : 1;
  const rb = b.cls === CLS_ZERO ? 0 : b.cls === CLS_INF ? 2 : 1;
  if (ra !== rb) m = ra < rb ? -1 : 1;
  else if (ra !== 1) m = 0;
  else if (a.exp !== b.exp) m = a.exp < b.exp ? -1 : 1;
  else if (a.hi !== b.hi) m = a.hi < b.hi ? -1 : 1;
  else if (a.lo !== b.lo) m = a.lo < b.lo ? -1 : 1;
  else m = 0;
  if (a.sign !== 0) m = -m;
  return m < 0 ? REL_LESS : m > 0 ? REL_GREATER : REL_EQUAL;
}
