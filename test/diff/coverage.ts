/*
 * Coverage of the differential test: which decoded operations (Op, with the sub-operation for
 * groups such as the ALU ops or condition codes) ran at which operand size in which mode, and
 * which implemented operations of the integer ISA did not run at all.
 *
 * The list of operations is read from the decoder's own `Op` enum (src/target/i386/tcg/decode.ts),
 * so an operation added to the decoder fails the test until a form exercises it.
 */
import { readFileSync } from 'node:fs';
import type { Insn } from '../../src/target/i386/tcg/decode.js';

/** Groups other helpers own (decode-seg/sys/sse/x87.ts), outside this test's scope. */
const OTHER_GROUPS = new Set(['SEG', 'SYS', 'SSE', 'X87']);
/** Integer operations this test cannot reach from user mode on Linux, and where they are tested instead. */
export const NOT_HERE: Record<string, string> = {
  IRET: 'protected-mode IRET belongs to the seg helper; real-mode IRET is compared with QEMU in test/tcg/realmode-qemu.test.ts',
  INT1: 'ICEBP (F1) is #UD in QEMU 7.2 TCG (built without WANT_ICEBP) and so in tsqemu; the host CPU traps, so it is no oracle',
};
/** Invalid in 64-bit mode (they decode to #UD there). */
const LEGACY_ONLY = new Set(['PUSHA', 'POPA', 'DAA', 'DAS', 'AAA', 'AAS', 'AAM', 'AAD', 'SALC', 'INTO', 'CALLF_AP', 'JMPF_AP']);
/** Only in 64-bit mode (0x63 is ARPL elsewhere). */
const LONG_ONLY = new Set(['MOVSXD']);

const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp', 'test'];
const SHIFT = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'];
const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
/** Operations whose sub-operation is a different instruction, with the names of the subs that must all run. */
const SUBS: Record<string, string[]> = {
  ALU_EG: ALU, ALU_GE: ALU.slice(0, 8), ALU_EI: ALU, SHIFT, JCC: CC, SETCC: CC, CMOV: CC,
  BT_EG: ['bt', 'bts', 'btr', 'btc'], BT_EI: ['bt', 'bts', 'btr', 'btc'], INCDEC: ['inc', 'dec'],
  LOOP: ['loopne', 'loope', 'loop', 'jcxz'], FLAGOP: ['clc', 'stc', 'cli', 'sti', 'cld', 'std'],
  MOVZX: ['', 'b', 'w'], MOVSX: ['', 'b', 'w'],
};

/** The names of the decoder's Op enum, indexed by value. */
export function opNames(decodeTs: string): string[] {
  const m = /export const enum Op \{([\s\S]*?)\n\}/.exec(readFileSync(decodeTs, 'utf8'));
  if (!m) throw new Error(`no Op enum in ${decodeTs}`);
  const body = m[1].replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const names: string[] = [];
  let next = 0;
  for (const part of body.split(',')) {
    const t = part.trim();
    if (!t) continue;
    const [name, value] = t.split('=').map((x) => x.trim());
    if (value !== undefined) next = Number(value);
    names[next++] = name;
  }
  return names;
}

function subName(op: string, sub: number): string {
  const s = SUBS[op];
  return s ? `.${s[sub] ?? sub}` : '';
}

/** Operations whose operand size is 64 bits by default in 64-bit mode: no 32-bit form exists there. */
const NO_D_IN_64 = new Set(['PUSH_R', 'POP_R', 'PUSH_I', 'PUSH_E', 'POP_E', 'CALL', 'CALL_E', 'JMP', 'JMP_E', 'JCC',
  'LOOP', 'RET', 'ENTER', 'LEAVE', 'PUSHF', 'POPF', 'PUSH_SEG', 'POP_SEG']);

const SIZE = ['', 'b', 'w', '', 'd', '', '', '', 'q', '', '', '', '', '', '', '', 'dq'];

export class Coverage {
  /** "OP[.sub]" -> mode -> sizes seen */
  private readonly seen = new Map<string, Map<number, Set<number>>>();

  constructor(private readonly names: string[]) {}

  add(insn: Insn, mode: number): void {
    const op = this.names[insn.op] ?? `op${insn.op}`;
    const key = op + subName(op, insn.sub);
    let modes = this.seen.get(key);
    if (!modes) this.seen.set(key, (modes = new Map()));
    let sizes = modes.get(mode);
    if (!sizes) modes.set(mode, (sizes = new Set()));
    sizes.add(insn.size);
  }

  /** Every (operation, mode) the integer ISA requires, as "KEY [mode]". */
  required(): string[] {
    const out: string[] = [];
    for (const op of this.names) {
      if (!op || OTHER_GROUPS.has(op) || op in NOT_HERE) continue;
      const modes = LEGACY_ONLY.has(op) ? [32] : LONG_ONLY.has(op) ? [64] : [32, 64];
      const subs = SUBS[op]?.filter((s) => s !== '') ?? [''];
      for (const s of subs) for (const m of modes) out.push(`${op}${s ? '.' + s : ''} [${m}]`);
    }
    return out;
  }

  missing(): string[] {
    return this.required().filter((k) => {
      const [key, mode] = k.split(' ');
      return !this.seen.get(key)?.has(Number(mode.slice(1, -1)));
    });
  }

  /**
   * The report: one line per operation with its sizes per mode and the sizes it ran with in one
   * mode but not in the other (where that size exists there), then the operations that did not run.
   */
  report(): string {
    const lines: string[] = [];
    const sizes = (s: Set<number> | undefined): string => (s ? [...s].sort((a, b) => a - b).map((x) => SIZE[x] || String(x)).join(' ') : '-');
    for (const key of [...this.seen.keys()].sort()) {
      const m = this.seen.get(key)!;
      const all = new Set<number>();
      for (const s of m.values()) for (const x of s) all.add(x);
      const gaps: string[] = [];
      for (const mode of [32, 64]) {
        const op = key.split('.')[0];
        if ((mode === 64 && LEGACY_ONLY.has(op)) || (mode === 32 && LONG_ONLY.has(op))) continue;
        for (const x of all) {
          const impossible = (mode === 32 && x >= 8) || (mode === 64 && x === 4 && NO_D_IN_64.has(op));
          if (!impossible && !m.get(mode)?.has(x)) gaps.push(`${SIZE[x] || x}@${mode}`);
        }
      }
      lines.push(`${key.padEnd(20)} 32-bit: ${sizes(m.get(32)).padEnd(10)} 64-bit: ${sizes(m.get(64)).padEnd(10)}${gaps.length ? ' not run: ' + gaps.join(' ') : ''}`);
    }
    const miss = this.missing();
    lines.push('', `implemented integer operations not exercised: ${miss.length ? miss.join(', ') : 'none'}`);
    for (const [op, why] of Object.entries(NOT_HERE)) lines.push(`not in this test: ${op} (${why})`);
    lines.push(`out of scope here (other helpers' groups): ${[...OTHER_GROUPS].join(' ')}`);
    return lines.join('\n') + '\n';
  }
}
