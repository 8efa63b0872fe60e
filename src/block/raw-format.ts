/*
 * The `raw` format driver (block/raw-format.c): the guest sees the protocol node's bytes.
 */
import type { BlockDriverState, BlockStatus } from './block-int.js';

export class RawBDS implements BlockDriverState {
  readonly drvName = 'raw';
  backing: BlockDriverState | undefined = undefined;

  constructor(readonly file: BlockDriverState) {}

  get filename(): string {
    return this.file.filename;
  }

  get readOnly(): boolean {
    return this.file.readOnly;
  }

  getLength(): number {
    return this.file.getLength();
  }

  read(offset: number, buf: Uint8Array): Promise<void> {
    return this.file.read(offset, buf);
  }

  write(offset: number, buf: Uint8Array): Promise<void> {
    return this.file.write(offset, buf);
  }

  writeZeroes(offset: number, len: number, unmap: boolean): Promise<void> {
    return this.file.writeZeroes(offset, len, unmap);
  }

  discard(offset: number, len: number): Promise<void> {
    return this.file.discard(offset, len);
  }

  flush(): Promise<void> {
    return this.file.flush();
  }

  truncate(size: number): Promise<void> {
    return this.file.truncate(size);
  }

  async blockStatus(offset: number, len: number): Promise<BlockStatus> {
    const st = await this.file.blockStatus(offset, len);
    return { ...st, offset };
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
