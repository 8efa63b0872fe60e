/*
 * The firmware's table-loader script (hw/acpi/bios-linker-loader.c, QEMU
 * 7.2): the commands the firmware runs over fw_cfg files to place them in
 * guest memory, patch pointers between them and fix their checksums.  The
 * script (fw_cfg file "etc/table-loader") is a list of 128-byte entries:
 *   le32 command, then
 *   ALLOCATE (1):      char file[56]; le32 align; u8 zone (1 high, 2 F-segment)
 *   ADD_POINTER (2):   char dest[56]; char src[56]; le32 offset; u8 size
 *   ADD_CHECKSUM (3):  char file[56]; le32 offset; le32 start; le32 length
 *   WRITE_POINTER (4): char dest[56]; char src[56]; le32 dst_offset; le32 src_offset; u8 size
 * ALLOCATE entries come first (they are prepended), so every file exists
 * before a command refers to it.
 *
 * bios_linker_loader_exec() below runs a script host-side the way SeaBIOS's
 * romfile_loader does, for booting without a firmware.
 */

export const BIOS_LINKER_LOADER_COMMAND_ALLOCATE = 0x1;
export const BIOS_LINKER_LOADER_COMMAND_ADD_POINTER = 0x2;
export const BIOS_LINKER_LOADER_COMMAND_ADD_CHECKSUM = 0x3;
export const BIOS_LINKER_LOADER_COMMAND_WRITE_POINTER = 0x4;
export const BIOS_LINKER_LOADER_ALLOC_ZONE_HIGH = 0x1;
export const BIOS_LINKER_LOADER_ALLOC_ZONE_FSEG = 0x2;

/** BIOS_LINKER_LOADER_FILESZ: a file name field, NUL included. */
export const BIOS_LINKER_LOADER_FILESZ = 56;
export const BIOS_LINKER_LOADER_ENTRY_SIZE = 128;

/** The blob a file name stands for, with its contents as the tables code built them. */
export interface BIOSLinkerFile {
  name: string;
  blob: Uint8Array;
}

export type BIOSLinkerCommand =
  | { command: 'allocate'; file: string; align: number; zone: number }
  | { command: 'add-pointer'; destFile: string; srcFile: string; offset: number; size: number }
  | { command: 'add-checksum'; file: string; offset: number; start: number; length: number }
  | { command: 'write-pointer'; destFile: string; srcFile: string; dstOffset: number; srcOffset: number; size: number };

/** BIOSLinker: the files the script refers to and the commands, in script order. */
export class BIOSLinker {
  readonly files: BIOSLinkerFile[] = [];
  readonly commands: BIOSLinkerCommand[] = [];

  /** bios_linker_loader_alloc(): the command is prepended, as QEMU does. */
  alloc(name: string, blob: Uint8Array, align: number, fseg: boolean): void {
    if (align & (align - 1)) throw new Error('bios-linker-loader: alignment must be a power of 2');
    if (this.files.some((f) => f.name === name)) throw new Error(`bios-linker-loader: duplicate file ${name}`);
    this.files.push({ name, blob });
    this.commands.unshift({ command: 'allocate', file: name, align, zone: fseg ? BIOS_LINKER_LOADER_ALLOC_ZONE_FSEG : BIOS_LINKER_LOADER_ALLOC_ZONE_HIGH });
  }

  /**
   * bios_linker_loader_add_checksum(): the firmware sets the byte at
   * `checksumOffset` so that [start, start + size) sums to zero.
   */
  addChecksum(file: string, start: number, size: number, checksumOffset: number): void {
    if (checksumOffset < start || checksumOffset >= start + size) throw new Error('bios-linker-loader: checksum outside its range');
    this.commands.push({ command: 'add-checksum', file, offset: checksumOffset, start, length: size });
  }

  /**
   * bios_linker_loader_add_pointer(): the firmware adds the address of
   * `srcFile` to the `size`-byte little-endian value at `offset` in
   * `destFile`, which holds the offset into the source file.
   */
  addPointer(destFile: string, offset: number, size: number, srcFile: string): void {
    if (![1, 2, 4, 8].includes(size)) throw new Error('bios-linker-loader: bad pointer size');
    this.commands.push({ command: 'add-pointer', destFile, srcFile, offset, size });
  }

  /**
   * bios_linker_loader_write_pointer(): the firmware writes the address of
   * `srcFile` + `srcOffset` into the fw_cfg file `destFile` at `dstOffset`.
   */
  writePointer(destFile: string, dstOffset: number, size: number, srcFile: string, srcOffset: number): void {
    this.commands.push({ command: 'write-pointer', destFile, srcFile, dstOffset, srcOffset, size });
  }

  /** The "etc/table-loader" bytes: 128 bytes a command. */
  serialize(): Uint8Array {
    const out = new Uint8Array(this.commands.length * BIOS_LINKER_LOADER_ENTRY_SIZE);
    const dv = new DataView(out.buffer);
    const name = (o: number, s: string): void => {
      const b = Buffer.from(s, 'latin1');
      if (b.length >= BIOS_LINKER_LOADER_FILESZ) throw new Error(`bios-linker-loader: file name too long: ${s}`);
      out.set(b, o);
    };
    this.commands.forEach((c, i) => {
      const o = i * BIOS_LINKER_LOADER_ENTRY_SIZE;
      switch (c.command) {
        case 'allocate':
          dv.setUint32(o, BIOS_LINKER_LOADER_COMMAND_ALLOCATE, true);
          name(o + 4, c.file);
          dv.setUint32(o + 60, c.align, true);
          out[o + 64] = c.zone;
          break;
        case 'add-pointer':
          dv.setUint32(o, BIOS_LINKER_LOADER_COMMAND_ADD_POINTER, true);
          name(o + 4, c.destFile);
          name(o + 60, c.srcFile);
          dv.setUint32(o + 116, c.offset, true);
          out[o + 120] = c.size;
          break;
        case 'add-checksum':
          dv.setUint32(o, BIOS_LINKER_LOADER_COMMAND_ADD_CHECKSUM, true);
          name(o + 4, c.file);
          dv.setUint32(o + 60, c.offset, true);
          dv.setUint32(o + 64, c.start, true);
          dv.setUint32(o + 68, c.length, true);
          break;
        case 'write-pointer':
          dv.setUint32(o, BIOS_LINKER_LOADER_COMMAND_WRITE_POINTER, true);
          name(o + 4, c.destFile);
          name(o + 60, c.srcFile);
          dv.setUint32(o + 116, c.dstOffset, true);
          dv.setUint32(o + 120, c.srcOffset, true);
          out[o + 124] = c.size;
          break;
      }
    });
    return out;
  }
}

/** A file placed in guest memory by biosLinkerLoaderExec. */
export interface PlacedFile {
  name: string;
  addr: number;
  data: Uint8Array;
}

export interface LoaderPlacement {
  /** Returns the guest address for a file of `size` bytes at `align` in `zone`. */
  allocate(name: string, size: number, align: number, zone: number): number;
}

const readLe = (b: Uint8Array, o: number, size: number): bigint => {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[o + i]!);
  return v;
};

/**
 * Runs a table-loader script as SeaBIOS's romfile_loader does: ALLOCATE
 * copies a file into memory from `placement`; ADD_POINTER adds the source
 * file's address to the pointer in the destination's copy; ADD_CHECKSUM
 * fixes a checksum byte over the copy.  WRITE_POINTER (which writes back to
 * a writable fw_cfg file) needs a fw_cfg device: `writeFwCfg` performs it.
 * Returns the files with their final contents and addresses.
 */
export function biosLinkerLoaderExec(
  script: Uint8Array, files: (name: string) => Uint8Array | undefined, placement: LoaderPlacement,
  writeFwCfg?: (file: string, offset: number, value: Uint8Array) => void,
): PlacedFile[] {
  const placed = new Map<string, PlacedFile>();
  const dv = new DataView(script.buffer, script.byteOffset, script.byteLength);
  const str = (o: number): string => {
    const b = script.subarray(o, o + BIOS_LINKER_LOADER_FILESZ);
    const end = b.indexOf(0);
    return Buffer.from(end < 0 ? b : b.subarray(0, end)).toString('latin1');
  };
  const get = (n: string): PlacedFile => {
    const p = placed.get(n);
    if (!p) throw new Error(`table-loader: file ${n} not allocated`);
    return p;
  };
  for (let o = 0; o + BIOS_LINKER_LOADER_ENTRY_SIZE <= script.length; o += BIOS_LINKER_LOADER_ENTRY_SIZE) {
    const cmd = dv.getUint32(o, true);
    if (cmd === BIOS_LINKER_LOADER_COMMAND_ALLOCATE) {
      const name = str(o + 4);
      const src = files(name);
      if (!src) throw new Error(`table-loader: no fw_cfg file ${name}`);
      const align = dv.getUint32(o + 60, true);
      const addr = placement.allocate(name, src.length, align, script[o + 64]!);
      placed.set(name, { name, addr, data: Uint8Array.from(src) });
    } else if (cmd === BIOS_LINKER_LOADER_COMMAND_ADD_POINTER) {
      const dest = get(str(o + 4));
      const src = get(str(o + 60));
      const off = dv.getUint32(o + 116, true);
      const size = script[o + 120]!;
      if (off + size > dest.data.length) throw new Error('table-loader: pointer outside its file');
      const mask = (1n << BigInt(8 * size)) - 1n;
      let v = (readLe(dest.data, off, size) + BigInt(src.addr)) & mask;
      for (let i = 0; i < size; i++, v >>= 8n) dest.data[off + i] = Number(v & 0xffn);
    } else if (cmd === BIOS_LINKER_LOADER_COMMAND_ADD_CHECKSUM) {
      const f = get(str(o + 4));
      const off = dv.getUint32(o + 60, true);
      const start = dv.getUint32(o + 64, true);
      const len = dv.getUint32(o + 68, true);
      if (start + len > f.data.length || off >= f.data.length) throw new Error('table-loader: checksum outside its file');
      // The romfile loader subtracts the sum of the range from the checksum byte.
      let sum = 0;
      for (let i = start; i < start + len; i++) sum += f.data[i]!;
      f.data[off] = (f.data[off]! - sum) & 0xff;
    } else if (cmd === BIOS_LINKER_LOADER_COMMAND_WRITE_POINTER) {
      const src = get(str(o + 60));
      const size = script[o + 124]!;
      const value = BigInt(src.addr) + BigInt(dv.getUint32(o + 120, true));
      if (!writeFwCfg) throw new Error('table-loader: WRITE_POINTER needs a fw_cfg device');
      writeFwCfg(str(o + 4), dv.getUint32(o + 116, true), Uint8Array.from({ length: size }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn)));
    }
    // Unknown commands (and the zero padding) are skipped, as SeaBIOS does.
  }
  return [...placed.values()];
}
