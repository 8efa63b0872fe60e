/*
 * A stand-in for the tsqemu binary in the stdio tests: builds the fixture and
 * puts a monitor on stdio the way the start-up code will (`-monitor stdio`,
 * or `-serial mon:stdio`), or QMP on a unix socket, then exits when asked to quit.
 */
import { buildFixture, addCompatMonitor } from '../monitor/fixture.js';
import { resumeMuxOpen, suspendMuxOpen } from '../../src/chardev/char-mux.js';
import { monitorFlushAll, qemuChrNewMuxMon } from '../../src/monitor/monitor-init.js';
import { onShutdownRequest } from '../../src/system/runstate.js';

buildFixture();
onShutdownRequest(() => {
  void monitorFlushAll().then(() => process.exit(0));
});
const mode = process.argv[2];
suspendMuxOpen();
if (mode === 'monitor') await addCompatMonitor('stdio', 'readline');
else if (mode === 'serial-mon') {
  if (!qemuChrNewMuxMon('serial0', 'mon:stdio')) process.exit(1);
} else if (mode === 'qmp') {
  await addCompatMonitor(`unix:${process.argv[3]},server=on,wait=off`, 'control');
} else if (mode === 'two-stdio') {
  await addCompatMonitor('stdio', 'readline');
  if (!qemuChrNewMuxMon('serial0', 'stdio')) process.exit(1);
}
resumeMuxOpen();
