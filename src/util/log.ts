/*
 * The -d log items (QEMU's qemu_log_mask): categories of diagnostic output that go to the -D
 * file or stderr.  Guest-triggered paths test the mask first, so a disabled item costs one AND.
 */
import { qemuLogWrite } from './trace.js';

export const CPU_LOG_INT = 1 << 4;
export const CPU_LOG_RESET = 1 << 9;
export const LOG_UNIMP = 1 << 10;
export const LOG_GUEST_ERROR = 1 << 11;

/** The log items we produce, in QEMU's -d help order and wording. */
export const QEMU_LOG_ITEMS: ReadonlyArray<[mask: number, name: string, help: string]> = [
  [CPU_LOG_INT, 'int', 'show interrupts/exceptions in short format'],
  [CPU_LOG_RESET, 'cpu_reset', 'show CPU state before CPU resets'],
  [LOG_UNIMP, 'unimp', 'log unimplemented functionality'],
  [LOG_GUEST_ERROR, 'guest_errors', 'log when the guest OS does something invalid (eg accessing a\nnon-existent register)'],
];

/** The enabled items (qemu_loglevel). */
export let qemuLoglevel = 0;

export function qemuSetLogMask(mask: number): void {
  qemuLoglevel = mask;
}

/** qemu_log_mask(): writes `text` (a whole line, newline included) when item `mask` is enabled. */
export function qemuLogMask(mask: number, text: string): void {
  if ((qemuLoglevel & mask) !== 0) qemuLogWrite(text);
}
