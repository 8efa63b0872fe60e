/* qemu-img map (img_map, dump_map_entry). */
import { QemuError } from '../util/error.js';
import { chainBlockStatus, type ChainStatus } from '../block/block-status.js';
import { getopt, errorExit, imgOpen } from './img-common.js';
import type { Out } from './img-info.js';

interface MapEntry extends ChainStatus {
  start: number;
}

const hexC = (n: number): string => (n === 0 ? '0' : '0x' + n.toString(16));

function dumpHuman(e: MapEntry, out: Out): void {
  if (e.data && e.offset === undefined) throw new QemuError('File contains external, encrypted or compressed clusters.');
  if (e.data && !e.zero) {
    out(`${hexC(e.start).padEnd(16)}${hexC(e.len).padEnd(16)}${hexC(e.offset!).padEnd(16)}${(e.layer.file ?? e.layer).filename}\n`);
  }
}

function jsonEntry(e: MapEntry): string {
  return `{ "start": ${e.start}, "length": ${e.len}, "depth": ${e.depth}, "present": ${e.present}, ` +
    `"zero": ${e.zero}, "data": ${e.data}${e.offset !== undefined ? `, "offset": ${e.offset}` : ''}}`;
}

export async function imgMap(argv: string[], out: Out): Promise<number> {
  const { opts, args } = getopt(argv, ':f:hU', {
    help: [false, 'h'], format: [true, 'f'], output: [true, 'o'], 'force-share': [false, 'U'],
    'start-offset': [true, 's'], 'max-length': [true, 'l'], object: [true, 'O'], 'image-opts': [false, 'I'],
  });
  let fmt: string | undefined;
  let output = 'human';
  let start = 0;
  let maxLen = Infinity;
  for (const [k, v] of opts) {
    if (k === 'f') fmt = v;
    else if (k === 'o') output = v;
    else if (k === 's') start = Number(v);
    else if (k === 'l') maxLen = Number(v);
  }
  if (args.length !== 1) throw errorExit('Expecting one image file name');
  if (output !== 'human' && output !== 'json') throw new QemuError('--output must be used with human or json as argument.');
  const bs = await imgOpen(args[0]!, fmt, { readOnly: true });
  try {
    const end = Math.min(bs.getLength(), start + maxLen);
    const entries: string[] = [];
    if (output === 'human') out(`${'Offset'.padEnd(16)}${'Length'.padEnd(16)}${'Mapped to'.padEnd(16)}File\n`);
    let cur: MapEntry | undefined;
    const emit = (e: MapEntry): void => {
      if (output === 'json') entries.push(jsonEntry(e));
      else dumpHuman(e, out);
    };
    for (let off = start; off < end;) {
      const st = await chainBlockStatus(bs, off, Math.min(end - off, 1 << 30));
      const next: MapEntry = { ...st, start: off };
      if (cur && cur.depth === next.depth && cur.present === next.present && cur.zero === next.zero &&
          cur.data === next.data && cur.layer === next.layer &&
          (cur.offset === undefined) === (next.offset === undefined) &&
          (cur.offset === undefined || cur.offset + cur.len === next.offset)) {
        cur.len += next.len;
      } else {
        if (cur) emit(cur);
        cur = next;
      }
      off += st.len;
    }
    if (cur) emit(cur);
    if (output === 'json') out('[' + entries.join(',\n') + ']\n');
    return 0;
  } finally {
    await bs.close();
  }
}
