/*
 * The monitor's line editor (util/readline.c): insert, backspace, delete,
 * cursor movement (arrows, Home/End, C-a/C-e), C-w, history (up/down, C-p/C-n).
 * Redraws the way QEMU does: back to the start of the old line with ESC[D,
 * the new line, ESC[K, then the cursor to its place.
 */
const HISTORY_MAX = 64;

type EscState = 'norm' | 'esc' | 'csi' | 'ss3';

export class ReadLineState {
  private buf = '';
  private index = 0;
  private lastBuf = '';
  private lastIndex = 0;
  private esc: EscState = 'norm';
  private escParam = 0;
  private history: string[] = [];
  private histEntry = -1;
  prompt = '(qemu) ';

  constructor(
    private readonly printf: (s: string) => void,
    private readonly onLine: (line: string) => void,
  ) {}

  /** readline_show_prompt(). */
  showPrompt(): void {
    this.printf(this.prompt);
    this.lastBuf = '';
    this.lastIndex = 0;
  }

  /** readline_restart(). */
  restart(): void {
    this.buf = '';
    this.index = 0;
  }

  handleByte(ch: number): void {
    switch (this.esc) {
      case 'norm':
        switch (ch) {
          case 1: this.index = 0; break;
          case 4: this.deleteChar(); break;
          case 5: this.index = this.buf.length; break;
          case 10:
          case 13: {
            const line = this.buf;
            this.histAdd(line);
            this.printf('\n');
            this.buf = '';
            this.index = 0;
            this.lastBuf = '';
            this.lastIndex = 0;
            this.onLine(line);
            return;
          }
          case 14: this.histDown(); break;
          case 16: this.histUp(); break;
          case 23: this.backWord(); break;
          case 27: this.esc = 'esc'; break;
          case 127:
          case 8: this.backspace(); break;
          case 155: this.esc = 'csi'; this.escParam = 0; break;
          default:
            if (ch >= 32) this.insert(String.fromCharCode(ch));
        }
        break;
      case 'esc':
        if (ch === 0x5b) { this.esc = 'csi'; this.escParam = 0; }
        else if (ch === 0x4f) this.esc = 'ss3';
        else this.esc = 'norm';
        break;
      case 'csi':
        this.esc = 'norm';
        switch (ch) {
          case 0x41: this.histUp(); break; // A
          case 0x42: this.histDown(); break; // B
          case 0x43: if (this.index < this.buf.length) this.index++; break; // C
          case 0x44: if (this.index > 0) this.index--; break; // D
          case 0x7e: // ~
            if (this.escParam === 1) this.index = 0;
            else if (this.escParam === 3) this.deleteChar();
            else if (this.escParam === 4) this.index = this.buf.length;
            break;
          default:
            if (ch >= 0x30 && ch <= 0x39) {
              this.escParam = this.escParam * 10 + (ch - 0x30);
              this.esc = 'csi';
            }
        }
        break;
      case 'ss3':
        this.esc = 'norm';
        if (ch === 0x46) this.index = this.buf.length; // F
        else if (ch === 0x48) this.index = 0; // H
        break;
    }
    this.update();
  }

  private insert(c: string): void {
    this.buf = this.buf.slice(0, this.index) + c + this.buf.slice(this.index);
    this.index++;
  }

  private backspace(): void {
    if (this.index === 0) return;
    this.buf = this.buf.slice(0, this.index - 1) + this.buf.slice(this.index);
    this.index--;
  }

  private deleteChar(): void {
    if (this.index < this.buf.length) this.buf = this.buf.slice(0, this.index) + this.buf.slice(this.index + 1);
  }

  /** readline_backword(): C-w deletes the word before the cursor. */
  private backWord(): void {
    let start = this.index - 1;
    while (start >= 0 && this.buf[start] === ' ') start--;
    while (start >= 0 && this.buf[start] !== ' ') start--;
    start++;
    this.buf = this.buf.slice(0, start) + this.buf.slice(this.index);
    this.index = start;
  }

  private histAdd(line: string): void {
    this.histEntry = -1;
    if (!line) return;
    const i = this.history.indexOf(line);
    if (i >= 0) this.history.splice(i, 1);
    this.history.push(line);
    if (this.history.length > HISTORY_MAX) this.history.shift();
  }

  private histUp(): void {
    if (this.histEntry === 0 || this.history.length === 0) return;
    this.histEntry = this.histEntry === -1 ? this.history.length - 1 : this.histEntry - 1;
    this.buf = this.history[this.histEntry]!;
    this.index = this.buf.length;
  }

  private histDown(): void {
    if (this.histEntry === -1) return;
    if (this.histEntry < this.history.length - 1) {
      this.buf = this.history[++this.histEntry]!;
    } else {
      this.histEntry = -1;
      this.buf = '';
    }
    this.index = this.buf.length;
  }

  /** readline_update(). */
  private update(): void {
    let out = '';
    if (this.buf !== this.lastBuf) {
      out += '\x1b[D'.repeat(this.lastIndex);
      out += this.buf + '\x1b[K';
      this.lastBuf = this.buf;
      this.lastIndex = this.buf.length;
    }
    if (this.index !== this.lastIndex) {
      const delta = this.index - this.lastIndex;
      out += delta > 0 ? '\x1b[C'.repeat(delta) : '\x1b[D'.repeat(-delta);
      this.lastIndex = this.index;
    }
    if (out) this.printf(out);
  }
}
