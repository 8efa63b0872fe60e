/*
 * Run states and VM start/stop (system/runstate.c, system/cpus.c): the status
 * query-status reports, the events that go with changes, and shutdown requests.
 */
export type RunState =
  | 'prelaunch' | 'running' | 'paused' | 'shutdown' | 'internal-error' | 'guest-panicked' | 'debug' | 'inmigrate';

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
}

type EventSink = (ev: QmpEvent) => void;
type Hook = () => void;

let state: RunState = 'prelaunch';
const eventSinks: EventSink[] = [];
const resumeHooks: Hook[] = [];
const stopHooks: Hook[] = [];
const shutdownHooks: Array<(reason: ShutdownCause) => void> = [];

export type ShutdownCause = 'host-qmp-quit' | 'host-qmp-system-reset' | 'host-signal' | 'host-ui' | 'guest-shutdown' |
  'guest-reset' | 'guest-panic' | 'host-error' | 'subsystem-reset';

export function runstateGet(): RunState {
  return state;
}

export function runstateIsRunning(): boolean {
  return state === 'running';
}

export function runstateSet(s: RunState): void {
  state = s;
}

/** Monitors subscribe here to broadcast events (monitor_qapi_event_emit). */
export function onQmpEvent(sink: EventSink): () => void {
  eventSinks.push(sink);
  return () => {
    const i = eventSinks.indexOf(sink);
    if (i >= 0) eventSinks.splice(i, 1);
  };
}

export function qapiEvent(event: string, data?: Record<string, unknown>): void {
  for (const s of [...eventSinks]) s(data ? { event, data } : { event });
}

/** resume_all_vcpus() is the accelerator's; it registers here. */
export function onVmResume(h: Hook): void {
  resumeHooks.push(h);
}

export function onVmStop(h: Hook): void {
  stopHooks.push(h);
}

export function onShutdownRequest(h: (reason: ShutdownCause) => void): void {
  shutdownHooks.push(h);
}

/** vm_start(): from prelaunch or paused to running; emits RESUME. */
export function vmStart(): void {
  if (state === 'running') return;
  state = 'running';
  qapiEvent('RESUME');
  for (const h of resumeHooks) h();
}

/** vm_stop(): emits STOP. */
export function vmStop(next: RunState = 'paused'): void {
  if (state !== 'running') {
    state = next === 'paused' && state === 'prelaunch' ? 'prelaunch' : next;
    return;
  }
  for (const h of stopHooks) h();
  state = next;
  qapiEvent('STOP');
}

/** qemu_system_shutdown_request(): emits SHUTDOWN and asks the main loop to exit. */
export function qemuSystemShutdownRequest(reason: ShutdownCause): void {
  qapiEvent('SHUTDOWN', { guest: reason.startsWith('guest'), reason });
  for (const h of shutdownHooks) h(reason);
}

/* ---- system reset (softmmu/runstate.c: qemu_system_reset_request, qemu_system_reset) ---- */

const resetHandlers: Hook[] = [];
let rebootActionShutdown = false;
let resetPending: ShutdownCause | undefined;
let mainLoopWakeup: Hook | undefined;

/** qemu_register_reset(): runs at every system reset, in registration order. */
export function qemuRegisterReset(h: Hook): void {
  resetHandlers.push(h);
}

/** -no-reboot: a reset request shuts the machine down instead (-action reboot=shutdown). */
export function setRebootActionShutdown(on: boolean): void {
  rebootActionShutdown = on;
}

/** Who runs the main loop's request checks soon (the vCPU loop; by default a setImmediate). */
export function setMainLoopWakeup(h: Hook | undefined): void {
  mainLoopWakeup = h;
}

/** qemu_system_reset_request(): under -no-reboot a shutdown, else a reset at the main loop's next check. */
export function qemuSystemResetRequest(reason: ShutdownCause): void {
  if (rebootActionShutdown && reason !== 'subsystem-reset') {
    qemuSystemShutdownRequest(reason);
    return;
  }
  resetPending = reason;
  if (mainLoopWakeup) mainLoopWakeup();
  else setImmediate(qemuResetPoll);
}

/** The reset half of main_loop_should_exit(): performs a requested reset; true if one ran. */
export function qemuResetPoll(): boolean {
  const reason = resetPending;
  if (reason === undefined) return false;
  resetPending = undefined;
  qemuSystemReset(reason);
  // A machine reset while stopped waits in prelaunch for `cont`.
  if (state !== 'running' && state !== 'inmigrate') state = 'prelaunch';
  return true;
}

/** qemu_system_reset(): every reset handler, then RESET (not for subsystem resets). */
export function qemuSystemReset(reason: ShutdownCause): void {
  for (const h of resetHandlers) h();
  if (reason !== 'subsystem-reset') qapiEvent('RESET', { guest: reason.startsWith('guest'), reason });
}

/** For tests that build several machines in one process. */
export function runstateReset(): void {
  state = 'prelaunch';
  resetHandlers.length = 0;
  rebootActionShutdown = false;
  resetPending = undefined;
  mainLoopWakeup = undefined;
  eventSinks.length = 0;
  resumeHooks.length = 0;
  stopHooks.length = 0;
  shutdownHooks.length = 0;
}
