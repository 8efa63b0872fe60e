; Interrupts through the local APIC on one CPU: self-IPIs (shorthand and by physical and
; logical destination), the order of pending vectors by priority class, TPR masking and the
; PPR (from the TPR and from the in-service vector), TMR for level-triggered IPIs, EOI, an NMI
; IPI, and MSI writes into the APIC window (offset 0, and beyond the 4 KiB register page).
; Each handler logs its vector (and what it sees of ISR/PPR/TMR); the log is printed.
%include "lib.inc"
%include "apic-lib.inc"

section .bss
log: resb 64
logn: resd 1
ppr_in: resd 1
isr_in: resd 1
tmr_in: resd 1

section .text
; isr VEC: log the vector, note PPR/ISR/TMR words of the vector's class, EOI
%macro ISR 1
isr_%1:
    push eax
    push ebx
    mov ebx, [logn]
    mov byte [log + ebx], %1
    inc dword [logn]
    mov eax, [APIC + A_PPR]
    mov [ppr_in], eax
    mov eax, [APIC + A_ISR + (%1 >> 5) * 0x10]
    mov [isr_in], eax
    mov eax, [APIC + A_TMR + (%1 >> 5) * 0x10]
    mov [tmr_in], eax
    mov dword [APIC + A_EOI], 0
    pop ebx
    pop eax
    iret
%endmacro
ISR 0x45
ISR 0x55
ISR 0x65
ISR 0x70
ISR 0xff

nmi_isr:
    push ebx
    mov ebx, [logn]
    mov byte [log + ebx], 2
    inc dword [logn]
    pop ebx
    iret

; show_log: prints "log=<vectors>" and empties it
show_log:
    push eax
    push ecx
    PRINT "log="
    xor ecx, ecx
.l: cmp ecx, [logn]
    jae .d
    movzx eax, byte [log + ecx]
    shr al, 4
    mov al, [hexdigits + eax]
    call putc
    movzx eax, byte [log + ecx]
    and al, 15
    mov al, [hexdigits + eax]
    call putc
    mov al, ' '
    call putc
    inc ecx
    jmp .l
.d: call putnl
    mov dword [logn], 0
    pop ecx
    pop eax
    ret

; SELF vec: self-IPI by the shorthand (fixed, edge)
%macro SELF 1
    mov eax, 0x40000 | %1
    xor edx, edx
    call send_ipi
%endmacro

main:
    call pic_mask_all
    GATE 0x45, isr_0x45
    GATE 0x55, isr_0x55
    GATE 0x65, isr_0x65
    GATE 0x70, isr_0x70
    GATE 0xff, isr_0xff
    GATE 2, nmi_isr
    mov dword [APIC + A_SVR], 0x1ff
    sti

    PRINTLN "self-IPI by shorthand, by physical id, by logical id, to all"
    SELF 0x70
    SHOW "icr.lo", [APIC + A_ICRLO]
    SHOW "ppr in handler", [ppr_in]
    SHOW "isr in handler", [isr_in]
    SHOW "isr after", [APIC + A_ISR + 0x30]
    mov eax, 0x65
    mov edx, [APIC + A_ID]
    call send_ipi
    mov dword [APIC + A_LDR], 0x02000000
    mov eax, 0x800 | 0x55          ; logical, flat: bit 1 matches
    mov edx, 0x03000000
    call send_ipi
    mov eax, 0x800 | 0x45          ; logical, bit 2 does not
    mov edx, 0x04000000
    call send_ipi
    mov eax, 0x80000 | 0x70        ; all including self
    call send_ipi
    mov eax, 0xc0000 | 0x70        ; all excluding self: nobody here
    call send_ipi
    mov eax, 0x45                  ; physical id 5: nobody
    mov edx, 0x05000000
    call send_ipi
    call show_log

    PRINTLN "pending with IF=0, taken by priority class"
    cli
    SELF 0x45
    SELF 0x65
    SELF 0x55
    SHOW "irr2", [APIC + A_IRR + 0x20]
    SHOW "irr3", [APIC + A_IRR + 0x30]
    SHOW "ppr", [APIC + A_PPR]
    sti
    nop
    call show_log
    SHOW "ppr in handler", [ppr_in]

    PRINTLN "TPR masks classes at or below it"
    mov dword [APIC + A_TPR], 0x50
    SELF 0x45
    SELF 0x55
    SHOW "ppr", [APIC + A_PPR]
    SHOW "irr2", [APIC + A_IRR + 0x20]
    call show_log
    SELF 0x65
    call show_log
    mov dword [APIC + A_TPR], 0x4f
    nop
    call show_log
    mov dword [APIC + A_TPR], 0
    nop
    call show_log

    PRINTLN "level-triggered IPI sets TMR"
    mov eax, 0x4c000 | 0x65        ; self, level, assert
    xor edx, edx
    call send_ipi
    call show_log
    SHOW "tmr in handler", [tmr_in]
    SHOW "tmr after", [APIC + A_TMR + 0x30]

    PRINTLN "NMI IPI, also with IF=0"
    mov eax, 0x40400               ; self, NMI
    xor edx, edx
    call send_ipi
    cli
    call send_ipi
    sti
    call show_log

    PRINTLN "MSI writes: offset 0 (id 0), beyond 4 KiB (id 1: nobody), level"
    mov dword [APIC], 0x55
    mov dword [APIC + 0x1000], 0x45
    mov dword [APIC + 0x2004], 0x45   ; logical (address bit 2) 0x02: LDR 0x02 matches
    nop
    call show_log
    mov dword [APIC], 0x8065
    nop
    call show_log
    SHOW "tmr in handler", [tmr_in]
    SHOW "icr.lo after MSI", [APIC + A_ICRLO]

    PRINTLN "software-disabled APIC: IPIs wait"
    mov dword [APIC + A_SVR], 0xff
    SELF 0x55
    call show_log
    SHOW "irr2", [APIC + A_IRR + 0x20]
    mov dword [APIC + A_SVR], 0x1ff
    nop
    call show_log
    SHOW "faults", [fault_count]
    ret
