/*
 * Reads every fw_cfg file of a real QEMU 7.2 pc machine (stopped with -S)
 * over qtest: the directory (key 0x19) and each file are fetched with the
 * fw_cfg DMA interface (FWCfgDmaAccess written to RAM, its address to ports
 * 0x514/0x518 big-endian) and read back with qtest's `read`.
 */
import { spawn } from 'node:child_process';

const DMA_DESC = 0x1000;
const DMA_BUF = 0x100000;
const bswap32 = (v: number): number => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;

export async function qemuFwCfgFiles(args: string[], timeoutMs = 30000): Promise<Map<string, Uint8Array>> {
  const p = spawn('qemu-system-x86_64', ['-M', 'pc', '-display', 'none', '-S', '-nodefaults', '-qtest', 'stdio', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let buf = '';
  let stderr = '';
  const waiters: Array<{ ok: (l: string) => void; fail: (e: Error) => void }> = [];
  const failAll = (e: Error): void => {
    for (const w of waiters.splice(0)) w.fail(e);
  };
  p.on('error', (e) => failAll(new Error(`qemu-system-x86_64 is required for the ACPI oracle tests: ${e.message}`)));
  p.on('exit', () => failAll(new Error(`QEMU exited early: ${stderr}`)));
  p.stdin.on('error', () => {});
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  p.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line.startsWith('OK') || line.startsWith('FAIL')) waiters.shift()?.ok(line);
    }
  });
  const timer = setTimeout(() => {
    p.kill('SIGKILL');
    failAll(new Error(`qtest timed out; stderr: ${stderr}`));
  }, timeoutMs);
  const cmd = (c: string): Promise<string> => new Promise((ok, fail) => {
    waiters.push({ ok, fail });
    p.stdin.write(c + '\n');
  });
  const dma = async (key: number, len: number): Promise<Uint8Array> => {
    const d = Buffer.alloc(16);
    d.writeUInt32BE(((key << 16) | 0x08 /* select */ | 0x02 /* read */) >>> 0, 0);
    d.writeUInt32BE(len, 4);
    d.writeUInt32BE(0, 8);
    d.writeUInt32BE(DMA_BUF, 12);
    await cmd(`write 0x${DMA_DESC.toString(16)} 16 0x${d.toString('hex')}`);
    await cmd('outl 0x514 0');
    await cmd(`outl 0x518 ${bswap32(DMA_DESC)}`);
    const r = await cmd(`read 0x${DMA_BUF.toString(16)} ${len}`);
    if (!r.startsWith('OK 0x')) throw new Error(`qtest read failed: ${r}`);
    return Buffer.from(r.slice(5), 'hex');
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
    clearTimeout(timer);
    p.kill('SIGKILL');
  }
}
