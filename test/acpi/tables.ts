/*
 * Test helpers: the tables in an "etc/acpi/tables" blob, the table-loader
 * script in a form that does not depend on where the tables lie (offsets as
 * table signature + offset inside it), and the loader run host-side.
 */
import { biosLinkerLoaderExec, type PlacedFile } from '../../src/hw/acpi/bios-linker-loader.js';

export interface TableSpan {
  sig: string;
  offset: number;
  length: number;
}

/** The tables laid end to end from offset 0 (FACS has no checksum but a length like the others). */
export function tableSpans(blob: Uint8Array): TableSpan[] {
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const out: TableSpan[] = [];
  let o = 0;
  while (o + 8 <= blob.length) {
    const sig = Buffer.from(blob.subarray(o, o + 4)).toString('latin1');
    if (!/^[A-Z]{4}$/.test(sig)) break;
    const length = dv.getUint32(o + 4, true);
    out.push({ sig, offset: o, length });
    o += length;
  }
  return out;
}

export function tableBytes(blob: Uint8Array, span: TableSpan): Uint8Array {
  return blob.subarray(span.offset, span.offset + span.length);
}

/** "SIG+off" for an offset in the tables file; file offsets elsewhere as is. */
function symbolic(spans: TableSpan[], file: string, off: number): string {
  if (file !== 'etc/acpi/tables') return `${file}@${off}`;
  const s = spans.find((x) => off >= x.offset && off < x.offset + x.length);
  return s ? `${s.sig}+${off - s.offset}` : `tables@${off}`;
}

/** The loader commands, offsets made relative to the tables they point into. */
export function loaderCommands(loader: Uint8Array, spans: TableSpan[]): string[] {
  const dv = new DataView(loader.buffer, loader.byteOffset, loader.byteLength);
  const str = (o: number): string => Buffer.from(loader.subarray(o, o + 56)).toString('latin1').replace(/\0.*$/s, '');
  const out: string[] = [];
  for (let o = 0; o + 128 <= loader.length; o += 128) {
    const cmd = dv.getUint32(o, true);
    if (cmd === 1) out.push(`ALLOCATE ${str(o + 4)} align=${dv.getUint32(o + 60, true)} zone=${loader[o + 64]}`);
    else if (cmd === 2) out.push(`ADD_POINTER ${symbolic(spans, str(o + 4), dv.getUint32(o + 116, true))} size=${loader[o + 120]} -> ${str(o + 60)}`);
    else if (cmd === 3) {
      const f = str(o + 4);
      const start = dv.getUint32(o + 64, true);
      const len = dv.getUint32(o + 68, true);
      // A whole table's checksum: its length is the table's (the DSDT's differs from QEMU's).
      const whole = f === 'etc/acpi/tables' && spans.some((x) => x.offset === start && x.length === len);
      out.push(`ADD_CHECKSUM ${symbolic(spans, f, dv.getUint32(o + 60, true))} start=${symbolic(spans, f, start)} len=${whole ? 'table' : len}`);
    } else if (cmd !== 0) out.push(`command ${cmd}`);
  }
  return out;
}

/** Runs the loader from 1 MiB up; returns the placed files. */
export function runLoader(files: Map<string, Uint8Array>): PlacedFile[] {
  let next = 0x100000;
  return biosLinkerLoaderExec(files.get('etc/table-loader')!, (n) => files.get(n), {
    allocate: (_n, size, align) => {
      const a = Math.ceil(next / align) * align;
      next = a + size;
      return a;
    },
  });
}

export const byteSum = (b: Uint8Array): number => b.reduce((s, x) => (s + x) & 0xff, 0);
