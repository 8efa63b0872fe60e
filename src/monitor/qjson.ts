/*
 * QMP's JSON, as QEMU reads and writes it (qobject/json-lexer.c,
 * json-streamer.c, json-parser.c, qjson.c).
 *
 * Reading is a byte stream: the lexer cuts tokens (with QEMU's extension of
 * single-quoted strings), the streamer counts braces and brackets and hands a
 * complete top-level value to the parser, so `{"a":1} {"b":2}` on one line is
 * two messages and a bare `5` is one.  A lexical error discards what was
 * pending and skips input to the next structural or control character.
 * Errors carry QEMU's texts ("JSON parse error, ...").
 *
 * Writing follows qobject_to_json(): `{"key": value, ...}`, `[a, b]`, and
 * non-ASCII characters escaped as \uXXXX.
 *
 * The command line's JSON (-device {...}) is src/util/qjson.ts: one whole
 * string, plain values, different error texts; see its header for why the two
 * are separate.
 */

/** A number QEMU keeps as a double (QNUM_DOUBLE: a JSON float, or an integer beyond uint64); printed with %.17g. */
export class QDouble {
  constructor(readonly value: number) {}
}

/** An integer beyond 2^53 that QEMU keeps exactly (QNUM_I64 / QNUM_U64). */
export class QBigInt {
  constructor(readonly value: bigint) {}
}

/**
 * A parsed QMP value.  Integers up to 2^53 are plain numbers; QDouble and
 * QBigInt keep what QEMU would echo back exactly and what its visitors
 * tell apart (an integer argument refuses 1.0).
 */
export type QJson = null | boolean | number | string | QDouble | QBigInt | QJson[] | { [k: string]: QJson };

/** A JSON object (a QDict), as opposed to a list, a scalar or a boxed number. */
export function isQDict(v: QJson | undefined): v is { [k: string]: QJson } {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof QDouble) && !(v instanceof QBigInt);
}

/** Boxed numbers become plain numbers (what command handlers get). */
export function qjsonUnbox(v: QJson): QJson {
  if (v instanceof QDouble) return v.value;
  if (v instanceof QBigInt) return Number(v.value);
  if (Array.isArray(v)) return v.map(qjsonUnbox);
  if (isQDict(v)) {
    const out: { [k: string]: QJson } = {};
    for (const [k, x] of Object.entries(v)) out[k] = qjsonUnbox(x);
    return out;
  }
  return v;
}

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** parse_literal(): int64, else uint64, else double. */
function parseNumberToken(text: string, isFloat: boolean): QJson {
  if (isFloat) return new QDouble(Number(text));
  const n = Number(text);
  if (Number.isSafeInteger(n)) return n;
  const b = BigInt(text);
  if (b >= INT64_MIN && b <= UINT64_MAX) return new QBigInt(b);
  return new QDouble(n);
}

/** printf("%.17g"). */
function formatDouble(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expText] = v.toExponential(16).split('e') as [string, string];
  const exp = Number(expText);
  const strip = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= 17) {
    const e = Math.abs(exp);
    return `${strip(mant)}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  return strip(v.toFixed(16 - exp));
}

type TokType = 'lcurly' | 'rcurly' | 'lsquare' | 'rsquare' | 'colon' | 'comma' | 'integer' | 'float' | 'keyword' | 'string';
interface Token { type: TokType; text: string }

type State =
  | 'start' | 'dq' | 'dq-esc' | 'sq' | 'sq-esc' | 'zero' | 'nonzero' | 'neg' | 'mantissa' | 'mantissa-digits'
  | 'exp-e' | 'exp-sign' | 'exp-digits' | 'keyword' | 'recovery';

const MAX_TOKEN_SIZE = 64 << 20;
const MAX_TOKEN_COUNT = 2 << 20;
const MAX_NESTING = 1024;

export type JsonMessageHandler = (value: QJson | undefined, error: string | undefined) => void;

/** JSONMessageParser: feed bytes, get whole values (or errors) through `emit`. */
export class JsonMessageParser {
  private state: State = 'start';
  private tok: number[] = [];
  private tokens: Token[] = [];
  private braces = 0;
  private brackets = 0;
  private tokenSize = 0;

  constructor(private readonly emit: JsonMessageHandler) {}

  feed(buf: Uint8Array): void {
    for (let i = 0; i < buf.length; i++) this.feedChar(buf[i]!);
  }

  /** json_message_parser_flush(): end of input. */
  flush(): void {
    if (this.state !== 'start' && this.state !== 'recovery') this.feedChar(-1);
    if (this.tokens.length) this.parseAndEmit();
    this.state = 'start';
  }

  reset(): void {
    this.state = 'start';
    this.tok = [];
    this.resetStreamer();
  }

  private feedChar(ch: number): void {
    // Each pass either consumes ch or ends a token that needed ch as lookahead.
    for (;;) {
      const r = this.step(ch);
      if (r === 'consumed') return;
      if (r === 'error') {
        if (ch >= 0) this.tok.push(ch);
        this.lexError();
        return;
      }
      // 'lookahead': a token ended before ch; ch starts afresh.
      if (ch < 0) return;
    }
  }

  private step(ch: number): 'consumed' | 'lookahead' | 'error' {
    const c = ch;
    const isDigit = c >= 0x30 && c <= 0x39;
    switch (this.state) {
      case 'recovery':
        // Skip to a structural character ([]{}:,), a control character other than tab, or 0xFE/0xFF.
        if (c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d || c === 0x3a || c === 0x2c
          || (c >= 0 && c < 0x20 && c !== 0x09) || c >= 0xfe) {
          this.state = 'start';
          return 'lookahead';
        }
        return 'consumed';
      case 'start':
        switch (c) {
          case 0x20: case 0x09: case 0x0d: case 0x0a: return 'consumed';
          case 0x7b: return this.single('lcurly', c);
          case 0x7d: return this.single('rcurly', c);
          case 0x5b: return this.single('lsquare', c);
          case 0x5d: return this.single('rsquare', c);
          case 0x3a: return this.single('colon', c);
          case 0x2c: return this.single('comma', c);
          case 0x22: this.tok.push(c); this.state = 'dq'; return 'consumed';
          case 0x27: this.tok.push(c); this.state = 'sq'; return 'consumed';
          case 0x30: this.tok.push(c); this.state = 'zero'; return 'consumed';
          case 0x2d: this.tok.push(c); this.state = 'neg'; return 'consumed';
        }
        if (c >= 0x31 && c <= 0x39) { this.tok.push(c); this.state = 'nonzero'; return 'consumed'; }
        if (c >= 0x61 && c <= 0x7a) { this.tok.push(c); this.state = 'keyword'; return 'consumed'; }
        return 'error';
      case 'dq':
      case 'sq': {
        const quote = this.state === 'dq' ? 0x22 : 0x27;
        if (c === quote) { this.tok.push(c); this.emitToken('string'); return 'consumed'; }
        if (c === 0x5c) { this.tok.push(c); this.state = this.state === 'dq' ? 'dq-esc' : 'sq-esc'; return 'consumed'; }
        if (c >= 0x20 && c <= 0xfd) { this.tok.push(c); return 'consumed'; }
        return 'error';
      }
      case 'dq-esc':
      case 'sq-esc':
        if (c >= 0x20 && c <= 0xfd) { this.tok.push(c); this.state = this.state === 'dq-esc' ? 'dq' : 'sq'; return 'consumed'; }
        return 'error';
      case 'zero':
        if (isDigit) return 'error';
        if (c === 0x2e) { this.tok.push(c); this.state = 'mantissa'; return 'consumed'; }
        this.emitToken('integer');
        return 'lookahead';
      case 'neg':
        if (c === 0x30) { this.tok.push(c); this.state = 'zero'; return 'consumed'; }
        if (c >= 0x31 && c <= 0x39) { this.tok.push(c); this.state = 'nonzero'; return 'consumed'; }
        return 'error';
      case 'nonzero':
        if (isDigit) { this.tok.push(c); return 'consumed'; }
        if (c === 0x2e) { this.tok.push(c); this.state = 'mantissa'; return 'consumed'; }
        if (c === 0x65 || c === 0x45) { this.tok.push(c); this.state = 'exp-e'; return 'consumed'; }
        this.emitToken('integer');
        return 'lookahead';
      case 'mantissa':
        if (isDigit) { this.tok.push(c); this.state = 'mantissa-digits'; return 'consumed'; }
        return 'error';
      case 'mantissa-digits':
        if (isDigit) { this.tok.push(c); return 'consumed'; }
        if (c === 0x65 || c === 0x45) { this.tok.push(c); this.state = 'exp-e'; return 'consumed'; }
        this.emitToken('float');
        return 'lookahead';
      case 'exp-e':
        if (c === 0x2b || c === 0x2d) { this.tok.push(c); this.state = 'exp-sign'; return 'consumed'; }
        if (isDigit) { this.tok.push(c); this.state = 'exp-digits'; return 'consumed'; }
        return 'error';
      case 'exp-sign':
        if (isDigit) { this.tok.push(c); this.state = 'exp-digits'; return 'consumed'; }
        return 'error';
      case 'exp-digits':
        if (isDigit) { this.tok.push(c); return 'consumed'; }
        this.emitToken('float');
        return 'lookahead';
      case 'keyword':
        if (c >= 0x61 && c <= 0x7a) { this.tok.push(c); return 'consumed'; }
        this.emitToken('keyword');
        return 'lookahead';
    }
  }

  private single(type: TokType, c: number): 'consumed' {
    this.tok.push(c);
    this.emitToken(type);
    return 'consumed';
  }

  private emitToken(type: TokType): void {
    const text = Buffer.from(this.tok).toString('latin1');
    this.tok = [];
    this.state = 'start';
    this.processToken(type, text);
  }

  private lexError(): void {
    const text = Buffer.from(this.tok).toString('utf8');
    this.tok = [];
    this.state = 'recovery';
    this.resetStreamer();
    this.emit(undefined, `JSON parse error, stray '${text}'`);
  }

  /** json_message_process_token(). */
  private processToken(type: TokType, text: string): void {
    if (type === 'lcurly') this.braces++;
    else if (type === 'rcurly') this.braces--;
    else if (type === 'lsquare') this.brackets++;
    else if (type === 'rsquare') this.brackets--;
    if (this.tokenSize + text.length + 1 > MAX_TOKEN_SIZE) return this.fail('JSON token size limit exceeded');
    if (this.tokens.length + 1 > MAX_TOKEN_COUNT) return this.fail('JSON token count limit exceeded');
    if (this.braces + this.brackets > MAX_NESTING) return this.fail('JSON nesting depth limit exceeded');
    this.tokens.push({ type, text });
    this.tokenSize += text.length;
    if ((this.braces > 0 || this.brackets > 0) && this.braces >= 0 && this.brackets >= 0) return;
    this.parseAndEmit();
  }

  private fail(msg: string): void {
    this.resetStreamer();
    this.emit(undefined, msg);
  }

  private parseAndEmit(): void {
    const tokens = this.tokens;
    this.resetStreamer();
    const p = new TokenParser(tokens);
    const v = p.parseValue();
    if (p.err !== undefined) this.emit(undefined, `JSON parse error, ${p.err}`);
    else this.emit(v, undefined);
  }

  private resetStreamer(): void {
    this.tokens = [];
    this.braces = 0;
    this.brackets = 0;
    this.tokenSize = 0;
  }
}

/** json-parser.c: recursive descent over one message's tokens; the first error wins. */
class TokenParser {
  err: string | undefined;
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  private error(msg: string): undefined {
    if (this.err === undefined) this.err = msg;
    return undefined;
  }

  private peek(): Token | undefined {
    return this.toks[this.i];
  }

  private pop(): Token | undefined {
    return this.toks[this.i++];
  }

  parseValue(): QJson | undefined {
    const t = this.peek();
    if (!t) return this.error('premature EOI');
    switch (t.type) {
      case 'lcurly': return this.parseObject();
      case 'lsquare': return this.parseArray();
      case 'integer': case 'float': this.pop(); return parseNumberToken(t.text, t.type === 'float');
      case 'string': this.pop(); return this.parseString(t.text);
      case 'keyword':
        this.pop();
        if (t.text === 'true') return true;
        if (t.text === 'false') return false;
        if (t.text === 'null') return null;
        return this.error(`invalid keyword '${t.text}'`);
      default:
        return this.error('expecting value');
    }
  }

  private parseObject(): QJson | undefined {
    this.pop();
    const dict: { [k: string]: QJson } = {};
    const peek = this.peek();
    if (!peek) return this.error('premature EOI');
    if (peek.type === 'rcurly') {
      this.pop();
      return dict;
    }
    if (!this.parsePair(dict)) return undefined;
    for (;;) {
      const t = this.pop();
      if (!t) return this.error('premature EOI');
      if (t.type === 'rcurly') return dict;
      if (t.type !== 'comma') return this.error('expected separator in dict');
      if (!this.parsePair(dict)) return undefined;
    }
  }

  private parsePair(dict: { [k: string]: QJson }): boolean {
    if (!this.peek()) return !!this.error('premature EOI');
    const key = this.parseValue();
    if (typeof key !== 'string') return !!this.error('key is not a string in object');
    const colon = this.pop();
    if (!colon) return !!this.error('premature EOI');
    if (colon.type !== 'colon') return !!this.error('missing : in object pair');
    const value = this.parseValue();
    if (value === undefined) return !!this.error('Missing value in dict');
    if (Object.prototype.hasOwnProperty.call(dict, key)) return !!this.error('duplicate key');
    dict[key] = value;
    return true;
  }

  private parseArray(): QJson | undefined {
    this.pop();
    const list: QJson[] = [];
    const peek = this.peek();
    if (!peek) return this.error('premature EOI');
    if (peek.type === 'rsquare') {
      this.pop();
      return list;
    }
    let v = this.parseValue();
    if (v === undefined) return this.error('expecting value');
    list.push(v);
    for (;;) {
      const t = this.pop();
      if (!t) return this.error('premature EOI');
      if (t.type === 'rsquare') return list;
      if (t.type !== 'comma') return this.error('expected separator in list');
      v = this.parseValue();
      if (v === undefined) return this.error('expecting value');
      list.push(v);
    }
  }

  /** parse_string(): the token text is raw bytes (latin1 string); the result is decoded UTF-8. */
  private parseString(text: string): string | undefined {
    const quote = text[0]!;
    const bytes: number[] = [];
    let p = 1;
    while (text[p] !== quote) {
      const c = text[p]!;
      if (c !== '\\') {
        bytes.push(c.charCodeAt(0));
        p++;
        continue;
      }
      const e = text[p + 1]!;
      p += 2;
      const simple: Record<string, number> = { '"': 0x22, "'": 0x27, '\\': 0x5c, '/': 0x2f, b: 8, f: 12, n: 10, r: 13, t: 9 };
      if (e in simple) {
        bytes.push(simple[e]!);
        continue;
      }
      if (e !== 'u') return this.error('invalid escape sequence in string');
      const beg = p - 2;
      let cp = hex4(text, p);
      p += 4;
      if (cp >= 0xd800 && cp <= 0xdbff && text[p] === '\\' && text[p + 1] === 'u') {
        const trailing = hex4(text, p + 2);
        if (trailing >= 0xdc00 && trailing <= 0xdfff) {
          cp = 0x10000 + ((cp & 0x3ff) << 10) + (trailing & 0x3ff);
          p += 6;
        } else cp = -1;
      }
      if (cp < 0 || (cp >= 0xd800 && cp <= 0xdfff)) {
        return this.error(`${text.slice(beg, p)} is not a valid Unicode character`);
      }
      for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b);
    }
    const buf = Buffer.from(bytes);
    const s = buf.toString('utf8');
    if (!Buffer.from(s, 'utf8').equals(buf)) return this.error('invalid UTF-8 sequence in string');
    return s;
  }
}

function hex4(s: string, at: number): number {
  const h = s.slice(at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(h) ? parseInt(h, 16) : -1;
}

/**
 * qobject_to_json() / qobject_to_json_pretty(): compact `{"k": v, ...}`, or
 * one member per line indented by four spaces per level (-qmp-pretty).
 */
export function qjsonToString(v: QJson | undefined, pretty = false, level = 0): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatDouble(v);
  if (v instanceof QDouble) return formatDouble(v.value);
  if (v instanceof QBigInt) return v.value.toString();
  if (typeof v === 'string') return quoteString(v);
  const items = Array.isArray(v)
    ? v.map((x) => qjsonToString(x, pretty, level + 1))
    : qdictOrder(Object.keys(v).filter((k) => v[k] !== undefined))
      .map((k) => `${quoteString(k)}: ${qjsonToString(v[k], pretty, level + 1)}`);
  const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
  if (!pretty) return open + items.join(', ') + close;
  const pad = (n: number): string => ' '.repeat(4 * n);
  return open + items.map((it) => `\n${pad(level + 1)}${it}`).join(',') + `\n${pad(level)}` + close;
}

/** QDict's tdb_hash() (qobject/qdict.c), in unsigned 32-bit arithmetic. */
function tdbHash(name: string): number {
  const b = Buffer.from(name, 'utf8');
  let value = Math.imul(0x238f13af, b.length) >>> 0;
  for (let i = 0; i < b.length; i++) value = (value + ((b[i]! << ((i * 5) % 24)) >>> 0)) >>> 0;
  return (Math.imul(1103515243, value) + 12345) >>> 0;
}

const QDICT_BUCKET_MAX = 512;

/**
 * The order QEMU prints a dict's members in: by hash bucket, and within a
 * bucket the most recently inserted first.  `keys` is in insertion order, so
 * objects must be built in QAPI schema order for the output to match QEMU's.
 */
export function qdictOrder(keys: string[]): string[] {
  return keys
    .map((k, i) => ({ k, i, bucket: tdbHash(k) % QDICT_BUCKET_MAX }))
    .sort((a, b) => a.bucket - b.bucket || b.i - a.i)
    .map((e) => e.k);
}

function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
    }
    if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
    else {
      const v = cp - 0x10000;
      out += '\\u' + (0xd800 + (v >> 10)).toString(16).toUpperCase() + '\\u' + (0xdc00 + (v & 0x3ff)).toString(16).toUpperCase();
    }
  }
  return out + '"';
}
