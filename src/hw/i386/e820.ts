/*
 * The e820 memory map handed to the firmware (hw/i386/e820.c): entries added
 * before the board exists (kvm_arch_init reserves the EPT identity map and TSS
 * pages) come first, then what pc_memory_init adds (pcE820Table in fw_cfg.ts).
 */
export const E820_RAM = 1;
export const E820_RESERVED = 2;

export interface E820Entry {
  address: number;
  length: number;
  type: number;
}

const early: E820Entry[] = [];

/** e820_add_entry() for callers that run before the board (the accelerator's init). */
export function e820AddEntry(address: number, length: number, type: number): void {
  early.push({ address, length, type });
}

/** The entries added so far by e820AddEntry, in order. */
export function e820EarlyEntries(): readonly E820Entry[] {
  return early;
}

/** For tests and a new accelerator init in the same process. */
export function e820Reset(): void {
  early.length = 0;
}
