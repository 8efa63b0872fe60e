/* The null backend (chardev/char-null.c): drops output, never has input. */
import { typeRegisterStatic } from '../qom/object.js';
import { Chardev, TYPE_CHARDEV } from './char.js';

export class NullChardev extends Chardev {
  /** Never opened towards the frontend (be_opened = false), as QEMU's null backend. */
  override open(): boolean {
    return false;
  }
}

export function registerNullChardev(): void {
  typeRegisterStatic({ name: 'chardev-null', parent: TYPE_CHARDEV, instance: NullChardev });
}
