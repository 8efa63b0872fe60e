; The 8259 through the BSP's LINT0 (pic_irq_request / apic_deliver_pic_intr): PIT ticks as
; ExtINT while LINT0 is unmasked, none while it is masked, LAPIC interrupts of the vector when
; LINT0 is a fixed vector (each time the 8259 re-asserts its output; and, as in QEMU, the
; 8259 is still acknowledged, as apic_get_interrupt lets a waiting 8259 go first), and straight to the CPU once the APIC
; is disabled through IA32_APIC_BASE (CPUID's APIC bit goes too; it cannot be re-enabled).
%include "lib.inc"
%include "apic-lib.inc"

section .bss
pticks: resd 1
fixed: resd 1
alarm: resd 1

section .text
pic_isr:
    inc dword [pticks]
    push eax
    mov al, 0x20
    out 0x20, al
    pop eax
    iret

fixed_isr:
    inc dword [fixed]
    mov dword [APIC + A_EOI], 0
    iret

alarm_isr:
    mov dword [alarm], 1
    mov dword [APIC + A_EOI], 0
    iret

; wait_pticks: EAX = count; HLT until [pticks] reaches it
wait_pticks:
.w: cmp [pticks], eax
    jae .d
    sti
    hlt
    cli
    jmp .w
.d: ret

; sleep20: HLT for 20 ms (an APIC timer one-shot)
sleep20:
    mov dword [alarm], 0
    mov dword [APIC + A_TDCR], 0xb
    mov dword [APIC + A_LVTT], 0x41
    mov dword [APIC + A_TICR], 20000000
.w: cmp dword [alarm], 0
    jne .d
    sti
    hlt
    cli
    jmp .w
.d: ret

; pic_irq0: AL = master IMR
pic_imr:
    out 0x21, al
    ret

main:
    call pic_mask_all
    GATE 0x20, pic_isr
    GATE 0x60, fixed_isr
    GATE 0x41, alarm_isr
    mov dword [APIC + A_SVR], 0x1ff
    ; 8259s: vectors 0x20 / 0x28, cascade on IRQ2, 8086 mode; only IRQ0 unmasked
    mov al, 0x11
    out 0x20, al
    out 0xa0, al
    mov al, 0x20
    out 0x21, al
    mov al, 0x28
    out 0xa1, al
    mov al, 4
    out 0x21, al
    mov al, 2
    out 0xa1, al
    mov al, 1
    out 0x21, al
    out 0xa1, al
    mov al, 0xff
    out 0xa1, al
    mov al, 0xfe
    call pic_imr
    ; PIT channel 0: rate generator at about 1 kHz
    mov al, 0x34
    out 0x43, al
    mov al, 1193 & 0xff
    out 0x40, al
    mov al, 1193 >> 8
    out 0x40, al

    LSHOW "lint0", A_LINT0
    mov eax, 5
    call wait_pticks
    PRINTLN "ExtINT ticks>=5"

    ; LINT0 masked (with the 8259 quiet while it changes): no tick gets through
    mov al, 0xff
    call pic_imr
    mov dword [APIC + A_LINT0], 0x18700
    mov al, 0xfe
    call pic_imr
    mov dword [pticks], 0
    call sleep20
    SHOW "masked ticks", [pticks]
    ; unmasked with the 8259's output up: the waiting tick arrives at once, then the others
    mov dword [APIC + A_LINT0], 0x8700
    mov eax, 3
    call wait_pticks
    PRINTLN "unmasked ticks>=3"

    ; LINT0 fixed vector 0x60
    mov al, 0xff
    call pic_imr
    mov dword [APIC + A_LINT0], 0x0060
    mov al, 0xfe
    call pic_imr
    mov dword [pticks], 0
    call sleep20
    call sleep20
    cmp dword [fixed], 1
    setae al
    movzx eax, al
    SHOW "fixed>=1", eax
    cmp dword [pticks], 1
    setae al
    movzx eax, al
    SHOW "8259 ticks>=1", eax

    ; back to ExtINT, then the APIC disabled: the 8259 goes straight to the CPU
    mov dword [pticks], 0
    mov dword [APIC + A_LINT0], 0x8700
    mov eax, 1
    call wait_pticks
    mov ecx, 0x1b
    xor edx, edx
    mov eax, 0xfee00100
    wrmsr
    rdmsr
    SHOW "apicbase", eax
    mov eax, 1
    cpuid
    shr edx, 9
    and edx, 1
    SHOW "cpuid.1.edx.apic", edx
    LSHOW "svr", A_SVR
    mov dword [pticks], 0
    mov eax, 3
    call wait_pticks
    PRINTLN "disabled APIC: ticks>=3"
    mov ecx, 0x1b
    xor edx, edx
    mov eax, 0xfee00900
    wrmsr
    rdmsr
    SHOW "apicbase<-fee00900", eax
    call pic_mask_all
    SHOW "faults", [fault_count]
    ret
