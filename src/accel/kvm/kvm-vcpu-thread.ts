/*
 * A vCPU thread (kvm_vcpu_thread_fn): a worker that loops on KVM_RUN.  It never
 * returns to its event loop while the VM runs, so it talks to the main thread
 * only through the SharedArrayBuffer mailbox and writes diagnostics with
 * fs.writeSync.  Kicks (stop, quit) arrive as a signal that makes KVM_RUN
 * return EINTR, with kvm_run.immediate_exit closing the race.
 */
import { writeSync } from 'node:fs';
import { constants as osc } from 'node:os';
import { workerData } from 'node:worker_threads';
import * as K from './kvm-consts.js';
import * as M from './kvm-mailbox.js';
import { nativeAddon } from './kvm-native.js';

const data = workerData as M.VcpuWorkerData;
const mb = new Int32Array(data.mailbox);
const EINTR = -osc.errno.EINTR;
const EAGAIN = -osc.errno.EAGAIN;

function setState(st: number): void {
  Atomics.store(mb, M.MB_STATE, st);
  Atomics.add(mb, M.MB_SEQ, 1);
  Atomics.notify(mb, M.MB_SEQ);
  Atomics.notify(mb, M.MB_STATE);
}

/** Hands an exit to the main thread and waits for kvm_cpu_exec's verdict. */
function request(kind: number, arg: number): number {
  mb[M.MB_KIND] = kind;
  mb[M.MB_ARG] = arg;
  Atomics.store(mb, M.MB_REQ, M.REQ_PENDING);
  Atomics.notify(mb, M.MB_REQ);
  Atomics.add(mb, M.MB_SEQ, 1);
  Atomics.notify(mb, M.MB_SEQ);
  while (Atomics.load(mb, M.MB_REQ) === M.REQ_PENDING) Atomics.wait(mb, M.MB_REQ, M.REQ_PENDING);
  return mb[M.MB_RET]!;
}

function main(): void {
  const sys = nativeAddon();
  if (!sys) {
    writeSync(2, 'vCPU thread: the native addon cannot be loaded\n');
    setState(M.STATE_FAILED);
    return;
  }
  const fd = data.vcpuFd;
  const run = new DataView(sys.view(data.runAddr, data.runSize));
  // kvm_init_cpu_signals(): the kick signal must interrupt this thread.
  sys.initKickSignal();
  if (data.debugThreads) sys.setThreadName(data.threadName);
  mb[M.MB_TID] = sys.gettid();

  for (;;) {
    // qemu_wait_io_event(): sleep while the VM is stopped.
    setState(M.STATE_PARKED);
    let ctrl: number;
    while ((ctrl = Atomics.load(mb, M.MB_CTRL)) === M.CTRL_STOPPED) Atomics.wait(mb, M.MB_CTRL, M.CTRL_STOPPED);
    if (ctrl === M.CTRL_QUIT) break;
    setState(M.STATE_RUNNING);
    // kvm_cpu_exec(): re-enter KVM_RUN while the exits are handled (ret 0).
    let ret = 0;
    do {
      const r = sys.ioctl(fd, K.KVM_RUN, 0);
      if (r < 0) {
        if (r === EINTR || r === EAGAIN) {
          // kvm_eat_signals() with immediate_exit: clear it before looking at the control word.
          run.setUint8(K.RUN_IMMEDIATE_EXIT, 0);
          ret = M.EXCP_INTERRUPT;
        } else {
          ret = request(M.KIND_RUN_ERROR, -r);
        }
      } else {
        const reason = run.getUint32(K.RUN_EXIT_REASON, true);
        ret = reason === K.KVM_EXIT_IRQ_WINDOW_OPEN ? M.EXCP_INTERRUPT : request(reason, 0);
      }
    } while (ret === 0);
    if (ret === M.EXCP_HLT) {
      // Halted in userspace (no in-kernel irqchip): sleep until kicked.
      Atomics.wait(mb, M.MB_CTRL, M.CTRL_RUN);
    }
  }
  setState(M.STATE_EXITED);
}

main();
