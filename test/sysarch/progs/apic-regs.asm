; The local APIC as a -kernel program finds it: CPUID's APIC bit and initial APIC ID, the
; APIC base MSR, and the register file in the state SeaBIOS leaves (software-enabled, LINT0
; ExtINT, LINT1 NMI, everything else at its reset value).  Then register write/read-back:
; ID, LDR, DFR, TPR, the LVTs, divide configuration, and the read-only ones.
%include "lib.inc"
%include "apic-lib.inc"

section .text
main:
    call pic_mask_all
    mov eax, 1
    cpuid
    shr edx, 9
    and edx, 1
    SHOW "cpuid.1.edx.apic", edx
    shr ebx, 24
    SHOW "cpuid.1.ebx.apicid", ebx
    mov ecx, 0x1b
    rdmsr
    SHOW "apicbase.hi", edx
    SHOW "apicbase.lo", eax

    LSHOW "id", A_ID
    LSHOW "version", A_VER
    LSHOW "tpr", A_TPR
    LSHOW "ppr", A_PPR
    LSHOW "ldr", A_LDR
    LSHOW "dfr", A_DFR
    LSHOW "svr", A_SVR
    mov ecx, 0
.isr:
    mov eax, [APIC + A_ISR + ecx]
    or eax, [APIC + A_TMR + ecx]
    or eax, [APIC + A_IRR + ecx]
    SHOW "isr|tmr|irr", eax
    add ecx, 0x10
    cmp ecx, 0x80
    jb .isr
    LSHOW "esr", A_ESR
    LSHOW "lvt.timer", A_LVTT
    LSHOW "lvt.thermal", 0x330
    LSHOW "lvt.perf", 0x340
    LSHOW "lvt.lint0", A_LINT0
    LSHOW "lvt.lint1", A_LINT1
    LSHOW "lvt.error", A_LVTERR
    LSHOW "timer.initial", A_TICR
    LSHOW "timer.current", A_TCCR
    LSHOW "timer.divide", A_TDCR

    ; writable registers and their masks
    mov dword [APIC + A_ID], 0x5a000000
    LSHOW "id<-5a", A_ID
    mov dword [APIC + A_ID], 0
    mov dword [APIC + A_LDR], 0xffffffff
    LSHOW "ldr<-ffffffff", A_LDR
    mov dword [APIC + A_DFR], 0x0fffffff
    LSHOW "dfr<-0fffffff", A_DFR
    mov dword [APIC + A_DFR], 0xffffffff
    mov dword [APIC + A_TPR], 0xffffffff
    LSHOW "tpr<-ffffffff", A_TPR
    LSHOW "ppr", A_PPR
    mov dword [APIC + A_TPR], 0
    mov dword [APIC + A_TDCR], 0xffffffff
    LSHOW "divide<-ffffffff", A_TDCR
    mov dword [APIC + A_TDCR], 0
    mov dword [APIC + A_LVTERR], 0x000100fe
    LSHOW "lvt.error<-100fe", A_LVTERR
    mov dword [APIC + A_SVR], 0x000011ff
    LSHOW "svr<-11ff", A_SVR
    mov dword [APIC + A_SVR], 0x1ff
    mov dword [APIC + A_VER], 0
    LSHOW "version<-0", A_VER
    mov dword [APIC + A_PPR], 0xff
    LSHOW "ppr<-ff", A_PPR
    mov dword [APIC + A_ICRHI], 0xab000000
    LSHOW "icr.hi<-ab", A_ICRHI
    ; byte reads of a register read 0 in QEMU
    movzx eax, byte [APIC + A_VER]
    SHOW "byte version", eax
    ; the register page repeats every 4 KiB in the 1 MiB window
    mov eax, [APIC + 0x1000 + A_VER]
    SHOW "version@+1000", eax
    ; the APIC base MSR: the BSP bit is read-only, the base moves (QEMU keeps the page at its default)
    mov ecx, 0x1b
    xor edx, edx
    mov eax, 0xfed00800
    wrmsr
    rdmsr
    SHOW "apicbase<-fed00800", eax
    mov eax, [APIC + A_VER]
    SHOW "version after move", eax
    mov eax, 0xfee00900
    wrmsr
    rdmsr
    SHOW "apicbase<-fee00900", eax
    SHOW "faults", [fault_count]
    ret
