/*
 * QEMU 7.2 over qtest for the ACPI tests: QtestSession sends one command at
 * a time and hands back its answer; qemuFwCfgFiles() reads every fw_cfg
 * file of a stopped pc (-S): the directory (key 0x19) and each file are
 * fetched with the fw_cfg DMA interface (FWCfgDmaAccess written to RAM, its
 * address to ports 0x514/0x518 big-endian) and read back with `read`.
 */
import { spawn } from 'node:child_process';

const DMA_DESC = 0x1000;
const DMA_BUF = 0x100000;
const bswap32 = (v: number): number => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;

/** A qtest connection to a QEMU 7.2 pc (-nodefaults, no display) started with `args`. */
export class QtestSession {
  private readonly p;
  private buf = '';
  private stderr = '';
  private readonly waiters: Array<{ ok: (l: string) => void; fail: (e: Error) => void }> = [];
  private readonly timer;

  constructor(args: string[], timeoutMs = 30000) {
    this.p = spawn('qemu-system-x86_64', ['-M', 'pc', '-display', 'none', '-nodefaults', '-qtest', 'stdio', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const p = this.p;
    p.on('error', (e) => this.failAll(new Error(`qemu-system-x86_64 is required for the ACPI oracle tests: ${e.message}`)));
    p.on('exit', () => this.failAll(new Error(`QEMU exited early: ${this.stderr}`)));
    p.stdin.on('error', () => {});
    p.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    p.stdout.on('data', (d: Buffer) => {
      this.buf += d.toString();
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl).trim();
        this.buf = this.buf.slice(nl + 1);
        if (line.startsWith('OK') || line.startsWith('FAIL')) this.waiters.shift()?.ok(line);
      }
    });
    this.timer = setTimeout(() => {
      p.kill('SIGKILL');
      this.failAll(new Error(`qtest timed out; stderr: ${this.stderr}`));
    }, timeoutMs);
  }

  private failAll(e: Error): void {
    for (const w of this.waiters.splice(0)) w.fail(e);
  }

  cmd(c: string): Promise<string> {
    return new Promise((ok, fail) => {
      this.waiters.push({ ok, fail });
      this.p.stdin.write(c + '\n');
    });
  }

  /** qtest `read`: guest memory bytes. */
  async read(addr: number, len: number): Promise<Buffer> {
    const r = await this.cmd(`read 0x${addr.toString(16)} ${len}`);
    if (!r.startsWith('OK 0x')) throw new Error(`qtest read failed: ${r}`);
    return Buffer.from(r.slice(5), 'hex');
  }

  close(): void {
    clearTimeout(this.timer);
    this.p.kill('SIGKILL');
  }
}

/** Every fw_cfg file of a stopped QEMU (-S), after the qtest commands `before`. */
export async function qemuFwCfgFiles(args: string[], before: string[] = [], timeoutMs = 30000): Promise<Map<string, Uint8Array>> {
  const q = new QtestSession(['-S', ...args], timeoutMs);
  for (const c of before) await q.cmd(c);
  const dma = async (key: number, len: number): Promise<Uint8Array> => {
    const d = Buffer.alloc(16);
    d.writeUInt32BE(((key << 16) | 0x08 /* select */ | 0x02 /* read */) >>> 0, 0);
    d.writeUInt32BE(len, 4);
    d.writeUInt32BE(0, 8);
    d.writeUInt32BE(DMA_BUF, 12);
    await q.cmd(`write 0x${DMA_DESC.toString(16)} 16 0x${d.toString('hex')}`);
    await q.cmd('outl 0x514 0');
    await q.cmd(`outl 0x518 ${bswap32(DMA_DESC)}`);
    return q.read(DMA_BUF, len);
  };
  try {
    const dir = Buffer.from(await dma(0x19, 4 + 64 * 64));
    const files = new Map<string, Uint8Array>();
    const count = dir.readUInt32BE(0);
    for (let k = 0; k < count; k++) {
      const o = 4 + 64 * k;
      const size = dir.readUInt32BE(o);
      const name = dir.subarray(o + 8, o + 64).toString('latin1').replace(/\0.*$/s, '');
      files.set(name, size ? await dma(dir.readUInt16BE(o + 4), size) : new Uint8Array(0));
    }
    return files;
  } finally {
    q.close();
  }
}
