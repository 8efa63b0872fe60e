/*
 * Error reporting in QEMU's format (util/error-report.c, util/error.c).
 *
 * User errors are thrown as QemuError and printed once, at the top level, as
 *   <prog>: [<location>: ]<message>
 * followed by optional hint lines, then the process exits 1.  Warnings are
 * printed at once as "<prog>: [<location>: ]warning: <message>".
 */

let progName = 'tsqemu-system-x86_64';
let location: string | undefined;

export function errorInit(argv0: string): void {
  const base = argv0.split('/').pop();
  if (base) progName = base;
}

export function getProgName(): string {
  return progName;
}

/** QEMU's loc_set_cmdline(): the option being processed, printed before messages. */
export function locSet(loc: string | undefined): void {
  location = loc;
}

export function locGet(): string | undefined {
  return location;
}

/** Runs fn with the location set to `-opt arg`, as QEMU does while it handles one option. */
export function withLoc<T>(loc: string, fn: () => T): T {
  const saved = location;
  location = loc;
  try {
    return fn();
  } finally {
    location = saved;
  }
}

/** withLoc() for an asynchronous step of start-up (a chardev that connects, a file that opens). */
export async function withLocAsync<T>(loc: string | undefined, fn: () => Promise<T>): Promise<T> {
  const saved = location;
  location = loc;
  try {
    return await fn();
  } finally {
    location = saved;
  }
}

export class QemuError extends Error {
  readonly hint: string | undefined;
  readonly loc: string | undefined;
  /** `loc` defaults to the current location; null reports none (an error raised after the option was handled). */
  constructor(message: string, hint?: string, loc: string | null | undefined = location) {
    super(message);
    this.name = 'QemuError';
    this.hint = hint;
    this.loc = loc ?? undefined;
  }

  /** The text QEMU would print on stderr for this error. */
  format(): string {
    let s = `${progName}: ${this.loc !== undefined ? this.loc + ': ' : ''}${this.message}\n`;
    if (this.hint) s += this.hint.endsWith('\n') ? this.hint : this.hint + '\n';
    return s;
  }
}

/** Raised when QEMU would exit(status) on purpose, e.g. after printing help. */
export class QemuExit extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
    this.name = 'QemuExit';
  }
}

export type Writer = (text: string) => void;
let stderrWriter: Writer = (t) => process.stderr.write(t);

/** Lets tests and the monitor capture what would go to stderr. */
export function setStderrWriter(w: Writer): Writer {
  const old = stderrWriter;
  stderrWriter = w;
  return old;
}

/** error_printf(): raw text on stderr, with no program or location prefix. */
export function errorPrintf(text: string): void {
  stderrWriter(text);
}

export function errorReport(message: string): void {
  stderrWriter(`${progName}: ${location !== undefined ? location + ': ' : ''}${message}\n`);
}

export function warnReport(message: string): void {
  stderrWriter(`${progName}: ${location !== undefined ? location + ': ' : ''}warning: ${message}\n`);
}

export function infoReport(message: string): void {
  stderrWriter(`${progName}: ${location !== undefined ? location + ': ' : ''}info: ${message}\n`);
}

/** Prints an error caught at the top level and returns the exit status. */
export function reportFatal(e: unknown): number {
  if (e instanceof QemuExit) return e.status;
  if (e instanceof QemuError) {
    stderrWriter(e.format());
    return 1;
  }
  // An internal bug: still one line, but with enough to find it.
  const msg = e instanceof Error ? e.message : String(e);
  stderrWriter(`${progName}: internal error: ${msg}\n`);
  if (process.env.TSQEMU_DEBUG && e instanceof Error && e.stack) stderrWriter(e.stack + '\n');
  return 1;
}
