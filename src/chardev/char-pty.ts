/*
 * The pty backend (chardev/char-pty.c) needs openpty(), which Node cannot call
 * without native code.  The type exists so that `-chardev pty` and `-serial pty`
 * say so plainly; it is left out of `-chardev help`.
 */
import { typeRegisterStatic } from '../qom/object.js';
import { QemuError } from '../util/error.js';
import { Chardev, TYPE_CHARDEV } from './char.js';

export class PtyChardev extends Chardev {
  override open(): boolean {
    throw new QemuError('chardev: pty: not supported yet');
  }
}

export function registerPtyChardev(): void {
  typeRegisterStatic({
    name: 'chardev-pty',
    parent: TYPE_CHARDEV,
    instance: PtyChardev,
    classInit: (oc) => {
      oc.unsupported = true;
    },
  });
}
