/* main() of tsqemu-img: the subcommand table (qemu-img.c img_cmds). */
import { errorInit, reportFatal, QemuError } from '../util/error.js';
import { errorExit } from './img-common.js';
import { imgCreate } from './img-create.js';
import { imgInfo, type Out } from './img-info.js';
import { imgCheck } from './img-check.js';
import { imgConvert } from './img-convert.js';
import { imgCompare } from './img-compare.js';
import { imgMap } from './img-map.js';
import { imgSnapshot } from './img-snapshot.js';
import { imgResize, imgRebase, imgCommit } from './img-modify.js';

type Cmd = (argv: string[], out: Out, err: Out) => Promise<number>;

const COMMANDS: Record<string, Cmd> = {
  create: imgCreate,
  info: imgInfo,
  check: imgCheck,
  convert: imgConvert,
  compare: imgCompare,
  map: imgMap,
  snapshot: imgSnapshot,
  resize: imgResize,
  rebase: imgRebase,
  commit: imgCommit,
};

/** Runs one qemu-img command line; returns the exit status.  argv[0] is the program name. */
export async function qemuImgMain(argv: string[], out: Out, err: Out): Promise<number> {
  const cmd = argv[1];
  if (cmd === undefined) throw errorExit('Not enough arguments');
  if (cmd === '--version' || cmd === '-V') {
    out('tsqemu-img version 7.2.0 (tsqemu)\nCopyright (c) 2003-2022 Fabrice Bellard and the QEMU Project developers\n');
    return 0;
  }
  if (cmd === '--help' || cmd === '-h') {
    out(`usage: tsqemu-img [standard options] command [command options]\n\nCommand syntax:\n  ${Object.keys(COMMANDS).join('\n  ')}\n`);
    return 0;
  }
  const fn = COMMANDS[cmd];
  if (!fn) throw errorExit(`Command not found: ${cmd}`);
  return fn(argv.slice(2), out, err);
}

export async function main(argv: string[]): Promise<void> {
  errorInit(argv[0] ?? 'tsqemu-img');
  const out: Out = (s) => process.stdout.write(s);
  const err: Out = (s) => process.stderr.write(s);
  try {
    process.exitCode = await qemuImgMain(argv, out, err);
  } catch (e) {
    const status = reportFatal(e);
    const code = e instanceof QemuError ? (e as QemuError & { exitCode?: number }).exitCode : undefined;
    process.exitCode = code ?? status;
  }
}
