/*
 * The local APIC of a software vCPU (QEMU 7.2 hw/intc/apic.c + apic_common.c), xAPIC mode:
 * the 4 KiB register file at 0xfee00000 (one 32-bit register per 16 bytes), the interrupt
 * priority logic (IRR/ISR/TPR/PPR), EOI, the LVT timer on the virtual clock, and ICR
 * writes turned into deliveries on the APIC bus.  Everything that touches the vCPU itself
 * (raising its interrupt line, INIT/SIPI/NMI/SMI) goes through callbacks the machine sets.
 */
import { QEMU_CLOCK_VIRTUAL, qemuClockGetNs, timerDel, timerMod, timerNew, type QEMUTimer } from '../../qemu/timer.js';
import type { MemoryRegionOps } from '../../exec/memory.js';

export const APIC_DEFAULT_ADDRESS = 0xfee00000;
export const APIC_SPACE_SIZE = 0x1000;
/** The MMIO window shared by the APIC registers and MSI writes (QEMU's "apic-msi", 1 MiB). */
export const APIC_MSI_REGION_SIZE = 0x100000;

export const MSR_IA32_APICBASE_BSP = 1 << 8;
export const MSR_IA32_APICBASE_ENABLE = 1 << 11;

/** LVT indices, in register order from offset 0x320. */
export const APIC_LVT_TIMER = 0;
export const APIC_LVT_THERMAL = 1;
export const APIC_LVT_PERFORM = 2;
export const APIC_LVT_LINT0 = 3;
export const APIC_LVT_LINT1 = 4;
export const APIC_LVT_ERROR = 5;
export const APIC_LVT_NB = 6;

export const APIC_LVT_MASKED = 1 << 16;
export const APIC_LVT_LEVEL_TRIGGER = 1 << 15;
export const APIC_LVT_TIMER_PERIODIC = 1 << 17;
/** LVT timer mode 2 (bits 17-18): the timer fires at IA32_TSC_DEADLINE (SDM 10.5.4.1). */
export const APIC_LVT_TIMER_TSCDEADLINE = 2 << 17;

export const APIC_SV_ENABLE = 1 << 8;
export const APIC_SV_DIRECTED_IO = 1 << 12;
export const APIC_ESR_ILLEGAL_ADDRESS = 1 << 7;

/** Delivery modes (ICR / LVT bits 8-10). */
export const APIC_DM_FIXED = 0;
export const APIC_DM_LOWPRI = 1;
export const APIC_DM_SMI = 2;
export const APIC_DM_NMI = 4;
export const APIC_DM_INIT = 5;
export const APIC_DM_SIPI = 6;
export const APIC_DM_EXTINT = 7;

export const APIC_TRIGGER_EDGE = 0;
export const APIC_TRIGGER_LEVEL = 1;

/** QEMU's APIC version register low byte (apic_common.c: s->version = 0x14). */
export const APIC_VERSION = 0x14;

/** What a delivery asks of the vCPU beyond the IRR: QEMU's cpu_interrupt() kinds. */
export const enum ApicCpuEvent {
  /**
   * INIT (or INIT level assert): the APIC has already done its INIT reset; the vCPU resets
   * its registers and, if not the BSP, waits for a SIPI.
   */
  INIT = 0,
  /** Start-up IPI with its vector (the vCPU starts at vector << 12). */
  SIPI = 1,
  NMI = 2,
  SMI = 3,
  /** ExtINT: the vCPU takes its vector from the 8259. */
  EXTINT = 4,
}

/** The machine's hooks into the vCPU that owns this APIC. */
export interface ApicCpuHooks {
  /** The APIC's interrupt request towards its vCPU (CPU_INTERRUPT_HARD) changed. */
  setIntr(s: APICCommonState, level: boolean): void;
  /** INIT, SIPI (with vector), NMI, SMI, ExtINT for this APIC's vCPU. */
  cpuEvent(s: APICCommonState, ev: ApicCpuEvent, vector: number): void;
}

/** The APIC bus: every local APIC by id (QEMU's local_apics[]). */
export class ApicBus {
  readonly apics: APICCommonState[] = [];
}

export class APICCommonState {
  id: number;
  /** The id the board gave this APIC; a RESET puts it back in the (writable) ID register. */
  readonly initialApicId: number;
  apicbase = 0;
  tpr = 0;
  spuriousVec = 0xff;
  logDest = 0;
  destMode = 0xf;
  readonly isr = new Uint32Array(8);
  readonly tmr = new Uint32Array(8);
  readonly irr = new Uint32Array(8);
  readonly lvt = new Uint32Array(APIC_LVT_NB);
  esr = 0;
  readonly icr = new Uint32Array(2);
  divideConf = 0;
  countShift = 0;
  initialCount = 0;
  initialCountLoadTime = 0;
  nextTime = 0;
  /**
   * IA32_TSC_DEADLINE in TSC units (0 = disarmed), and the TSC's offset from the virtual
   * clock in ns (the vCPU's TSC counts virtual ns + tscOffset) when it was armed.
   */
  tscDeadline = 0;
  tscOffset = 0;
  waitForSipi = false;
  /** Last level given to hooks.setIntr, so the hook sees changes only. */
  intrLevel = false;
  readonly timer: QEMUTimer;

  constructor(readonly bus: ApicBus, id: number, readonly hooks: ApicCpuHooks) {
    this.id = id;
    this.initialApicId = id;
    this.timer = timerNew(QEMU_CLOCK_VIRTUAL, apicTimer, this);
    bus.apics.push(this);
  }
}

function getHighestPriorityInt(tab: Uint32Array): number {
  for (let i = 7; i >= 0; i--) {
    const w = tab[i]!;
    if (w !== 0) return i * 32 + 31 - Math.clz32(w);
  }
  return -1;
}

function setBit(tab: Uint32Array, n: number): void {
  tab[n >> 5] = tab[n >> 5]! | (1 << (n & 31));
}
function resetBit(tab: Uint32Array, n: number): void {
  tab[n >> 5] = tab[n >> 5]! & ~(1 << (n & 31));
}
function getBit(tab: Uint32Array, n: number): boolean {
  return (tab[n >> 5]! & (1 << (n & 31))) !== 0;
}

/** apic_reset_common() + apic_init_reset(): the state after RESET (bsp) or INIT. */
export function apicResetCommon(s: APICCommonState, bsp: boolean): void {
  s.apicbase = APIC_DEFAULT_ADDRESS | (bsp ? MSR_IA32_APICBASE_BSP : 0) | MSR_IA32_APICBASE_ENABLE;
  s.id = s.initialApicId;
  apicInitReset(s, bsp);
  // The BIOS would set LINT0 to ExtINT on the BSP; QEMU does it at reset so the 8259 reaches
  // CPU 0 while the APIC stays software-disabled.
  if (bsp) s.lvt[APIC_LVT_LINT0] = APIC_DM_EXTINT << 8;
}

/** apic_init_reset(): what INIT clears (the id and APIC base survive). */
export function apicInitReset(s: APICCommonState, bsp: boolean): void {
  s.tpr = 0;
  s.spuriousVec = 0xff;
  s.logDest = 0;
  s.destMode = 0xf;
  s.isr.fill(0);
  s.tmr.fill(0);
  s.irr.fill(0);
  s.lvt.fill(APIC_LVT_MASKED);
  s.esr = 0;
  s.icr.fill(0);
  s.divideConf = 0;
  s.countShift = 0;
  s.initialCount = 0;
  s.initialCountLoadTime = 0;
  s.nextTime = 0;
  s.tscDeadline = 0;
  s.waitForSipi = !bsp;
  timerDel(s.timer);
  apicUpdateIrq(s);
}

/**
 * apic_set_base(): the IA32_APIC_BASE MSR write.  The BSP bit is read-only, and as in
 * QEMU 7.2 a disabled APIC cannot be enabled again; disabling also clears SVR's enable
 * bit.  (QEMU also clears CPUID.1:EDX.APIC then: the caller's job.)  Returns whether
 * the APIC is now disabled.
 */
export function apicSetBase(s: APICCommonState, val: number): boolean {
  s.apicbase = ((val & 0xfffff000) | (s.apicbase & (MSR_IA32_APICBASE_BSP | MSR_IA32_APICBASE_ENABLE))) >>> 0;
  if (!(val & MSR_IA32_APICBASE_ENABLE)) {
    s.apicbase = (s.apicbase & ~MSR_IA32_APICBASE_ENABLE) >>> 0;
    s.spuriousVec &= ~APIC_SV_ENABLE;
    apicUpdateIrq(s);
    return true;
  }
  return false;
}

/** apic_set_tpr(): CR8 writes set TPR bits 7-4. */
export function apicSetTpr(s: APICCommonState, cr8: number): void {
  s.tpr = (cr8 & 0xf) << 4;
  apicUpdateIrq(s);
}

/** apic_get_tpr(): CR8 reads. */
export function apicGetTpr(s: APICCommonState): number {
  return s.tpr >> 4;
}

/** apic_get_ppr(): the TPR, or the in-service class if that is higher. */
export function apicGetPpr(s: APICCommonState): number {
  const tpr = s.tpr >> 4;
  let isrv = getHighestPriorityInt(s.isr);
  if (isrv < 0) isrv = 0;
  isrv >>= 4;
  return tpr >= isrv ? s.tpr : isrv << 4;
}

/** apic_irq_pending(): the highest IRR vector (>0), -1 if masked by the PPR, 0 if none. */
function apicIrqPending(s: APICCommonState): number {
  if (!(s.spuriousVec & APIC_SV_ENABLE)) return 0;
  const irrv = getHighestPriorityInt(s.irr);
  if (irrv < 0) return 0;
  const ppr = apicGetPpr(s);
  if (ppr && (irrv & 0xf0) <= (ppr & 0xf0)) return -1;
  return irrv;
}

/**
 * apic_update_irq(): raises the vCPU's interrupt line while a vector beats the PPR and
 * drops it otherwise.  (QEMU keeps the line up when the 8259 drives it through LINT0;
 * that check belongs to the machine's setIntr hook, which also sees the PIC.)
 */
export function apicUpdateIrq(s: APICCommonState): void {
  const level = apicIrqPending(s) > 0;
  if (level !== s.intrLevel) {
    s.intrLevel = level;
    s.hooks.setIntr(s, level);
  }
}

export function apicHasPendingInterrupt(s: APICCommonState): boolean {
  return apicIrqPending(s) > 0;
}

/** apic_set_irq(): a vector arrives in the IRR; TMR records its trigger mode. */
export function apicDeliverIrq(s: APICCommonState, vector: number, triggerMode: number): void {
  setBit(s.irr, vector);
  if (triggerMode) setBit(s.tmr, vector);
  else resetBit(s.tmr, vector);
  apicUpdateIrq(s);
}

/**
 * apic_get_interrupt(): the vCPU acknowledges; the highest vector moves IRR -> ISR.
 * -1 when there is none (or the APIC is software-disabled, or the 8259 has an ExtINT
 * waiting), the spurious vector when the pending one does not beat the PPR.
 */
export function apicGetInterrupt(s: APICCommonState): number {
  if (!(s.spuriousVec & APIC_SV_ENABLE)) return -1;
  const intno = apicIrqPending(s);
  // the 8259 (ExtINT) is served first: the caller reads it when this returns -1
  if (intno === 0 || apicCheckPic(s)) return -1;
  if (intno < 0) return s.spuriousVec & 0xff;
  resetBit(s.irr, intno);
  setBit(s.isr, intno);
  apicUpdateIrq(s);
  return intno;
}

/** Who hears level-triggered EOIs (QEMU's ioapic_eoi_broadcast); null while there is no I/O APIC. */
let eoiListener: ((vector: number) => void) | null = null;

/** Connects the EOI broadcast of every local APIC to the I/O APIC (or disconnects it with null). */
export function apicSetEoiListener(fn: ((vector: number) => void) | null): void {
  eoiListener = fn;
}

/**
 * apic_eoi(): retires the highest in-service vector; a level-triggered one is broadcast to
 * the I/O APIC unless the SVR suppresses the broadcast (directed EOI).
 */
export function apicEoi(s: APICCommonState): void {
  const isrv = getHighestPriorityInt(s.isr);
  if (isrv < 0) return;
  resetBit(s.isr, isrv);
  if (eoiListener && !(s.spuriousVec & APIC_SV_DIRECTED_IO) && getBit(s.tmr, isrv)) eoiListener(isrv);
  apicUpdateIrq(s);
}

/* --- the 8259's INT output on LINT0 (pic_irq_request / apic_deliver_pic_intr) --- */

/** The 8259's INT output (QEMU asks pic_get_output(isa_pic)). */
let picOutput = false;

/** The 8259's output as the vCPUs' interrupt logic sees it. */
export function apicPicOutput(): boolean {
  return picOutput;
}

/** Records the 8259's output level; the board then offers it to each APIC that accepts it. */
export function apicSetPicOutput(level: boolean): void {
  picOutput = level;
}

/** apic_accept_pic_intr(): a hardware-disabled APIC, or an unmasked LINT0, lets the 8259 through. */
export function apicAcceptPicIntr(s: APICCommonState): boolean {
  return (s.apicbase & MSR_IA32_APICBASE_ENABLE) === 0 || (s.lvt[APIC_LVT_LINT0]! & APIC_LVT_MASKED) === 0;
}

/** apic_deliver_pic_intr(): the 8259's output changed; LINT0 delivers it in its mode. */
export function apicDeliverPicIntr(s: APICCommonState, level: boolean): void {
  if (level) {
    apicLocalDeliver(s, APIC_LVT_LINT0);
    return;
  }
  const lvt = s.lvt[APIC_LVT_LINT0]!;
  switch ((lvt >> 8) & 7) {
    case APIC_DM_FIXED:
      if (!(lvt & APIC_LVT_LEVEL_TRIGGER)) break;
      resetBit(s.irr, lvt & 0xff);
      apicUpdateIrq(s);
      break;
    case APIC_DM_EXTINT:
      // the vCPU's line follows the 8259 (the EXTINT hook re-reads picOutput)
      s.hooks.cpuEvent(s, ApicCpuEvent.EXTINT, 0);
      break;
  }
}

/** apic_check_pic(): an ExtINT from the 8259 goes before the APIC's own vectors. */
function apicCheckPic(s: APICCommonState): boolean {
  if (!apicAcceptPicIntr(s) || !picOutput) return false;
  apicDeliverPicIntr(s, true);
  return true;
}

/** apic_local_deliver(): an LVT entry fires (timer, LINT0/1, ...). */
export function apicLocalDeliver(s: APICCommonState, idx: number): void {
  const lvt = s.lvt[idx]!;
  if (lvt & APIC_LVT_MASKED) return;
  switch ((lvt >> 8) & 7) {
    case APIC_DM_SMI: s.hooks.cpuEvent(s, ApicCpuEvent.SMI, 0); break;
    case APIC_DM_NMI: s.hooks.cpuEvent(s, ApicCpuEvent.NMI, 0); break;
    case APIC_DM_EXTINT: s.hooks.cpuEvent(s, ApicCpuEvent.EXTINT, 0); break;
    case APIC_DM_FIXED: {
      const level = (idx === APIC_LVT_LINT0 || idx === APIC_LVT_LINT1) && (lvt & APIC_LVT_LEVEL_TRIGGER) !== 0;
      apicDeliverIrq(s, lvt & 0xff, level ? APIC_TRIGGER_LEVEL : APIC_TRIGGER_EDGE);
      break;
    }
  }
}

/* --- timer: the count drops by one every 2^countShift ns of virtual time (a 1 GHz bus) --- */

function timerMode(s: APICCommonState): number {
  return (s.lvt[APIC_LVT_TIMER]! >> 17) & 3;
}

/** apic_get_current_count(); always 0 in TSC-deadline mode (SDM 10.5.4.1). */
export function apicGetCurrentCount(s: APICCommonState): number {
  if (timerMode(s) === 2) return 0;
  const d = Math.floor((qemuClockGetNs(QEMU_CLOCK_VIRTUAL) - s.initialCountLoadTime) / (1 << s.countShift));
  if (s.lvt[APIC_LVT_TIMER]! & APIC_LVT_TIMER_PERIODIC) {
    return s.initialCount - (d % (s.initialCount + 1));
  }
  return d >= s.initialCount ? 0 : s.initialCount - d;
}

/** apic_next_timer(): the next expiry after `now` in s.nextTime; false if the timer is idle. */
function apicNextTimer(s: APICCommonState, now: number): boolean {
  // A masked timer keeps counting (the current count reads on) but arms nothing, as in QEMU.
  if (s.lvt[APIC_LVT_TIMER]! & APIC_LVT_MASKED) return false;
  if (timerMode(s) === 2) {
    if (s.tscDeadline === 0) return false;
    s.nextTime = Math.max(0, s.tscDeadline - s.tscOffset);
    return true;
  }
  const unit = 1 << s.countShift;
  let d = Math.floor((now - s.initialCountLoadTime) / unit);
  if (s.lvt[APIC_LVT_TIMER]! & APIC_LVT_TIMER_PERIODIC) {
    if (!s.initialCount) return false;
    d = (Math.floor(d / (s.initialCount + 1)) + 1) * (s.initialCount + 1);
  } else {
    if (d >= s.initialCount) return false;
    d = s.initialCount + 1;
  }
  s.nextTime = s.initialCountLoadTime + d * unit;
  return true;
}

function apicTimerUpdate(s: APICCommonState, now: number): void {
  if (apicNextTimer(s, now)) timerMod(s.timer, s.nextTime);
  else timerDel(s.timer);
}

function apicTimer(opaque: unknown): void {
  const s = opaque as APICCommonState;
  apicLocalDeliver(s, APIC_LVT_TIMER);
  if (timerMode(s) === 2) s.tscDeadline = 0; // a deadline fires once and disarms
  apicTimerUpdate(s, s.nextTime);
}

/**
 * IA32_TSC_DEADLINE read: the armed deadline, 0 once it fired or outside TSC-deadline mode
 * (SDM 10.5.4.1).  Not in QEMU 7.2's TCG APIC.
 */
export function apicGetTscDeadline(s: APICCommonState): number {
  return timerMode(s) === 2 ? s.tscDeadline : 0;
}

/**
 * IA32_TSC_DEADLINE write of `tsc` (a TSC value; 0 disarms) by a vCPU whose TSC is virtual
 * ns + `tscOffset`.  Ignored outside TSC-deadline mode; a past deadline fires at once.
 */
export function apicSetTscDeadline(s: APICCommonState, tsc: number, tscOffset: number): void {
  if (timerMode(s) !== 2) return;
  s.tscDeadline = tsc;
  s.tscOffset = tscOffset;
  apicTimerUpdate(s, qemuClockGetNs(QEMU_CLOCK_VIRTUAL));
}

/* --- ICR: inter-processor interrupts --- */

/** apic_get_delivery_bitmask() for one APIC: physical id match or logical flat/cluster. */
function apicMatchesDest(d: APICCommonState, dest: number, destMode: number): boolean {
  if (destMode === 0) return dest === 0xff || d.id === dest;
  if (d.destMode === 0xf) return (dest & d.logDest) !== 0; // flat
  if (d.destMode === 0) {
    // cluster: high nibble selects the cluster (0xf = all), low nibble the members
    return ((dest & 0xf0) === (d.logDest & 0xf0) || (dest & 0xf0) === 0xf0) && (dest & d.logDest & 0x0f) !== 0;
  }
  return false;
}

/**
 * apic_deliver(): an ICR low write sends an IPI.  Fixed vectors go straight into the
 * targets' IRRs; INIT / SIPI / NMI / SMI go to each target vCPU through its hooks.
 */
function apicDeliver(s: APICCommonState): void {
  const lo = s.icr[0]!;
  const dest = (s.icr[1]! >>> 24) & 0xff;
  const destMode = (lo >> 11) & 1;
  const deliveryMode = (lo >> 8) & 7;
  const vector = lo & 0xff;
  const triggerMode = (lo >> 15) & 1;
  const shorthand = (lo >> 18) & 3;
  if (deliveryMode === APIC_DM_INIT && ((lo >> 14) & 1) === 0 && triggerMode === 1) {
    return; // INIT level de-assert: only resets arbitration ids, which this model does not keep
  }
  apicBusDeliver(s.bus, s, shorthand, dest, destMode, deliveryMode, vector, triggerMode);
}

/**
 * apic_deliver_irq(): an interrupt message from the I/O APIC or a PCI MSI (no shorthand,
 * no source APIC) goes to the APICs `dest` names.
 */
export function apicDeliverIrqToBus(bus: ApicBus, dest: number, destMode: number, deliveryMode: number, vector: number, triggerMode: number): void {
  apicBusDeliver(bus, null, 0, dest, destMode, deliveryMode, vector, triggerMode);
}

/** apic_get_delivery_bitmask() + apic_bus_deliver(). */
function apicBusDeliver(bus: ApicBus, src: APICCommonState | null, shorthand: number, dest: number, destMode: number, deliveryMode: number, vector: number, triggerMode: number): void {
  let lowest: APICCommonState | null = null;
  for (const d of bus.apics) {
    let hit: boolean;
    switch (shorthand) {
      case 0: hit = apicMatchesDest(d, dest, destMode); break;
      case 1: hit = d === src; break;
      case 2: hit = true; break;
      default: hit = d !== src; break;
    }
    if (!hit) continue;
    if (deliveryMode === APIC_DM_LOWPRI) {
      // QEMU does no arbitration: the target with the lowest APIC id takes it
      if (!lowest || d.id < lowest.id) lowest = d;
      continue;
    }
    apicBusDeliverOne(d, deliveryMode, vector, triggerMode);
  }
  if (lowest) apicBusDeliverOne(lowest, APIC_DM_FIXED, vector, triggerMode);
}

function apicBusDeliverOne(d: APICCommonState, deliveryMode: number, vector: number, triggerMode: number): void {
  switch (deliveryMode) {
    case APIC_DM_FIXED: apicDeliverIrq(d, vector, triggerMode); break;
    case APIC_DM_SMI: d.hooks.cpuEvent(d, ApicCpuEvent.SMI, 0); break;
    case APIC_DM_NMI: d.hooks.cpuEvent(d, ApicCpuEvent.NMI, 0); break;
    case APIC_DM_INIT:
      // do_cpu_init's apic_init_reset, done at delivery so a SIPI right behind finds it waiting
      apicInitReset(d, (d.apicbase & MSR_IA32_APICBASE_BSP) !== 0);
      d.hooks.cpuEvent(d, ApicCpuEvent.INIT, 0);
      break;
    case APIC_DM_SIPI:
      // apic_startup(): only a vCPU waiting after INIT starts
      if (d.waitForSipi) {
        d.waitForSipi = false;
        d.hooks.cpuEvent(d, ApicCpuEvent.SIPI, vector);
      }
      break;
    case APIC_DM_EXTINT: d.hooks.cpuEvent(d, ApicCpuEvent.EXTINT, 0); break;
  }
}

/* --- the register file --- */

/** apic_mem_read(): 32-bit accesses only; narrower ones read 0 as in QEMU. */
export function apicMemRead(s: APICCommonState, addr: number, size: number): number {
  if (size < 4) return 0;
  const index = (addr >> 4) & 0xff;
  if (index >= 0x10 && index <= 0x17) return s.isr[index & 7]!;
  if (index >= 0x18 && index <= 0x1f) return s.tmr[index & 7]!;
  if (index >= 0x20 && index <= 0x27) return s.irr[index & 7]!;
  if (index >= 0x32 && index <= 0x37) return s.lvt[index - 0x32]!;
  switch (index) {
    case 0x02: return (s.id << 24) >>> 0;
    case 0x03: return APIC_VERSION | ((APIC_LVT_NB - 1) << 16);
    case 0x08: return s.tpr;
    case 0x09: return 0; // arbitration priority: not modelled, as in QEMU
    case 0x0a: return apicGetPpr(s);
    case 0x0b: return 0;
    case 0x0d: return (s.logDest << 24) >>> 0;
    case 0x0e: return ((s.destMode << 28) | 0x0fffffff) >>> 0;
    case 0x0f: return s.spuriousVec;
    case 0x28: return s.esr;
    case 0x30: return s.icr[0]!;
    case 0x31: return s.icr[1]!;
    case 0x38: return s.initialCount;
    case 0x39: return apicGetCurrentCount(s);
    case 0x3e: return s.divideConf;
    default:
      s.esr |= APIC_ESR_ILLEGAL_ADDRESS;
      return 0;
  }
}

/** apic_mem_write(): 32-bit accesses only; read-only registers ignore writes. */
export function apicMemWrite(s: APICCommonState, addr: number, val: number, size: number): void {
  if (size < 4) return;
  val >>>= 0;
  const index = (addr >> 4) & 0xff;
  if (index >= 0x32 && index <= 0x37) {
    const n = index - 0x32;
    const old = s.lvt[n]!;
    s.lvt[n] = val;
    if (n === APIC_LVT_TIMER) {
      // entering or leaving TSC-deadline mode disarms the timer (SDM 10.5.4.1)
      if (((old ^ val) >> 17) & 3) s.tscDeadline = 0;
      apicTimerUpdate(s, qemuClockGetNs(QEMU_CLOCK_VIRTUAL));
    } else if (n === APIC_LVT_LINT0 && apicCheckPic(s)) {
      apicUpdateIrq(s);
    }
    return;
  }
  if (index >= 0x10 && index <= 0x28) return; // ISR, TMR, IRR, ESR
  switch (index) {
    case 0x02: s.id = val >>> 24; break;
    case 0x03: case 0x09: case 0x0a: case 0x39: break;
    case 0x08: s.tpr = val & 0xff; apicUpdateIrq(s); break;
    case 0x0b: apicEoi(s); break;
    case 0x0d: s.logDest = val >>> 24; break;
    case 0x0e: s.destMode = val >>> 28; break;
    case 0x0f: s.spuriousVec = val & 0x1ff; apicUpdateIrq(s); break;
    case 0x30: s.icr[0] = val; apicDeliver(s); break;
    case 0x31: s.icr[1] = val; break;
    case 0x38:
      if (timerMode(s) === 2) break; // ignored in TSC-deadline mode
      s.initialCount = val;
      s.initialCountLoadTime = qemuClockGetNs(QEMU_CLOCK_VIRTUAL);
      apicTimerUpdate(s, s.initialCountLoadTime);
      break;
    case 0x3e: {
      s.divideConf = val & 0xb;
      // divide value bits 0,1,3 -> 2^((v+1) & 7): 0b0000 = /2 ... 0b1011 = /1
      const v = (s.divideConf & 3) | ((s.divideConf >> 1) & 4);
      s.countShift = (v + 1) & 7;
      break;
    }
    default:
      s.esr |= APIC_ESR_ILLEGAL_ADDRESS;
      break;
  }
}

/* --- the "apic-msi" region: the running vCPU's registers, and MSI writes from anyone --- */

/** The APIC of the vCPU executing now (QEMU's cpu_get_current_apic); null outside guest code. */
let currentApic: APICCommonState | null = null;

/** The vCPU loop names the APIC of the vCPU it runs (null when none runs). */
export function apicSetCurrent(s: APICCommonState | null): void {
  currentApic = s;
}

/**
 * apic_send_msi(): an MSI write at 0xfee00000 + `offset` (address bits 19-12 the destination,
 * bit 2 the destination mode; data bits 7-0 the vector, 10-8 the delivery mode, 15 the trigger).
 */
export function apicSendMsi(bus: ApicBus, offset: number, data: number): void {
  const dest = (offset >>> 12) & 0xff;
  const destMode = (offset >>> 2) & 1;
  apicDeliverIrqToBus(bus, dest, destMode, (data >> 8) & 7, data & 0xff, (data >> 15) & 1);
}

/**
 * The MMIO ops of the 1 MiB "apic-msi" region, opaque = the ApicBus.  As in QEMU, a write at
 * offset 0 or beyond the 4 KiB register page is an MSI; other accesses go to the current
 * vCPU's APIC (reads give 0 when no vCPU runs).
 */
export const apicMsiOps: MemoryRegionOps = {
  read: (_opaque, offset, size) => (currentApic === null ? 0 : apicMemRead(currentApic, offset, size)),
  write: (opaque, offset, value, size) => {
    if (size < 4) return;
    if (offset > 0xfff || (offset >> 4) === 0) {
      apicSendMsi(opaque as ApicBus, offset, value);
      return;
    }
    if (currentApic !== null) apicMemWrite(currentApic, offset, value, size);
  },
};

/** The MMIO ops for a MemoryRegion whose opaque is the APICCommonState (one per vCPU view). */
export const apicIoOps: MemoryRegionOps = {
  read: (opaque, offset, size) => apicMemRead(opaque as APICCommonState, offset, size),
  write: (opaque, offset, value, size) => apicMemWrite(opaque as APICCommonState, offset, value, size),
};
