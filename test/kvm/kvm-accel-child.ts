/*
 * Child process for the accelerator-selection test: configure_accelerators()
 * with the -machine accel= list given as argv[2]; prints the chosen one.
 */
import { configureAccelerators } from '../../src/accel/accel.js';
import { moduleCallInit } from '../../src/system/modules.js';
import { errorInit, QemuExit, reportFatal } from '../../src/util/error.js';

errorInit('qemu-system-x86_64');
moduleCallInit('qom');
try {
  const ac = configureAccelerators(process.argv[2], []);
  process.stdout.write(`accelerator: ${ac.name}\n`);
  process.exit(0);
} catch (e) {
  process.exit(e instanceof QemuExit ? e.status : reportFatal(e));
}
