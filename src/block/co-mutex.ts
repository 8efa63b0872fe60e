/*
 * A FIFO async mutex: QEMU's CoMutex for code that runs on Node's event loop.
 * lock() resolves when the caller owns the mutex; unlock() hands it to the next waiter.
 */
export class CoMutex {
  private locked = false;
  private readonly waiters: Array<() => void> = [];

  lock(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  unlock(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }

  get isLocked(): boolean {
    return this.locked;
  }
}
