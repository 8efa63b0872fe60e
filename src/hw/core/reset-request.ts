/*
 * qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET) as devices see it: a
 * guest-initiated reset (i8042 pulse, port 0x92 bit 0).  The start-up code
 * installs what a reset does (reset the machine, or shut down with -no-reboot);
 * until then the request is only recorded.
 */
let handler: (() => void) | undefined;
let pending = false;

export function qemuSystemResetRequest(): void {
  pending = true;
  handler?.();
}

export function setSystemResetHandler(h: (() => void) | undefined): void {
  handler = h;
}

/** True once after each request (the main loop's qemu_reset_requested()). */
export function qemuResetRequested(): boolean {
  const r = pending;
  pending = false;
  return r;
}
