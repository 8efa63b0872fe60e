/*
 * The KVM VM (accel/kvm/kvm-all.c): kvm_init() in QEMU's order, memory slots,
 * interrupt lines, irqfd/ioeventfd, and kvm_init_vcpu()'s fd + kvm_run mapping.
 * All system calls go through the native addon; all logic is here.
 */
import { constants as osc } from 'node:os';
import { errorReport, QemuError, warnReport } from '../../util/error.js';
import { strerrorErrno } from '../../util/strerror.js';
import { trace } from '../../util/trace.js';
import * as K from './kvm-consts.js';
import { nativeAddon, nativeLoadError, type NativeAddon } from './kvm-native.js';
import { kvmArchInit, kvmArchRequiredCapabilities } from '../../target/i386/kvm/kvm.js';

export const KVM_DEVICE = '/dev/kvm';
const EINTR = osc.errno.EINTR;
const EINVAL = osc.errno.EINVAL;

/** What kvm_init() needs from the machine (QEMU reads ms->smp and the accel props). */
export interface KvmInitOptions {
  smpCpus: number;
  maxCpus: number;
  kernelIrqchip: 'on' | 'off' | 'split';
}

/** One guest-physical range backed by host memory (a KVMSlot). */
export interface KvmMemorySlot {
  gpa: number;
  size: number;
  /**
   * Host memory: a buffer from kvmRamAlloc(), or a SharedArrayBuffer such as a
   * shared WebAssembly.Memory's (the TCG guest RAM), which workers can share.
   */
  hostBuffer: ArrayBuffer | SharedArrayBuffer;
  /** Offset of the slot's first byte in hostBuffer (page-aligned). */
  hostOffset?: number;
  readonly?: boolean;
}

interface SlotEntry {
  gpa: number;
  size: number;
  hostAddr: number;
  flags: number;
  /** A view for debug reads (the register dump), made on first use. */
  bytes?: Uint8Array;
}

export class KVMState {
  readonly sys: NativeAddon;
  fd = -1;
  vmfd = -1;
  nrSlots = 32;
  immediateExit = false;
  vcpuMmapSize = 0;
  irqSetIoctl = K.KVM_IRQ_LINE;
  kernelIrqchip = false;
  readonlyMemAllowed = false;
  eventfdsAllowed = false;
  irqfdsAllowed = false;
  internalErrorData = false;
  readonly slots: Array<SlotEntry | undefined> = [];
  /** Reusable argument buffers (no allocation per call). */
  private readonly irqBuf = new DataView(new ArrayBuffer(8));
  private readonly memBuf = new DataView(new ArrayBuffer(32));

  constructor(sys: NativeAddon) {
    this.sys = sys;
  }

  ioctl(req: number, arg?: number | ArrayBuffer | ArrayBufferView): number {
    return this.sys.ioctl(this.fd, req, arg);
  }

  vmIoctl(req: number, arg?: number | ArrayBuffer | ArrayBufferView): number {
    return this.sys.ioctl(this.vmfd, req, arg);
  }

  /** kvm_check_extension(): 0 when absent. */
  checkExtension(cap: number): number {
    const r = this.ioctl(K.KVM_CHECK_EXTENSION, cap);
    return r < 0 ? 0 : r;
  }

  /** kvm_vm_check_extension(). */
  vmCheckExtension(cap: number): number {
    const r = this.vmIoctl(K.KVM_CHECK_EXTENSION, cap);
    return r < 0 ? this.checkExtension(cap) : r;
  }

  /** kvm_set_irq(): level of a GSI on the in-kernel irqchip; returns the status or -errno. */
  setIrq(gsi: number, level: number): number {
    this.irqBuf.setUint32(0, gsi, true);
    this.irqBuf.setUint32(4, level, true);
    const r = this.vmIoctl(this.irqSetIoctl, this.irqBuf);
    if (r < 0) return r;
    return this.irqSetIoctl === K.KVM_IRQ_LINE ? 1 : this.irqBuf.getUint32(4, true);
  }

  /** KVM_SET_USER_MEMORY_REGION for one slot (size 0 deletes it). */
  setUserMemoryRegion(slot: number, e: SlotEntry): number {
    const b = this.memBuf;
    b.setUint32(0, slot, true);
    b.setUint32(4, e.flags, true);
    setU64(b, 8, e.gpa);
    setU64(b, 0x10, e.size);
    setU64(b, 0x18, e.hostAddr);
    const r = this.vmIoctl(K.KVM_SET_USER_MEMORY_REGION, b);
    trace('kvm_set_user_memory', `Slot#${slot} flags=0x${e.flags.toString(16)} gpa=0x${e.gpa.toString(16)} size=0x${e.size.toString(16)} ua=0x${e.hostAddr.toString(16)} ret=${r}`);
    return r;
  }
}

function setU64(b: DataView, off: number, v: number): void {
  b.setUint32(off, v % 0x100000000, true);
  b.setUint32(off + 4, Math.floor(v / 0x100000000), true);
}

let state: KVMState | undefined;

/** kvm_enabled(). */
export function kvmEnabled(): boolean {
  return state !== undefined;
}

/** The VM once kvm_init() succeeded. */
export function kvmState(): KVMState {
  if (!state) throw new Error('KVM is not initialised');
  return state;
}

/** For tests that create several VMs in one process: closes the VM fds. */
export function kvmStateReset(): void {
  if (state) {
    state.sys.close(state.vmfd);
    state.sys.close(state.fd);
  }
  state = undefined;
}

const requiredCapabilities: Array<[string, number]> = [
  ['USER_MEMORY', K.KVM_CAP_USER_MEMORY],
  ['DESTROY_MEMORY_REGION_WORKS', K.KVM_CAP_DESTROY_MEMORY_REGION_WORKS],
  ['JOIN_MEMORY_REGIONS_WORKS', K.KVM_CAP_JOIN_MEMORY_REGIONS_WORKS],
];

/**
 * kvm_init(): returns 0 or -errno after printing QEMU's lines, so that
 * configure_accelerators() prints "failed to initialize kvm: ..." and may fall back.
 */
export function kvmInit(opts: KvmInitOptions): number {
  const sys = nativeAddon();
  if (!sys) {
    errorReport(`the KVM accelerator needs tsqemu's native addon: ${nativeLoadError()}`);
    return -osc.errno.ENOSYS;
  }
  const s = new KVMState(sys);
  const fail = (ret: number): number => {
    if (s.vmfd >= 0) sys.close(s.vmfd);
    if (s.fd >= 0) sys.close(s.fd);
    return ret;
  };
  const fd = sys.open(KVM_DEVICE, sys.O_RDWR);
  if (fd < 0) {
    process.stderr.write(`Could not access KVM kernel module: ${strerrorErrno(-fd)}\n`);
    return fd;
  }
  s.fd = fd;

  let ret = s.ioctl(K.KVM_GET_API_VERSION, 0);
  if (ret < K.KVM_API_VERSION) {
    if (ret >= 0) ret = -EINVAL;
    process.stderr.write('kvm version too old\n');
    return fail(ret);
  }
  if (ret > K.KVM_API_VERSION) {
    process.stderr.write('kvm version not supported\n');
    return fail(-EINVAL);
  }

  s.immediateExit = s.checkExtension(K.KVM_CAP_IMMEDIATE_EXIT) > 0;
  s.nrSlots = s.checkExtension(K.KVM_CAP_NR_MEMSLOTS) || 32;

  do {
    ret = s.ioctl(K.KVM_CREATE_VM, 0);
  } while (ret === -EINTR);
  if (ret < 0) {
    process.stderr.write(`ioctl(KVM_CREATE_VM) failed: ${-ret} ${strerrorErrno(-ret)}\n`);
    return fail(ret);
  }
  s.vmfd = ret;

  // The vCPU limits: the recommended (soft) and maximum (hard) counts.
  const soft = s.vmCheckExtension(K.KVM_CAP_NR_VCPUS) || 4;
  const hard = s.checkExtension(K.KVM_CAP_MAX_VCPUS) || soft;
  for (const [name, num] of [['SMP', opts.smpCpus], ['hotpluggable', opts.maxCpus]] as const) {
    if (num > soft) {
      warnReport(`Number of ${name} cpus requested (${num}) exceeds the recommended cpus supported by KVM (${soft})`);
      if (num > hard) {
        process.stderr.write(`Number of ${name} cpus requested (${num}) exceeds the maximum cpus supported by KVM (${hard})\n`);
        process.exit(1);
      }
    }
  }

  const missing = [...requiredCapabilities, ...kvmArchRequiredCapabilities].find(([, cap]) => s.checkExtension(cap) === 0);
  if (missing) {
    process.stderr.write(`kvm does not support KVM_CAP_${missing[0]}\n` +
      'Please upgrade to at least kernel 2.6.29 or recent kvm-kmod\n(see http://sourceforge.net/projects/kvm).\n');
    return fail(-EINVAL);
  }

  if (s.checkExtension(K.KVM_CAP_IRQ_INJECT_STATUS)) s.irqSetIoctl = K.KVM_IRQ_LINE_STATUS;
  s.readonlyMemAllowed = s.checkExtension(K.KVM_CAP_READONLY_MEM) > 0;
  s.eventfdsAllowed = s.checkExtension(K.KVM_CAP_IOEVENTFD) > 0;
  s.irqfdsAllowed = s.checkExtension(K.KVM_CAP_IRQFD) > 0;
  s.internalErrorData = s.checkExtension(K.KVM_CAP_INTERNAL_ERROR_DATA) > 0;
  s.vcpuMmapSize = s.ioctl(K.KVM_GET_VCPU_MMAP_SIZE, 0);
  if (s.vcpuMmapSize < 0) return fail(s.vcpuMmapSize);

  ret = kvmArchInit(s);
  if (ret < 0) return fail(ret);

  if (opts.kernelIrqchip !== 'on') {
    // The userspace LAPIC/PIC/IOAPIC models that off/split need are not part of tsqemu's KVM yet.
    errorReport(`kernel-irqchip=${opts.kernelIrqchip} is not supported by tsqemu's KVM accelerator yet`);
    return fail(-osc.errno.ENOTSUP);
  }
  kvmIrqchipCreate(s);
  state = s;
  return 0;
}

/** kvm_irqchip_create(): the in-kernel PIC, IOAPIC and LAPICs (must precede KVM_CREATE_VCPU). */
function kvmIrqchipCreate(s: KVMState): void {
  if (!s.checkExtension(K.KVM_CAP_IRQCHIP)) return;
  const ret = s.vmIoctl(K.KVM_CREATE_IRQCHIP, 0);
  if (ret < 0) {
    process.stderr.write(`Create kernel irqchip failed: ${strerrorErrno(-ret)}\n`);
    process.exit(1);
  }
  s.kernelIrqchip = true;
}

/** kvm_irqchip_in_kernel(). */
export function kvmIrqchipInKernel(): boolean {
  return state?.kernelIrqchip ?? false;
}

/**
 * The in-kernel i8254 (hw/i386/kvm/i8254.c kvm_pit_realizefn): created by the
 * machine when it realizes its PIT, as QEMU's kvm-pit device does.
 */
export function kvmPitCreate(): void {
  const s = kvmState();
  const cfg = new DataView(new ArrayBuffer(64));
  cfg.setUint32(0, K.KVM_PIT_SPEAKER_DUMMY, true);
  const ret = s.vmIoctl(K.KVM_CREATE_PIT2, cfg);
  if (ret < 0) throw new QemuError(`Create kernel PIC irqchip failed: ${strerrorErrno(-ret)}`);
}

/**
 * Guest RAM for KVM: one anonymous mapping (page-aligned, as KVM requires),
 * seen by device code through `buffer` and by vCPU workers through hostAddr.
 */
export function kvmRamAlloc(size: number): { buffer: ArrayBuffer; hostAddr: number } {
  const sys = nativeAddon();
  if (!sys) throw new QemuError(`cannot allocate guest RAM for KVM: ${nativeLoadError()}`);
  const r = sys.mmap(size, sys.PROT_READ | sys.PROT_WRITE, sys.MAP_PRIVATE | sys.MAP_ANONYMOUS | sys.MAP_NORESERVE, -1, 0);
  if (typeof r === 'number') throw new QemuError(`cannot set up guest memory 'pc.ram': ${strerrorErrno(-r)}`);
  return { buffer: r, hostAddr: sys.addressOf(r) };
}

/** Releases a kvmRamAlloc() mapping (after every slot using it is gone). */
export function kvmRamFree(buffer: ArrayBuffer): void {
  const sys = nativeAddon();
  if (sys) sys.munmap(sys.addressOf(buffer), buffer.byteLength);
}

/**
 * kvm_set_phys_mem() for an added section: registers a slot and returns its
 * number.  QEMU aborts when registration fails; so does this (an Error).
 */
export function kvmSlotAdd(m: KvmMemorySlot): number {
  const s = kvmState();
  const host = m.hostBuffer instanceof ArrayBuffer ? m.hostBuffer : new Uint8Array(m.hostBuffer);
  const hostAddr = s.sys.addressOf(host) + (m.hostOffset ?? 0);
  const flags = m.readonly && s.readonlyMemAllowed ? K.KVM_MEM_READONLY : 0;
  return addSlot(s, { gpa: m.gpa, size: m.size, hostAddr, flags });
}

function addSlot(s: KVMState, e: SlotEntry): number {
  let slot = s.slots.findIndex((e) => e === undefined);
  if (slot < 0) slot = s.slots.length;
  if (slot >= s.nrSlots) {
    process.stderr.write('kvm_alloc_slot: no free slot available\n');
    throw new Error('kvm_alloc_slot: no free slot available');
  }
  const r = s.setUserMemoryRegion(slot, e);
  if (r < 0) {
    errorReport(`kvm_set_user_memory_region: KVM_SET_USER_MEMORY_REGION failed, slot=${slot}, start=0x${e.gpa.toString(16)}, size=0x${e.size.toString(16)}: ${strerrorErrno(-r)}`);
    errorReport(`kvm_set_phys_mem: error registering slot: ${strerrorErrno(-r)}`);
    throw new Error('KVM_SET_USER_MEMORY_REGION failed');
  }
  s.slots[slot] = e;
  return slot;
}

const PAGE = 4096;

/**
 * The KVM memory listener's job for a whole map at once: `ranges` are the
 * RAM/ROM pieces of the flattened guest-physical map (MMIO stays out of it and
 * exits).  Each range is trimmed to whole host pages (kvm_align_section);
 * slots that no longer match are removed, new ones added, unchanged ones kept.
 */
export function kvmSetMemoryMap(ranges: readonly KvmMemorySlot[]): void {
  const s = kvmState();
  const wanted: SlotEntry[] = [];
  for (const r of ranges) {
    const start = Math.ceil(r.gpa / PAGE) * PAGE;
    const delta = start - r.gpa;
    if (delta >= r.size) continue;
    const size = Math.floor((r.size - delta) / PAGE) * PAGE;
    if (size === 0) continue;
    const host = r.hostBuffer instanceof ArrayBuffer ? r.hostBuffer : new Uint8Array(r.hostBuffer);
    const flags = r.readonly && s.readonlyMemAllowed ? K.KVM_MEM_READONLY : 0;
    wanted.push({ gpa: start, size, hostAddr: s.sys.addressOf(host) + (r.hostOffset ?? 0) + delta, flags });
  }
  const same = (a: SlotEntry, b: SlotEntry): boolean => a.gpa === b.gpa && a.size === b.size && a.hostAddr === b.hostAddr && a.flags === b.flags;
  s.slots.forEach((e, slot) => {
    if (e && !wanted.some((w) => same(w, e))) kvmSlotRemove(slot);
  });
  for (const w of wanted) {
    if (s.slots.some((e) => e !== undefined && same(e, w))) continue;
    addSlot(s, w);
  }
}

/** A guest-physical byte from the slots (cpu_memory_rw_debug for the dump), or undefined outside them. */
export function kvmPhysReadByte(gpa: number): number | undefined {
  if (!state) return undefined;
  for (const e of state.slots) {
    if (e && gpa >= e.gpa && gpa < e.gpa + e.size) {
      e.bytes ??= new Uint8Array(state.sys.view(e.hostAddr, e.size));
      return e.bytes[gpa - e.gpa];
    }
  }
  return undefined;
}

/** kvm_set_phys_mem() for a removed section. */
export function kvmSlotRemove(slot: number): void {
  const s = kvmState();
  const e = s.slots[slot];
  if (!e) return;
  const r = s.setUserMemoryRegion(slot, { ...e, size: 0 });
  if (r < 0) throw new Error(`kvm_set_phys_mem: error unregistering slot: ${strerrorErrno(-r)}`);
  s.slots[slot] = undefined;
}

/** kvm_set_irq(): drives a GSI of the in-kernel irqchip (device interrupt lines). */
export function kvmSetIrq(gsi: number, level: number): void {
  const r = kvmState().setIrq(gsi, level);
  if (r < 0) {
    // kvm_set_irq() aborts on a failure; so does this: a device line cannot be lost silently.
    throw new Error(`kvm_set_irq: ${strerrorErrno(-r)}`);
  }
}

/** An eventfd (EventNotifier) for irqfd / ioeventfd; nonblocking so the main loop can drain it. */
export function kvmEventfdNew(): number {
  const sys = kvmState().sys;
  const fd = sys.eventfd(0, sys.EFD_NONBLOCK);
  if (fd < 0) throw new Error(`eventfd: ${strerrorErrno(-fd)}`);
  return fd;
}

/** kvm_irqchip_assign_irqfd(): writes to `fd` raise `gsi` (edge) without leaving the kernel. */
export function kvmIrqfdAssign(fd: number, gsi: number, assign: boolean, resampleFd = -1): number {
  const b = new DataView(new ArrayBuffer(32));
  b.setUint32(0, fd, true);
  b.setUint32(4, gsi, true);
  let flags = assign ? 0 : K.KVM_IRQFD_FLAG_DEASSIGN;
  if (resampleFd >= 0) {
    flags |= K.KVM_IRQFD_FLAG_RESAMPLE;
    b.setUint32(12, resampleFd, true);
  }
  b.setUint32(8, flags, true);
  return kvmState().vmIoctl(K.KVM_IRQFD, b);
}

/**
 * kvm_set_ioeventfd_pio()/_mmio(): a guest write of `len` bytes to addr
 * (optionally equal to `datamatch`) signals `fd` instead of exiting to us.
 */
export function kvmIoeventfdAssign(fd: number, addr: number, len: number, pio: boolean, assign: boolean, datamatch?: number): number {
  const b = new DataView(new ArrayBuffer(64));
  let flags = 0;
  if (datamatch !== undefined) {
    flags |= K.KVM_IOEVENTFD_FLAG_DATAMATCH;
    setU64(b, 0, datamatch);
  }
  if (pio) flags |= K.KVM_IOEVENTFD_FLAG_PIO;
  if (!assign) flags |= K.KVM_IOEVENTFD_FLAG_DEASSIGN;
  setU64(b, 8, addr);
  b.setUint32(0x10, len, true);
  b.setInt32(0x14, fd, true);
  b.setUint32(0x18, flags, true);
  return kvmState().vmIoctl(K.KVM_IOEVENTFD, b);
}

/**
 * An fd watched by the main loop (QEMU's qemu_set_fd_handler for event
 * notifiers): `onReadable` runs on the main thread whenever fd is readable.
 * Returns the function that stops watching.
 */
export function kvmFdWatch(fd: number, onReadable: () => void): () => void {
  const sys = kvmState().sys;
  const h = sys.pollStart(fd, 1, (status) => {
    if (status >= 0) onReadable();
  });
  if (typeof h === 'number') throw new Error(`uv_poll_start(${fd}): ${h}`);
  let active = true;
  return () => {
    if (active) sys.pollStop(h);
    active = false;
  };
}

/** A vCPU's kernel objects (kvm_init_vcpu before kvm_arch_init_vcpu). */
export interface KvmVcpuFds {
  fd: number;
  /** The kvm_run mapping, seen from the main thread. */
  run: ArrayBuffer;
  runAddr: number;
}

/** kvm_init_vcpu(): KVM_CREATE_VCPU with the APIC id, then mmap of kvm_run. */
export function kvmCreateVcpu(vcpuId: number): KvmVcpuFds {
  const s = kvmState();
  const fd = s.vmIoctl(K.KVM_CREATE_VCPU, vcpuId);
  if (fd < 0) throw new QemuError(`kvm_init_vcpu: kvm_get_vcpu failed (${vcpuId}): ${strerrorErrno(-fd)}`);
  const run = s.sys.mmap(s.vcpuMmapSize, s.sys.PROT_READ | s.sys.PROT_WRITE, s.sys.MAP_SHARED, fd, 0);
  if (typeof run === 'number') {
    throw new QemuError(`kvm_init_vcpu: mmap'ing vcpu state failed (${vcpuId}): ${strerrorErrno(-run)}`);
  }
  trace('kvm_init_vcpu', `id=${vcpuId}`);
  return { fd, run, runAddr: s.sys.addressOf(run) };
}
