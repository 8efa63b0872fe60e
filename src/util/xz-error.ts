/** Thrown by the XZ decoder on corrupt, truncated, unsupported or oversized input. */
export class XzError extends Error {
  constructor(message: string) {
    super(`xz: ${message}`);
    this.name = 'XzError';
  }
}
