/*
 * qobject_from_json() (qobject/json-lexer.c, json-streamer.c, json-parser.c,
 * qjson.c) for the JSON forms of -device, -object, -netdev, -blockdev...
 *
 * QEMU's JSON is RFC 8259 plus single-quoted strings and the '\'' escape.
 * Its messages depend on how the lexer splits the input into tokens (an
 * invalid token is reported as "stray '<text>'"), so this follows the same
 * three stages: a byte-level lexer with QEMU's states, a streamer that cuts
 * the token stream into top-level values, and a recursive-descent parser.
 * JSON.parse could not give these messages.
 *
 * Values: dicts are null-prototype objects, lists arrays, numbers JS
 * numbers (an integer beyond 2^53 loses precision, as QEMU's double view
 * of a QNum does), null is null.
 *
 * src/monitor/qjson.ts is QMP's reader/writer over the same grammar.  They are
 * kept apart on purpose: that one is incremental (a byte stream with error
 * recovery and several values per line), keeps floats and integers beyond 2^53
 * exact (QDouble, QBigInt) for echoing and for the QMP visitors, and reports
 * "JSON parse error, ..." texts; this one parses one option string whole into
 * plain values for the property visitors and reports the command-line texts.
 */
import { QemuError } from './error.js';
import { qemuStrtoi64, qemuStrtou64 } from './cutils.js';

export type QObject = null | boolean | number | string | QObject[] | QDictObject;
export interface QDictObject {
  [key: string]: QObject;
}

/* ---- lexer ---- */

const enum Tok {
  ERROR = 0,
  LCURLY, RCURLY, LSQUARE, RSQUARE, COLON, COMMA, INTEGER, FLOAT, KEYWORD, STRING, END_OF_INPUT,
}

const enum St {
  START = 100, RECOVERY, DQ_STRING, DQ_STRING_ESCAPE, SQ_STRING, SQ_STRING_ESCAPE, ZERO, SIGN, DIGITS,
  MANTISSA, MANTISSA_DIGITS, EXP_E, EXP_SIGN, EXP_DIGITS, KEYWORD,
}

/* A transition: the next state or token, and whether the byte is left for the next state (lookahead). */
interface Next {
  to: Tok | St;
  lookahead: boolean;
}

const isDigit = (b: number) => b >= 0x30 && b <= 0x39;

/* json_lexer[state][byte]; anything not listed is an error that consumes the byte. */
function transition(state: St, b: number): Next {
  const go = (to: Tok | St): Next => ({ to, lookahead: false });
  const terminal = (to: Tok): Next => ({ to, lookahead: true });
  const err: Next = { to: Tok.ERROR, lookahead: false };
  switch (state) {
    case St.RECOVERY:
      // Resynchronise at a structural character or a control character.
      if ((b <= 0x1f && b !== 0x09) || b >= 0xfe || b === 0x5b || b === 0x5d || b === 0x7b || b === 0x7d ||
          b === 0x3a || b === 0x2c) {
        return { to: St.START, lookahead: true };
      }
      return go(St.RECOVERY);
    case St.DQ_STRING_ESCAPE:
      return b >= 0x20 && b <= 0xfd ? go(St.DQ_STRING) : err;
    case St.DQ_STRING:
      if (b === 0x5c) return go(St.DQ_STRING_ESCAPE);
      if (b === 0x22) return go(Tok.STRING);
      return b >= 0x20 && b <= 0xfd ? go(St.DQ_STRING) : err;
    case St.SQ_STRING_ESCAPE:
      return b >= 0x20 && b <= 0xfd ? go(St.SQ_STRING) : err;
    case St.SQ_STRING:
      if (b === 0x5c) return go(St.SQ_STRING_ESCAPE);
      if (b === 0x27) return go(Tok.STRING);
      return b >= 0x20 && b <= 0xfd ? go(St.SQ_STRING) : err;
    case St.ZERO:
      if (isDigit(b)) return err;
      if (b === 0x2e) return go(St.MANTISSA);
      return terminal(Tok.INTEGER);
    case St.EXP_DIGITS:
      return isDigit(b) ? go(St.EXP_DIGITS) : terminal(Tok.FLOAT);
    case St.EXP_SIGN:
      return isDigit(b) ? go(St.EXP_DIGITS) : err;
    case St.EXP_E:
      if (b === 0x2d || b === 0x2b) return go(St.EXP_SIGN);
      return isDigit(b) ? go(St.EXP_DIGITS) : err;
    case St.MANTISSA_DIGITS:
      if (isDigit(b)) return go(St.MANTISSA_DIGITS);
      if (b === 0x65 || b === 0x45) return go(St.EXP_E);
      return terminal(Tok.FLOAT);
    case St.MANTISSA:
      return isDigit(b) ? go(St.MANTISSA_DIGITS) : err;
    case St.DIGITS:
      if (isDigit(b)) return go(St.DIGITS);
      if (b === 0x65 || b === 0x45) return go(St.EXP_E);
      if (b === 0x2e) return go(St.MANTISSA);
      return terminal(Tok.INTEGER);
    case St.SIGN:
      if (b === 0x30) return go(St.ZERO);
      return b >= 0x31 && b <= 0x39 ? go(St.DIGITS) : err;
    case St.KEYWORD:
      return b >= 0x61 && b <= 0x7a ? go(St.KEYWORD) : terminal(Tok.KEYWORD);
    case St.START:
      switch (b) {
        case 0x22: return go(St.DQ_STRING);
        case 0x27: return go(St.SQ_STRING);
        case 0x30: return go(St.ZERO);
        case 0x2d: return go(St.SIGN);
        case 0x7b: return go(Tok.LCURLY);
        case 0x7d: return go(Tok.RCURLY);
        case 0x5b: return go(Tok.LSQUARE);
        case 0x5d: return go(Tok.RSQUARE);
        case 0x2c: return go(Tok.COMMA);
        case 0x3a: return go(Tok.COLON);
        case 0x20: case 0x09: case 0x0d: case 0x0a: return go(St.START);
      }
      if (b >= 0x31 && b <= 0x39) return go(St.DIGITS);
      if (b >= 0x61 && b <= 0x7a) return go(St.KEYWORD);
      return err;
  }
}

interface Token {
  type: Tok;
  text: string;
}

const MAX_NESTING = 1024;

/* ---- parser (json-parser.c) ---- */

class Parser {
  private pos = 0;
  err: string | undefined;
  constructor(private readonly tokens: Token[]) {}

  private error(msg: string): void {
    if (this.err === undefined) this.err = `JSON parse error, ${msg}`;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private pop(): Token | undefined {
    return this.tokens[this.pos++];
  }

  value(): QObject | undefined {
    const t = this.peek();
    if (!t) {
      this.error('premature EOI');
      return undefined;
    }
    switch (t.type) {
      case Tok.LCURLY: return this.object();
      case Tok.LSQUARE: return this.array();
      case Tok.INTEGER: case Tok.FLOAT: case Tok.STRING: return this.literal();
      case Tok.KEYWORD: return this.keyword();
      default:
        this.error('expecting value');
        return undefined;
    }
  }

  private pair(dict: QDictObject): boolean {
    if (!this.peek()) {
      this.error('premature EOI');
      return false;
    }
    const key = this.value();
    if (typeof key !== 'string') {
      this.error('key is not a string in object');
      return false;
    }
    const colon = this.pop();
    if (!colon) {
      this.error('premature EOI');
      return false;
    }
    if (colon.type !== Tok.COLON) {
      this.error('missing : in object pair');
      return false;
    }
    const v = this.value();
    if (v === undefined) {
      this.error('Missing value in dict');
      return false;
    }
    if (Object.prototype.hasOwnProperty.call(dict, key)) {
      this.error('duplicate key');
      return false;
    }
    dict[key] = v;
    return true;
  }

  private object(): QObject | undefined {
    this.pop();
    const dict = Object.create(null) as QDictObject;
    const peek = this.peek();
    if (!peek) {
      this.error('premature EOI');
      return undefined;
    }
    if (peek.type === Tok.RCURLY) {
      this.pop();
      return dict;
    }
    if (!this.pair(dict)) return undefined;
    let t = this.pop();
    for (;;) {
      if (!t) {
        this.error('premature EOI');
        return undefined;
      }
      if (t.type === Tok.RCURLY) return dict;
      if (t.type !== Tok.COMMA) {
        this.error('expected separator in dict');
        return undefined;
      }
      if (!this.pair(dict)) return undefined;
      t = this.pop();
    }
  }

  private array(): QObject | undefined {
    this.pop();
    const list: QObject[] = [];
    const peek = this.peek();
    if (!peek) {
      this.error('premature EOI');
      return undefined;
    }
    if (peek.type === Tok.RSQUARE) {
      this.pop();
      return list;
    }
    let v = this.value();
    if (v === undefined) {
      this.error('expecting value');
      return undefined;
    }
    list.push(v);
    let t = this.pop();
    for (;;) {
      if (!t) {
        this.error('premature EOI');
        return undefined;
      }
      if (t.type === Tok.RSQUARE) return list;
      if (t.type !== Tok.COMMA) {
        this.error('expected separator in list');
        return undefined;
      }
      v = this.value();
      if (v === undefined) {
        this.error('expecting value');
        return undefined;
      }
      list.push(v);
      t = this.pop();
    }
  }

  private keyword(): QObject | undefined {
    const t = this.pop()!;
    if (t.text === 'true') return true;
    if (t.text === 'false') return false;
    if (t.text === 'null') return null;
    this.error(`invalid keyword '${t.text}'`);
    return undefined;
  }

  private literal(): QObject | undefined {
    const t = this.pop()!;
    if (t.type === Tok.STRING) return this.string(t.text);
    if (t.type === Tok.INTEGER) {
      const i = qemuStrtoi64(t.text, 10);
      if (!i.err) return i.value;
      if (t.text[0] !== '-') {
        const u = qemuStrtou64(t.text, 10);
        if (!u.err) return u.value;
      }
    }
    return Number(t.text); // strtod(); 1e999 is inf, as in QEMU
  }

  /* parse_string(): the token includes its quotes. */
  private string(tok: string): string | undefined {
    const quote = tok[0];
    let out = '';
    let p = 1;
    while (tok[p] !== quote) {
      const c = tok[p]!;
      if (c === '\\') {
        const beg = p;
        p++;
        const e = tok[p++];
        switch (e) {
          case '"': out += '"'; break;
          case "'": out += "'"; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            let cp = cvt4hex(tok, p);
            p += 4;
            if (cp >= 0xd800 && cp <= 0xdbff && tok[p] === '\\' && tok[p + 1] === 'u') {
              const trailing = cvt4hex(tok, p + 2);
              if (trailing >= 0xdc00 && trailing <= 0xdfff) {
                cp = 0x10000 + ((cp & 0x3ff) << 10) + (trailing & 0x3ff);
                p += 6;
              } else {
                cp = -1;
              }
            }
            if (!isValidCodepoint(cp)) {
              this.error(`${tok.slice(beg, p)} is not a valid Unicode character`);
              return undefined;
            }
            out += String.fromCodePoint(cp);
            break;
          }
          default:
            this.error('invalid escape sequence in string');
            return undefined;
        }
        continue;
      }
      const cp = tok.codePointAt(p)!;
      if (!isValidCodepoint(cp)) {
        this.error('invalid UTF-8 sequence in string');
        return undefined;
      }
      out += String.fromCodePoint(cp);
      p += cp > 0xffff ? 2 : 1;
    }
    return out;
  }
}

function cvt4hex(s: string, p: number): number {
  let cp = 0;
  for (let i = 0; i < 4; i++) {
    const c = s[p + i];
    if (c === undefined || !/[0-9a-fA-F]/.test(c)) return -1;
    cp = (cp << 4) | parseInt(c, 16);
  }
  return cp;
}

/* is_valid_codepoint() (util/unicode.c): no surrogates, no noncharacters. */
function isValidCodepoint(cp: number): boolean {
  if (cp < 0 || cp > 0x10ffff) return false;
  if ((cp & 0xfffff800) === 0xd800) return false;
  if (cp >= 0xfdd0 && cp <= 0xfdef) return false;
  if ((cp & 0xfffe) === 0xfffe) return false;
  return true;
}

/* ---- streamer and qobject_from_json() ---- */

/**
 * qobject_from_json(): the one JSON value in `text`, or a QemuError with
 * QEMU's message ("JSON parse error, ...", "Expecting at most one JSON
 * value", "Expecting a JSON value").
 */
export function qobjectFromJson(text: string): QObject {
  const bytes = Buffer.from(text, 'utf8');
  let result: QObject | undefined;
  let err: string | undefined;
  let queue: Token[] = [];
  let braces = 0;
  let brackets = 0;

  // consume_json(): the first error wins; a second value is an error.
  const emit = (json: QObject | undefined, e: string | undefined): void => {
    if (result !== undefined) {
      result = undefined;
      err = 'Expecting at most one JSON value';
    }
    if (err !== undefined) return;
    if (e !== undefined) err = e;
    else result = json;
  };
  const parseQueue = (): void => {
    const p = new Parser(queue);
    const v = p.value();
    emit(p.err === undefined ? v : undefined, p.err);
  };
  const reset = (): void => {
    braces = 0;
    brackets = 0;
    queue = [];
  };

  // json_message_process_token()
  const processToken = (type: Tok, tokText: string): void => {
    switch (type) {
      case Tok.LCURLY: braces++; break;
      case Tok.RCURLY: braces--; break;
      case Tok.LSQUARE: brackets++; break;
      case Tok.RSQUARE: brackets--; break;
      case Tok.ERROR:
        emit(undefined, `JSON parse error, stray '${tokText}'`);
        reset();
        return;
      case Tok.END_OF_INPUT:
        if (queue.length === 0) return;
        parseQueue();
        reset();
        return;
    }
    if (brackets + braces > MAX_NESTING) {
      emit(undefined, 'JSON nesting depth limit exceeded');
      reset();
      return;
    }
    queue.push({ type, text: tokText });
    if ((braces > 0 || brackets > 0) && braces >= 0 && brackets >= 0) return;
    parseQueue();
    reset();
  };

  // json_lexer_feed_char() over every byte, then json_lexer_flush().
  let state: St = St.START;
  let tok: number[] = [];
  const tokText = () => Buffer.from(tok).toString('utf8');
  const feed = (b: number, flush: boolean): void => {
    // while (flush ? state != start : !consumed)
    if (flush && state === St.START) return;
    for (;;) {
      const n = transition(state, b);
      const consumed = !flush && !n.lookahead;
      if (consumed) tok.push(b);
      if (n.to < St.START) {
        if (n.to === Tok.ERROR) {
          processToken(Tok.ERROR, tokText());
          state = St.RECOVERY;
          tok = [];
        } else {
          processToken(n.to as Tok, tokText());
          state = St.START;
          tok = [];
        }
      } else {
        state = n.to as St;
        if (state === St.START || state === St.RECOVERY) tok = [];
      }
      if (flush ? state === St.START : consumed) return;
    }
  };
  for (const b of bytes) feed(b, false);
  feed(0, true);
  processToken(Tok.END_OF_INPUT, '');

  if (err !== undefined) throw new QemuError(err);
  if (result === undefined) throw new QemuError('Expecting a JSON value');
  return result;
}
