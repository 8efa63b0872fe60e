/*
 * The parse step of qemu_init() (src/system/vl-cmdline.ts) with its output
 * captured, so that tests can compare it with the real binary at the same
 * step: what QEMU prints and its exit status, or status undefined when QEMU
 * would go on to build the machine.
 */
import { QemuError, QemuExit, errorInit, setStderrWriter } from '../../src/util/error.js';
import { setStdoutWriter } from '../../src/util/qemu-option.js';
import { moduleCallInit } from '../../src/system/modules.js';
import { parseCommandLine } from '../../src/system/vl-cmdline.js';

export interface OracleResult {
  stdout: string;
  stderr: string;
  /** The exit status, or undefined when QEMU would carry on past the parse step. */
  status: number | undefined;
}

/** parseCommandLine() with stdout, stderr and the exit status captured. */
export function parseCommandLineForOracle(argv: readonly string[]): OracleResult {
  moduleCallInit('qom');
  let stdout = '';
  let stderr = '';
  errorInit(argv[0] ?? 'tsqemu-system-x86_64');
  const oldErr = setStderrWriter((t) => { stderr += t; });
  const oldOut = setStdoutWriter((t) => { stdout += t; });
  let status: number | undefined;
  try {
    parseCommandLine(argv);
  } catch (e) {
    if (e instanceof QemuExit) status = e.status;
    else if (e instanceof QemuError) {
      stderr += e.format();
      status = 1;
    } else {
      throw e;
    }
  } finally {
    setStderrWriter(oldErr);
    setStdoutWriter(oldOut);
  }
  return { stdout, stderr, status };
}
