/*
 * The host-decompression fast path of -kernel bzImage (ours; QEMU has none): the bzImage's
 * compressed payload (hdr.payload_offset/payload_length) is decompressed here, and the vmlinux
 * ELF inside is loaded at its physical addresses and entered at its 64-bit entry (startup_64,
 * the ELF entry), in long mode with identity-mapped page tables, as Firecracker enters a
 * vmlinux.  It saves the guest's own decompression, which the software CPU runs for minutes.
 * What the in-guest decompressor would add and this path does not: the randomised physical and
 * virtual kernel base (KASLR of the kernel text; the kernel's own memory KASLR still runs).
 * docs/boot.md describes it and `TSQEMU_LINUXBOOT_HOST_DECOMPRESS=0` in the environment turns it off (an environment variable, not a machine property, so that the machine's properties stay QEMU 7.2's).
 */
import { gunzipSync } from 'node:zlib';
import { xzDecompress, xzIsStream } from '../../util/xz.js';

/** A loadable piece of vmlinux: file bytes at a physical address, zero-filled up to memsz. */
export interface VmlinuxSegment {
  addr: number;
  data: Uint8Array;
  memsz: number;
}

export interface Vmlinux {
  segments: VmlinuxSegment[];
  /** Physical address of startup_64 (the ELF entry). */
  entry64: number;
  /** The lowest and highest physical addresses the segments cover. */
  low: number;
  high: number;
}

/** The decompressed payload, or undefined when its format is not one we decompress. */
function decompressPayload(payload: Uint8Array, limit: number): Uint8Array | undefined {
  if (payload[0] === 0x1f && payload[1] === 0x8b) return new Uint8Array(gunzipSync(payload, { maxOutputLength: limit }));
  if (xzIsStream(payload) && payload.length > 4) {
    // Kbuild appends the decompressed size (le32) after the .xz stream (size_append).
    const n = payload.length - 4;
    const size = payload[n]! | payload[n + 1]! << 8 | payload[n + 2]! << 16 | payload[n + 3]! << 24;
    const out = xzDecompress(payload.subarray(0, n), limit);
    return out.length === size >>> 0 ? out : undefined;
  }
  return undefined;
}

/**
 * The vmlinux inside a bzImage's protected-mode part (`kernel`, from file offset
 * (setup_sects+1)*512), or undefined if this path cannot take it (an old protocol, a payload
 * format we do not decompress, an image that is not a 64-bit ELF); the caller then boots the
 * compressed kernel as QEMU does.
 */
export function vmlinuxFromBzImage(header: DataView, kernel: Uint8Array, ramSize: number): Vmlinux | undefined {
  const protocol = header.getUint16(0x206, true);
  const XLF_KERNEL_64 = 1;
  if (protocol < 0x20c || (header.getUint16(0x236, true) & XLF_KERNEL_64) === 0) return undefined;
  const off = header.getUint32(0x248, true), len = header.getUint32(0x24c, true);
  if (off + len > kernel.length || len === 0) return undefined;
  let elf: Uint8Array | undefined;
  try {
    elf = decompressPayload(kernel.subarray(off, off + len), ramSize);
  } catch {
    return undefined; // a payload we cannot read: the guest's decompressor reports it
  }
  return elf === undefined ? undefined : parseVmlinux(elf, ramSize);
}

/** The PT_LOAD segments and entry of an x86-64 ELF, each checked to lie inside RAM. */
function parseVmlinux(elf: Uint8Array, ramSize: number): Vmlinux | undefined {
  const v = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const EM_X86_64 = 62, PT_LOAD = 1;
  if (elf.length < 64 || v.getUint32(0, false) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1 ||
    v.getUint16(18, true) !== EM_X86_64) return undefined;
  const u64 = (o: number): number => v.getUint32(o, true) + v.getUint32(o + 4, true) * 2 ** 32;
  const entry64 = u64(24);
  const phoff = u64(32), phentsize = v.getUint16(54, true), phnum = v.getUint16(56, true);
  const segments: VmlinuxSegment[] = [];
  let low = Infinity, high = 0;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (ph + 56 > elf.length) return undefined;
    if (v.getUint32(ph, true) !== PT_LOAD) continue;
    const fileOff = u64(ph + 8), paddr = u64(ph + 24), filesz = u64(ph + 32), memsz = u64(ph + 40);
    if (fileOff + filesz > elf.length || filesz > memsz || paddr + memsz > ramSize) return undefined;
    segments.push({ addr: paddr, data: elf.subarray(fileOff, fileOff + filesz), memsz });
    low = Math.min(low, paddr);
    high = Math.max(high, paddr + memsz);
  }
  if (segments.length === 0 || entry64 < low || entry64 >= high) return undefined;
  return { segments, entry64, low, high };
}
