; A system reset resets every local APIC with its CPU (run with -smp 2, without -no-reboot):
; boot 0 starts AP 1, changes the BSP's APIC (ID, TPR, LDR, a periodic timer running) and
; resets the machine through the i8042; boot 1 finds the APIC as the firmware leaves it and
; starts AP 1 again.  Boots are counted in CMOS byte 0x7e.
%include "lib.inc"
%include "apic-lib.inc"

TRAMP equ 0x20000

section .bss
alignb 16
ap_stack: resb 4096
ap_stack_top:
started: resd 1

section .text
bits 16
tramp:
    cli
    o32 lgdt [cs:tramp_gdtr - tramp]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp dword 0x08:ap_entry
align 4
tramp_gdtr:
    dw gdt_end - gdt - 1
    dd gdt
tramp_end:
bits 32

ap_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, ap_stack_top
    mov eax, [APIC + A_ID]
    shr eax, 24
    SHOW "ap apic id", eax
    LSHOW "ap svr", A_SVR
    lock inc dword [started]
.idle:
    hlt
    jmp .idle

start_ap1:
    mov esi, tramp
    mov edi, TRAMP
    mov ecx, tramp_end - tramp
    rep movsb
    mov edx, 1 << 24
    mov eax, 0x4500
    call send_ipi
    mov eax, 0x4600 | (TRAMP >> 12)
    call send_ipi
.w: pause
    cmp dword [started], 1
    jne .w
    ret

main:
    call pic_mask_all
    mov al, 0x7e
    out 0x70, al
    in al, 0x71
    movzx ebx, al
    SHOW "boot", ebx
    mov ecx, 0x1b
    rdmsr
    SHOW "apicbase", eax
    LSHOW "id", A_ID
    LSHOW "tpr", A_TPR
    LSHOW "ldr", A_LDR
    LSHOW "svr", A_SVR
    LSHOW "lvt.timer", A_LVTT
    LSHOW "timer.initial", A_TICR
    LSHOW "lint0", A_LINT0
    call start_ap1
    test ebx, ebx
    jnz .done
    mov dword [APIC + A_ID], 0x05000000
    mov dword [APIC + A_TPR], 0x20
    mov dword [APIC + A_LDR], 0x0f000000
    mov dword [APIC + A_LVTT], 0x20040
    mov dword [APIC + A_TICR], 1000000
    mov al, 0x7e
    out 0x70, al
    mov al, 1
    out 0x71, al
    mov al, 0xfe
    out 0x64, al
.spin:
    jmp .spin
.done:
    SHOW "faults", [fault_count]
    ret
