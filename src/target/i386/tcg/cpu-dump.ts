/*
 * x86_cpu_dump_state() (target/i386/cpu-dump.c) for the software CPU: the register dump of HMP's
 * "info registers" and of a vCPU that stops on an internal error.  Same layout as QEMU's in
 * long mode and in legacy modes; the x87/SSE part is left out.
 */
import {
  CPUX86State, R_CS, R_LDTR, EFER_LMA, CR0_PE_MASK, DESC_B_MASK, DESC_CS_MASK, DESC_L_MASK, DESC_S_MASK,
} from './cpu-state.js';
import { cpuComputeEflags } from './flags.js';


const SEG_NAMES = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS', 'LDT', 'TR'];
const REG64 = ['RAX', 'RBX', 'RCX', 'RDX', 'RSI', 'RDI', 'RBP', 'RSP', 'R8', 'R9', 'R10', 'R11', 'R12', 'R13', 'R14', 'R15'];
const REG32 = ['EAX', 'EBX', 'ECX', 'EDX', 'ESI', 'EDI', 'EBP', 'ESP'];
/* QEMU's index of each name in env->regs (RAX RCX RDX RBX RSP RBP RSI RDI R8..). */
const REG_INDEX = [0, 3, 1, 2, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15];

export const hex = (v: number, w: number): string => (v >>> 0).toString(16).padStart(w, '0');
/** A canonical address or 64-bit value held as a (signed) double, as 16 hex digits. */
export const hex64 = (v: number): string => v < 0 ? (BigInt.asUintN(64, BigInt(Math.trunc(v)))).toString(16).padStart(16, '0')
  : Math.trunc(v).toString(16).padStart(16, '0');

/** General register r (QEMU's index) as 16 hex digits. */
export function regHex64(env: CPUX86State, r: number): string {
  return hex(env.regs[2 * r + 1]!, 8) + hex(env.regs[2 * r]!, 8);
}

/** The "[ODITSZAPC]" flag string QEMU prints after RFL. */
function eflagsString(f: number): string {
  const bits: Array<[number, string]> = [[11, 'O'], [10, 'D'], [9, 'I'], [8, 'T'], [7, 'S'], [6, 'Z'], [4, 'A'], [2, 'P'], [0, 'C']];
  return bits.map(([b, ch]) => (f >> b) & 1 ? ch : '-').join('');
}

export function x86CpuDumpState(env: CPUX86State, a20: boolean): string {
  const lma = (env.efer & EFER_LMA) !== 0;
  const eflags = cpuComputeEflags(env);
  const cpl = env.segSelector[R_CS]! & 3;
  const out: string[] = [];
  if (lma) {
    for (let i = 0; i < 16; i += 4) {
      out.push(REG64.slice(i, i + 4).map((n, k) => `${n.padEnd(3)}=${regHex64(env, REG_INDEX[i + k]!)}`).join(' '));
    }
    out.push(`RIP=${hex64(env.rip)} RFL=${hex(eflags, 8)} [${eflagsString(eflags)}] CPL=${cpl} II=${env.inhibitIrq ? 1 : 0} A20=${a20 ? 1 : 0} SMM=0 HLT=${env.halted ? 1 : 0}`);
  } else {
    for (let i = 0; i < 8; i += 4) {
      out.push(REG32.slice(i, i + 4).map((n, k) => `${n}=${hex(env.regs[2 * REG_INDEX[i + k]!]!, 8)}`).join(' '));
    }
    out.push(`EIP=${hex(env.rip, 8)} EFL=${hex(eflags, 8)} [${eflagsString(eflags)}] CPL=${cpl} II=${env.inhibitIrq ? 1 : 0} A20=${a20 ? 1 : 0} SMM=0 HLT=${env.halted ? 1 : 0}`);
  }
  for (let s = 0; s < 8; s++) {
    const name = SEG_NAMES[s]!.padEnd(3);
    const base = lma ? hex64(env.segBase[s]!) : hex(env.segBase[s]!, 8);
    let line = `${name}=${hex(env.segSelector[s]!, 4)} ${base} ${hex(env.segLimit[s]!, 8)} ${hex(env.segFlags[s]!, 8)}`;
    const f = env.segFlags[s]!;
    if ((env.cr0 & CR0_PE_MASK) !== 0 && s < R_LDTR && (f & DESC_S_MASK) !== 0) {
      const dpl = (f >> 13) & 3, big = (f & DESC_B_MASK) !== 0;
      if ((f & DESC_CS_MASK) !== 0) {
        const size = lma && (f & DESC_L_MASK) !== 0 ? 'CS64' : big ? 'CS32' : 'CS16';
        line += ` DPL=${dpl} ${size} [${f & (1 << 10) ? 'C' : '-'}${f & (1 << 9) ? 'R' : '-'}${f & (1 << 8) ? 'A' : '-'}]`;
      } else {
        line += ` DPL=${dpl} ${big ? 'DS  ' : 'DS16'} [${f & (1 << 10) ? 'E' : '-'}${f & (1 << 9) ? 'W' : '-'}${f & (1 << 8) ? 'A' : '-'}]`;
      }
    }
    out.push(line);
  }
  const tbl = (n: string, base: number, limit: number): string => `${n}=     ${lma ? hex64(base) : hex(base, 8)} ${hex(limit, 8)}`;
  out.push(tbl('GDT', env.gdtBase, env.gdtLimit));
  out.push(tbl('IDT', env.idtBase, env.idtLimit));
  out.push(`CR0=${hex(env.cr0, 8)} CR2=${lma ? hex64(env.cr2) : hex(env.cr2, 8)} CR3=${lma ? hex64(env.cr3) : hex(env.cr3, 8)} CR4=${hex(env.cr4, 8)}`);
  const dr = (i: number): string => lma ? hex64(env.dr[i]!) : hex(env.dr[i]!, 8);
  out.push(`DR0=${dr(0)} DR1=${dr(1)} DR2=${dr(2)} DR3=${dr(3)} `);
  out.push(`DR6=${dr(6)} DR7=${dr(7)}`);
  out.push(`EFER=${hex(0, 8)}${hex(env.efer, 8)}`);
  return `${out.join('\n')}\n`;
}
