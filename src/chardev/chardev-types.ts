/* type_init() of every chardev backend: call once from module_call_init(MODULE_INIT_QOM). */
import { registerChardevBaseType } from './char.js';
import { registerNullChardev } from './char-null.js';
import { registerFileChardev } from './char-file.js';
import { registerStdioChardev } from './char-stdio.js';
import { registerSocketChardev } from './char-socket.js';
import { registerMuxChardev } from './char-mux.js';
import { registerPtyChardev } from './char-pty.js';

export function registerChardevTypes(): void {
  registerChardevBaseType();
  registerNullChardev();
  registerFileChardev();
  registerStdioChardev();
  registerSocketChardev();
  registerMuxChardev();
  registerPtyChardev();
}
