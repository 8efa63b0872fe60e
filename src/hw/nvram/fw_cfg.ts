/*
 * The firmware configuration device (hw/nvram/fw_cfg.c, QEMU 7.2): numbered
 * items and named files the firmware reads through a selector and a data
 * port, or by DMA.  On the PC (fw_cfg_io) the selector is a 16-bit write to
 * 0x510, data are byte reads at 0x510/0x511, and the DMA register at 0x514
 * takes the big-endian guest address of an FWCfgDmaAccess
 * { be32 control; be32 length; be64 address } as two dword writes.
 *
 * The core only stores items; what a machine puts in them is the board's
 * (hw/i386/fw_cfg.ts for the PC).
 */
import { QemuError } from '../../util/error.js';
import type { IOPortOps, IOPortSpace } from '../../exec/ioport.js';
import type { AddressSpace } from '../../exec/memory.js';

export const FW_CFG_SIGNATURE = 0x00;
export const FW_CFG_ID = 0x01;
export const FW_CFG_UUID = 0x02;
export const FW_CFG_RAM_SIZE = 0x03;
export const FW_CFG_NOGRAPHIC = 0x04;
export const FW_CFG_NB_CPUS = 0x05;
export const FW_CFG_MACHINE_ID = 0x06;
export const FW_CFG_NUMA = 0x0d;
export const FW_CFG_BOOT_MENU = 0x0e;
export const FW_CFG_MAX_CPUS = 0x0f;
export const FW_CFG_FILE_DIR = 0x19;
export const FW_CFG_FILE_FIRST = 0x20;
export const FW_CFG_WRITE_CHANNEL = 0x4000;
export const FW_CFG_ARCH_LOCAL = 0x8000;
const FW_CFG_ENTRY_MASK = ~(FW_CFG_WRITE_CHANNEL | FW_CFG_ARCH_LOCAL) & 0xffff;
const FW_CFG_INVALID = 0xffff;
/** FW_CFG_MAX_FILE_PATH: a directory entry's name field, NUL included. */
export const FW_CFG_MAX_FILE_PATH = 56;

/** FW_CFG_VERSION / FW_CFG_VERSION_DMA: the FW_CFG_ID feature bits. */
const FW_CFG_VERSION = 0x01;
const FW_CFG_VERSION_DMA = 0x02;

const FW_CFG_DMA_CTL_ERROR = 0x01;
const FW_CFG_DMA_CTL_READ = 0x02;
const FW_CFG_DMA_CTL_SKIP = 0x04;
const FW_CFG_DMA_CTL_SELECT = 0x08;
const FW_CFG_DMA_CTL_WRITE = 0x10;
/** FW_CFG_DMA_SIGNATURE: reads of the DMA register give "QEMU CFG" in memory order. */
const FW_CFG_DMA_SIGNATURE = Uint8Array.from('QEMU CFG', (c) => c.charCodeAt(0));
/** sizeof(FWCfgDmaAccess) */
const FW_CFG_DMA_ACCESS_SIZE = 16;

export const FW_CFG_IO_BASE = 0x510;

interface FWCfgEntry {
  data: Uint8Array | undefined;
  allowWrite: boolean;
}

interface FWCfgFile {
  name: string;
  entry: FWCfgEntry;
}

export class FWCfgState {
  /** entries[0]: generic keys, entries[1]: FW_CFG_ARCH_LOCAL keys. */
  readonly entries: FWCfgEntry[][];
  /** The files in directory order (sorted by name); file i is key FW_CFG_FILE_FIRST + i. */
  readonly files: FWCfgFile[] = [];
  curEntry = FW_CFG_INVALID;
  curOffset = 0;
  /** The DMA address being assembled from the high and low dword writes. */
  dmaAddrHigh = 0;
  dmaAs: AddressSpace | undefined;
  readonly dmaEnabled: boolean;

  constructor(readonly fileSlots: number, dmaEnabled: boolean) {
    const max = FW_CFG_FILE_FIRST + fileSlots;
    this.entries = [0, 1].map(() => Array.from({ length: max }, () => ({ data: undefined, allowWrite: false })));
    this.dmaEnabled = dmaEnabled;
  }

  get maxEntry(): number {
    return FW_CFG_FILE_FIRST + this.fileSlots;
  }
}

let current: FWCfgState | undefined;

/** fw_cfg_find(): the machine's fw_cfg device, if it has one. */
export function fwCfgFind(): FWCfgState | undefined {
  return current;
}

function entryFor(s: FWCfgState, key: number): FWCfgEntry {
  const idx = key & FW_CFG_ENTRY_MASK;
  if (idx >= s.maxEntry) throw new RangeError(`fw_cfg key 0x${key.toString(16)} out of range`);
  return s.entries[key & FW_CFG_ARCH_LOCAL ? 1 : 0]![idx]!;
}

/** fw_cfg_add_bytes(). */
export function fwCfgAddBytes(s: FWCfgState, key: number, data: Uint8Array): void {
  entryFor(s, key).data = data;
}

export function fwCfgAddString(s: FWCfgState, key: number, value: string): void {
  fwCfgAddBytes(s, key, Buffer.from(value + '\0', 'latin1'));
}

/** fw_cfg_add_i16/i32/i64: little-endian integers. */
export function fwCfgAddI16(s: FWCfgState, key: number, v: number): void {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v, true);
  fwCfgAddBytes(s, key, b);
}

export function fwCfgAddI32(s: FWCfgState, key: number, v: number): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  fwCfgAddBytes(s, key, b);
}

export function fwCfgAddI64(s: FWCfgState, key: number, v: number): void {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, v % 2 ** 32, true);
  dv.setUint32(4, Math.floor(v / 2 ** 32), true);
  fwCfgAddBytes(s, key, b);
}

/** The FW_CFG_FILE_DIR item: be32 count, then { be32 size; be16 select; be16 reserved; char name[56] }. */
function fwCfgUpdateDir(s: FWCfgState): void {
  const dir = new Uint8Array(4 + 64 * s.files.length);
  const dv = new DataView(dir.buffer);
  dv.setUint32(0, s.files.length);
  s.files.forEach((f, i) => {
    const o = 4 + 64 * i;
    dv.setUint32(o, f.entry.data?.length ?? 0);
    dv.setUint16(o + 4, FW_CFG_FILE_FIRST + i);
    dir.set(Buffer.from(f.name, 'latin1'), o + 8);
  });
  entryFor(s, FW_CFG_FILE_DIR).data = dir;
}

/** Re-points file keys FW_CFG_FILE_FIRST.. at the files in directory order. */
function fwCfgRenumberFiles(s: FWCfgState): void {
  s.files.forEach((f, i) => (s.entries[0]![FW_CFG_FILE_FIRST + i] = f.entry));
  fwCfgUpdateDir(s);
}

/**
 * fw_cfg_add_file(): a named file, kept in name order (7.2 machines sort the
 * directory), with QEMU's errors for duplicates and a full directory.
 */
export function fwCfgAddFile(s: FWCfgState, name: string, data: Uint8Array, allowWrite = false): void {
  if (s.files.length >= s.fileSlots) throw new QemuError('fw_cfg: out of file slots');
  if (s.files.some((f) => f.name === name)) throw new QemuError(`duplicate fw_cfg file name: ${name}`);
  const nameBytes = Buffer.from(name, 'latin1').subarray(0, FW_CFG_MAX_FILE_PATH - 1).toString('latin1');
  let i = 0;
  // strcmp order: byte-wise.
  while (i < s.files.length && Buffer.compare(Buffer.from(s.files[i]!.name, 'latin1'), Buffer.from(nameBytes, 'latin1')) < 0) i++;
  s.files.splice(i, 0, { name: nameBytes, entry: { data, allowWrite } });
  fwCfgRenumberFiles(s);
}

/** fw_cfg_modify_file(): replaces a file's contents (adding it if missing). */
export function fwCfgModifyFile(s: FWCfgState, name: string, data: Uint8Array): void {
  const f = s.files.find((x) => x.name === name);
  if (!f) {
    fwCfgAddFile(s, name, data);
    return;
  }
  f.entry.data = data;
  fwCfgUpdateDir(s);
}

/** fw_cfg_select(): an out-of-range key selects nothing (reads give zeros). */
export function fwCfgSelect(s: FWCfgState, key: number): void {
  s.curOffset = 0;
  s.curEntry = (key & FW_CFG_ENTRY_MASK) >= s.maxEntry ? FW_CFG_INVALID : key;
}

function currentEntry(s: FWCfgState): FWCfgEntry | undefined {
  return s.curEntry === FW_CFG_INVALID ? undefined : s.entries[s.curEntry & FW_CFG_ARCH_LOCAL ? 1 : 0]![s.curEntry & FW_CFG_ENTRY_MASK];
}

/**
 * fw_cfg_data_read(): the next `size` bytes of the item as a big-endian
 * number (a string's bytes in order), zero-padded past its end.
 */
export function fwCfgDataRead(s: FWCfgState, size: number): number {
  const e = currentEntry(s);
  const data = e?.data;
  if (!data || s.curOffset >= data.length) return 0;
  let v = 0;
  let n = size;
  do {
    v = v * 256 + data[s.curOffset++]!;
  } while (--n && s.curOffset < data.length);
  return v * 256 ** n;
}

/** fw_cfg_dma_transfer(): runs the FWCfgDmaAccess at `addr` and writes back its control word. */
export function fwCfgDmaTransfer(s: FWCfgState, addr: number): void {
  const as = s.dmaAs!;
  const hdr = new Uint8Array(FW_CFG_DMA_ACCESS_SIZE);
  as.dmaRead(addr, hdr);
  const dv = new DataView(hdr.buffer);
  let control = dv.getUint32(0);
  let length = dv.getUint32(4);
  let address = dv.getUint32(8) * 2 ** 32 + dv.getUint32(12);
  if (control & FW_CFG_DMA_CTL_SELECT) fwCfgSelect(s, control >>> 16);
  const e = currentEntry(s);
  let read = false, write = false;
  if (control & FW_CFG_DMA_CTL_READ) read = true;
  else if (control & FW_CFG_DMA_CTL_WRITE) write = true;
  else if (!(control & FW_CFG_DMA_CTL_SKIP)) length = 0;
  control = 0;
  while (length > 0 && !(control & FW_CFG_DMA_CTL_ERROR)) {
    const data = e?.data;
    let len: number;
    if (!e || !data || s.curOffset >= data.length) {
      len = length;
      // Past the item's end a read gives zeros and a write fails.
      if (read) as.dmaWrite(address, new Uint8Array(len));
      if (write) control |= FW_CFG_DMA_CTL_ERROR;
    } else {
      len = Math.min(length, data.length - s.curOffset);
      if (read) as.dmaWrite(address, data.subarray(s.curOffset, s.curOffset + len));
      if (write) {
        if (!e.allowWrite || len !== length) control |= FW_CFG_DMA_CTL_ERROR;
        else as.dmaRead(address, data.subarray(s.curOffset, s.curOffset + len));
      }
      s.curOffset += len;
    }
    address += len;
    length -= len;
  }
  const ctl = new Uint8Array(4);
  new DataView(ctl.buffer).setUint32(0, control);
  as.dmaWrite(addr, ctl);
}

/**
 * fw_cfg_comb_mem_ops: byte reads of either port read data; a word write
 * selects; a byte write is the removed legacy data write (ignored); other
 * sizes are invalid accesses, which read as zero.
 */
const fwCfgCombOps: IOPortOps = {
  read: (o, _off, size) => (size === 1 ? fwCfgDataRead(o as FWCfgState, 1) : 0),
  write: (o, _off, val, size) => {
    if (size === 2) fwCfgSelect(o as FWCfgState, val);
  },
};

/**
 * fw_cfg_dma_mem_ops (big-endian): reads give the signature bytes; a dword
 * write at 0 sets the high half of the address, at 4 the low half and starts
 * the transfer.
 */
const fwCfgDmaOps: IOPortOps = {
  read: (_o, off, size) => {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + FW_CFG_DMA_SIGNATURE[off + i]!;
    return v;
  },
  write: (o, off, val, size) => {
    if (size !== 4) return;
    const s = o as FWCfgState;
    // A machine whose RAM cannot be built (too large to run) has nothing to transfer into.
    if (!s.dmaAs) return;
    const be = ((val & 0xff) << 24 | (val & 0xff00) << 8 | (val >>> 8) & 0xff00 | val >>> 24) >>> 0;
    if (off === 0) {
      s.dmaAddrHigh = be;
    } else if (off === 4) {
      const addr = s.dmaAddrHigh * 2 ** 32 + be;
      // The address is consumed: the next access starts from zero.
      s.dmaAddrHigh = 0;
      fwCfgDmaTransfer(s, addr);
    }
  },
};

/**
 * fw_cfg_init_io_dma() + fw_cfg_common_realize(): the ports, the signature,
 * the feature bits and the empty file directory.  Items that depend on the
 * machine configuration are the board's.
 */
export function fwCfgInitIoDma(io: IOPortSpace, dmaAs: AddressSpace | undefined, dmaEnabled: boolean, fileSlots: number): FWCfgState {
  const s = new FWCfgState(fileSlots, dmaEnabled);
  s.dmaAs = dmaAs;
  io.register(FW_CFG_IO_BASE, 2, fwCfgCombOps, s);
  if (s.dmaEnabled) io.register(FW_CFG_IO_BASE + 4, 8, fwCfgDmaOps, s);
  fwCfgAddBytes(s, FW_CFG_SIGNATURE, Uint8Array.from('QEMU', (c) => c.charCodeAt(0)));
  fwCfgAddI32(s, FW_CFG_ID, FW_CFG_VERSION | (s.dmaEnabled ? FW_CFG_VERSION_DMA : 0));
  fwCfgUpdateDir(s);
  current = s;
  return s;
}

/** fw_cfg_reset (DeviceClass.reset): nothing selected. */
export function fwCfgReset(s: FWCfgState): void {
  fwCfgSelect(s, 0);
  s.dmaAddrHigh = 0;
}
