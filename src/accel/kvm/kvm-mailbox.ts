/*
 * The SharedArrayBuffer mailbox between a vCPU worker and the main thread.
 * The worker posts an exit (Atomics.wait for the reply); the main thread
 * handles it with the device models (Atomics.waitAsync) and answers with
 * kvm_cpu_exec()'s return code.  The exit's details stay in the kvm_run page,
 * which both threads map.
 */

export const MB_CTRL = 0; // what the main thread wants: CTRL_*
export const MB_STATE = 1; // where the worker is: STATE_*
export const MB_REQ = 2; // REQ_NONE / REQ_PENDING
export const MB_KIND = 3; // KVM exit reason, or KIND_RUN_ERROR
export const MB_ARG = 4; // errno of a failed KVM_RUN
export const MB_RET = 5; // the reply: 0 (re-enter), EXCP_INTERRUPT, EXCP_HLT, or -1
export const MB_TID = 6; // the worker's thread id (gettid)
export const MB_SEQ = 7; // bumped + notified on every worker event, for synchronous waits
export const MB_INTS = 8;

export const CTRL_STOPPED = 0;
export const CTRL_RUN = 1;
export const CTRL_QUIT = 2;

export const STATE_STARTING = 0;
export const STATE_PARKED = 1;
export const STATE_RUNNING = 2;
export const STATE_EXITED = 3;
export const STATE_FAILED = 4;

export const REQ_NONE = 0;
export const REQ_PENDING = 1;

export const KIND_RUN_ERROR = -1;

// QEMU's cpu_exec()/kvm_cpu_exec() return codes (exec/cpu-all.h).
export const EXCP_INTERRUPT = 0x10000;
export const EXCP_HLT = 0x10001;

/** What the worker receives in workerData. */
export interface VcpuWorkerData {
  mailbox: SharedArrayBuffer;
  vcpuFd: number;
  runAddr: number;
  runSize: number;
  threadName: string;
  debugThreads: boolean;
}
