/*
 * Interrupt lines (hw/core/irq.c): a qemu_irq is a handler, its opaque and a
 * line number.  Raising or lowering it calls the handler synchronously; the
 * receiving device (a PIC input, a gsi router) keeps whatever state it needs.
 */
export type IrqHandler = (opaque: unknown, n: number, level: number) => void;

export class IRQState {
  constructor(readonly handler: IrqHandler, readonly opaque: unknown, readonly n: number) {}
}

/** A line may be left unconnected (QEMU's NULL qemu_irq): setting it does nothing. */
export type QemuIrq = IRQState | null;

/** qemu_set_irq(). */
export function qemuSetIrq(irq: QemuIrq, level: number): void {
  if (irq) irq.handler(irq.opaque, irq.n, level);
}

export function qemuIrqRaise(irq: QemuIrq): void {
  qemuSetIrq(irq, 1);
}

export function qemuIrqLower(irq: QemuIrq): void {
  qemuSetIrq(irq, 0);
}

/** qemu_irq_pulse(): an edge for edge-triggered inputs. */
export function qemuIrqPulse(irq: QemuIrq): void {
  qemuSetIrq(irq, 1);
  qemuSetIrq(irq, 0);
}

/** qemu_allocate_irq(). */
export function qemuAllocateIrq(handler: IrqHandler, opaque: unknown, n: number): IRQState {
  return new IRQState(handler, opaque, n);
}

/** qemu_allocate_irqs(): lines 0..n-1 of one handler. */
export function qemuAllocateIrqs(handler: IrqHandler, opaque: unknown, n: number): IRQState[] {
  const out: IRQState[] = [];
  for (let i = 0; i < n; i++) out.push(new IRQState(handler, opaque, i));
  return out;
}
