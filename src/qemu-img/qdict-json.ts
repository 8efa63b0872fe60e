/*
 * qemu-img prints JSON (and the human "Format specific information") from QEMU's QDict,
 * whose iteration order is that of its hash table: 512 buckets chosen by tdb_hash() of the
 * key, newest entry first within a bucket (qobject/qdict.c).  Objects here keep insertion
 * order, and this module replays the hash order when printing, so the output matches
 * qemu-img's byte for byte.
 */
const QDICT_BUCKET_MAX = 512;

function tdbHash(name: string): number {
  let value = Math.imul(0x238f13af, name.length) >>> 0;
  for (let i = 0; i < name.length; i++) value = (value + (name.charCodeAt(i) << ((i * 5) % 24))) >>> 0;
  return (Math.imul(1103515243, value) + 12345) >>> 0;
}

/** Keys of obj in QDict iteration order. */
export function qdictKeys(obj: Record<string, unknown>): string[] {
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
  return keys
    .map((k, i) => ({ k, b: tdbHash(k) % QDICT_BUCKET_MAX, i }))
    .sort((a, b) => a.b - b.b || b.i - a.i)
    .map((e) => e.k);
}

/** qobject_to_json_pretty() with 4-space indentation. */
export function toJsonPretty(v: unknown, indent = 0): string {
  const pad = ' '.repeat(indent + 4);
  const end = ' '.repeat(indent);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[\n' + v.map((x) => pad + toJsonPretty(x, indent + 4)).join(',\n') + '\n' + end + ']';
  }
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = qdictKeys(o);
    if (keys.length === 0) return '{}';
    return '{\n' + keys.map((k) => `${pad}${JSON.stringify(k)}: ${toJsonPretty(o[k], indent + 4)}`).join(',\n') + '\n' + end + '}';
  }
  return JSON.stringify(v);
}

/** size_to_str(): "%0.3g <unit>B" with binary prefixes. */
export function sizeToStr(val: number): string {
  const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
  // frexp(val / (1000/1024)) exponent, minus one, divided by ten.
  const x = val / (1000 / 1024);
  const e = x === 0 ? 0 : Math.floor(Math.log2(x)) + 1;
  const i = Math.max(0, Math.floor((e - 1) / 10));
  return `${formatG3(val / 2 ** (i * 10))} ${suffixes[i]}B`;
}

/** printf("%0.3g"). */
export function formatG3(x: number): string {
  if (x === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(x)));
  let s = x.toPrecision(3);
  if (exp < -4 || exp >= 3) {
    const [m, ex] = x.toExponential(2).split('e');
    const mant = m!.includes('.') ? m!.replace(/0+$/, '').replace(/\.$/, '') : m!;
    const n = parseInt(ex!, 10);
    return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}
