/*
 * Numbers from <linux/kvm.h> (x86-64): ioctl requests, capabilities, exit
 * reasons and struct offsets.  Values were taken from the uapi headers by
 * compiling a C program (see shared/reference/kvm-direct-boot.md §1.1).
 */

export const KVM_API_VERSION = 12;

// System ioctls (/dev/kvm).
export const KVM_GET_API_VERSION = 0xae00;
export const KVM_CREATE_VM = 0xae01;
export const KVM_GET_MSR_INDEX_LIST = 0xc004ae02;
export const KVM_CHECK_EXTENSION = 0xae03;
export const KVM_GET_VCPU_MMAP_SIZE = 0xae04;
export const KVM_GET_SUPPORTED_CPUID = 0xc008ae05;

// VM ioctls.
export const KVM_CREATE_VCPU = 0xae41;
export const KVM_SET_USER_MEMORY_REGION = 0x4020ae46;
export const KVM_SET_TSS_ADDR = 0xae47;
export const KVM_SET_IDENTITY_MAP_ADDR = 0x4008ae48;
export const KVM_CREATE_IRQCHIP = 0xae60;
export const KVM_IRQ_LINE = 0x4008ae61;
export const KVM_IRQ_LINE_STATUS = 0xc008ae67;
export const KVM_IRQFD = 0x4020ae76;
export const KVM_CREATE_PIT2 = 0x4040ae77;
export const KVM_IOEVENTFD = 0x4040ae79;
export const KVM_SIGNAL_MSI = 0x4020aea5;

// vCPU ioctls.
export const KVM_RUN = 0xae80;
export const KVM_GET_REGS = 0x8090ae81;
export const KVM_SET_REGS = 0x4090ae82;
export const KVM_GET_SREGS = 0x8138ae83;
export const KVM_SET_SREGS = 0x4138ae84;
export const KVM_TRANSLATE = 0xc018ae85;
export const KVM_GET_MSRS = 0xc008ae88;
export const KVM_SET_MSRS = 0x4008ae89;
export const KVM_GET_FPU = 0x81a0ae8c;
export const KVM_SET_FPU = 0x41a0ae8d;
export const KVM_GET_LAPIC = 0x8400ae8e;
export const KVM_SET_LAPIC = 0x4400ae8f;
export const KVM_SET_CPUID2 = 0x4008ae90;
export const KVM_GET_CPUID2 = 0xc008ae91;
export const KVM_GET_MP_STATE = 0x8004ae98;
export const KVM_SET_MP_STATE = 0x4004ae99;
export const KVM_GET_VCPU_EVENTS = 0x8040ae9f;
export const KVM_GET_DEBUGREGS = 0x8080aea1;

// Capabilities.
export const KVM_CAP_IRQCHIP = 0;
export const KVM_CAP_HLT = 1;
export const KVM_CAP_USER_MEMORY = 3;
export const KVM_CAP_SET_TSS_ADDR = 4;
export const KVM_CAP_EXT_CPUID = 7;
export const KVM_CAP_NR_VCPUS = 9;
export const KVM_CAP_NR_MEMSLOTS = 10;
export const KVM_CAP_MP_STATE = 14;
export const KVM_CAP_COALESCED_MMIO = 15;
export const KVM_CAP_DESTROY_MEMORY_REGION_WORKS = 21;
export const KVM_CAP_JOIN_MEMORY_REGIONS_WORKS = 30;
export const KVM_CAP_IRQ_ROUTING = 25;
export const KVM_CAP_IRQ_INJECT_STATUS = 26;
export const KVM_CAP_IRQFD = 32;
export const KVM_CAP_PIT2 = 33;
export const KVM_CAP_SET_BOOT_CPU_ID = 34;
export const KVM_CAP_IOEVENTFD = 36;
export const KVM_CAP_SET_IDENTITY_MAP_ADDR = 37;
export const KVM_CAP_INTERNAL_ERROR_DATA = 40;
export const KVM_CAP_MAX_VCPUS = 66;
export const KVM_CAP_TSC_DEADLINE_TIMER = 72;
export const KVM_CAP_READONLY_MEM = 81;
export const KVM_CAP_IMMEDIATE_EXIT = 136;

// Exit reasons (kvm_run.exit_reason).
export const KVM_EXIT_UNKNOWN = 0;
export const KVM_EXIT_EXCEPTION = 1;
export const KVM_EXIT_IO = 2;
export const KVM_EXIT_HYPERCALL = 3;
export const KVM_EXIT_DEBUG = 4;
export const KVM_EXIT_HLT = 5;
export const KVM_EXIT_MMIO = 6;
export const KVM_EXIT_IRQ_WINDOW_OPEN = 7;
export const KVM_EXIT_SHUTDOWN = 8;
export const KVM_EXIT_FAIL_ENTRY = 9;
export const KVM_EXIT_INTR = 10;
export const KVM_EXIT_SET_TPR = 11;
export const KVM_EXIT_TPR_ACCESS = 12;
export const KVM_EXIT_NMI = 16;
export const KVM_EXIT_INTERNAL_ERROR = 17;
export const KVM_EXIT_SYSTEM_EVENT = 24;

export const KVM_EXIT_IO_IN = 0;
export const KVM_EXIT_IO_OUT = 1;

export const KVM_SYSTEM_EVENT_SHUTDOWN = 1;
export const KVM_SYSTEM_EVENT_RESET = 2;
export const KVM_SYSTEM_EVENT_CRASH = 3;

export const KVM_INTERNAL_ERROR_EMULATION = 1;

export const KVM_MP_STATE_RUNNABLE = 0;
export const KVM_MP_STATE_UNINITIALIZED = 1;
export const KVM_MP_STATE_HALTED = 3;

export const KVM_MEM_READONLY = 2;
export const KVM_CPUID_FLAG_SIGNIFCANT_INDEX = 1;
export const KVM_PIT_SPEAKER_DUMMY = 1;
export const KVM_IRQFD_FLAG_DEASSIGN = 1;
export const KVM_IRQFD_FLAG_RESAMPLE = 2;
export const KVM_IOEVENTFD_FLAG_DATAMATCH = 1;
export const KVM_IOEVENTFD_FLAG_PIO = 2;
export const KVM_IOEVENTFD_FLAG_DEASSIGN = 4;

// struct kvm_run offsets.
export const RUN_IMMEDIATE_EXIT = 1;
export const RUN_EXIT_REASON = 8;
export const RUN_IF_FLAG = 0xd;
export const RUN_APIC_BASE = 0x18;
export const RUN_U = 0x20; // the exit union
export const RUN_IO_DIRECTION = 0x20;
export const RUN_IO_SIZE = 0x21;
export const RUN_IO_PORT = 0x22;
export const RUN_IO_COUNT = 0x24;
export const RUN_IO_DATA_OFFSET = 0x28;
export const RUN_MMIO_PHYS_ADDR = 0x20;
export const RUN_MMIO_DATA = 0x28;
export const RUN_MMIO_LEN = 0x30;
export const RUN_MMIO_IS_WRITE = 0x34;
export const RUN_HW_EXIT_REASON = 0x20;
export const RUN_FAIL_ENTRY_REASON = 0x20;
export const RUN_INTERNAL_SUBERROR = 0x20;
export const RUN_INTERNAL_NDATA = 0x24;
export const RUN_INTERNAL_DATA = 0x28;
export const RUN_SYSTEM_EVENT_TYPE = 0x20;

/** The largest kvm_cpuid2 table QEMU passes (KVM_MAX_CPUID_ENTRIES). */
export const KVM_MAX_CPUID_ENTRIES = 100;
