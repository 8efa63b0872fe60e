/*
 * The x86 I/O port space (QEMU's address_space_io, reduced): handlers own port ranges and are
 * called with (opaque, port offset in the range, value, size).  Unassigned ports read all ones
 * and drop writes, as on a PC.
 */

export interface IOPortOps {
  read(opaque: unknown, offset: number, size: number): number;
  write(opaque: unknown, offset: number, value: number, size: number): void;
}

interface PortRange {
  start: number;
  len: number;
  ops: IOPortOps;
  opaque: unknown;
}

export class IOPortSpace {
  private ranges: PortRange[] = [{ start: 0, len: 0, ops: { read: () => -1, write: () => {} }, opaque: null }];
  /** Range index per port (0 = unassigned). */
  private map = new Uint16Array(65536);

  /** Registers `ops` for ports [start, start+len). A later registration overrides earlier ones. */
  register(start: number, len: number, ops: IOPortOps, opaque: unknown): void {
    if (start < 0 || len <= 0 || start + len > 65536) throw new RangeError('bad I/O port range');
    const idx = this.ranges.length;
    this.ranges.push({ start, len, ops, opaque });
    this.map.fill(idx, start, start + len);
  }

  unregister(start: number, len: number): void {
    this.map.fill(0, start, start + len);
  }

  /** An IN of `size` bytes (1, 2, 4); the result is zero-extended (all ones if unassigned). */
  read(port: number, size: number): number {
    port &= 0xffff;
    const idx = this.map[port];
    const mask = size === 4 ? 0xffffffff : (1 << (size * 8)) - 1;
    if (idx === 0) return mask;
    const r = this.ranges[idx];
    if (port + size > r.start + r.len) {
      // An access spilling over the range end is split into bytes, as QEMU's access_with_adjusted_size.
      let v = 0;
      for (let i = 0; i < size; i++) v |= this.read(port + i, 1) << (8 * i);
      return (v & mask) >>> 0;
    }
    return (r.ops.read(r.opaque, port - r.start, size) & mask) >>> 0;
  }

  write(port: number, value: number, size: number): void {
    port &= 0xffff;
    const idx = this.map[port];
    if (idx === 0) return;
    const r = this.ranges[idx];
    const mask = size === 4 ? 0xffffffff : (1 << (size * 8)) - 1;
    if (port + size > r.start + r.len) {
      for (let i = 0; i < size; i++) this.write(port + i, value >>> (8 * i), 1);
      return;
    }
    r.ops.write(r.opaque, port - r.start, (value & mask) >>> 0, size);
  }
}
