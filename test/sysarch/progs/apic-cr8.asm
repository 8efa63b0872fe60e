; CR8 is the APIC's task priority (bits 7-4 of the TPR) in 64-bit mode: CR8 reads what an MMIO
; TPR write set, a CR8 write shows in the TPR and PPR, and interrupts of a class at or below
; CR8 wait until CR8 drops.  The APIC page is mapped (uncached) at its physical address.
%include "lib.inc"
%include "sys.inc"
%include "sys64.inc"
%include "apic-lib.inc"

section .bss
alignb 4096
apic_pd: resb 4096
big_idt: resb 256 * 16
log: resb 64
logn: resd 1

section .data
align 8
big_idtr:
    dw 256 * 16 - 1
    dq big_idt

section .text
bits 32
main:
    call pic_mask_all
    mov dword [APIC + A_SVR], 0x1ff
    mov dword [APIC + A_TPR], 0x70
    jmp lm_enter

bits 64
; ISR64 vec: logs the vector and EOIs
%macro ISR64 1
isr64_%1:
    push rax
    push rbx
    mov ebx, [rel logn]
    lea rax, [rel log]
    mov byte [rax + rbx], %1
    inc dword [rel logn]
    mov rax, APIC
    mov dword [rax + A_EOI], 0
    pop rbx
    pop rax
    iretq
%endmacro
ISR64 0x45
ISR64 0x55
ISR64 0x65

; gate64: ECX = vector, RAX = handler
gate64:
    push rdi
    mov rdi, rcx
    shl rdi, 4
    lea rdx, [rel big_idt]
    add rdi, rdx
    mov [rdi], ax
    mov word [rdi + 2], 0x28
    mov word [rdi + 4], 0x8e00
    shr rax, 16
    mov [rdi + 6], ax
    shr rax, 16
    mov [rdi + 8], eax
    mov dword [rdi + 12], 0
    pop rdi
    ret

; SELF64 vec: a self-IPI by the shorthand
%macro SELF64 1
    mov rax, APIC
    mov dword [rax + A_ICRLO], 0x40000 | %1
%endmacro

; settle: a short loop, so a just-unmasked interrupt is taken before the log is printed
settle:
    mov ecx, 100
.l: pause
    loop .l
    ret

show_log64:
    PRINT64 "log="
    xor ecx, ecx
.l: cmp ecx, [rel logn]
    jae .d
    lea rdx, [rel log]
    movzx eax, byte [rdx + rcx]
    call puthex32_64
    mov al, ' '
    call putc64
    inc ecx
    jmp .l
.d: mov al, 10
    call putc64
    mov dword [rel logn], 0
    ret

lm_main:
    ; the APIC page: PDPT entry 3 -> apic_pd, a 2 MiB uncached page at 0xfee00000
    lea rax, [rel apic_pd]
    or rax, 3
    mov [rel lm_pdpt + 3 * 8], rax
    mov rax, 0xfee00000 | 0x9b
    mov [rel apic_pd + ((0xfee00000 - 0xc0000000) >> 21) * 8], rax
    mov rax, cr3
    mov cr3, rax
    ; a 256-entry IDT: the kit's 32 exception gates, then ours
    lea rsi, [rel lm_idt]
    lea rdi, [rel big_idt]
    mov ecx, 32 * 16
    rep movsb
    mov ecx, 0x45
    lea rax, [rel isr64_0x45]
    call gate64
    mov ecx, 0x55
    lea rax, [rel isr64_0x55]
    call gate64
    mov ecx, 0x65
    lea rax, [rel isr64_0x65]
    call gate64
    lidt [rel big_idtr]

    mov rbx, APIC
    mov rax, cr8
    SHOWQ "cr8 after tpr=70", rax
    mov eax, 5
    mov cr8, rax
    mov eax, [rbx + A_TPR]
    SHOWQ "tpr after cr8=5", rax
    mov eax, [rbx + A_PPR]
    SHOWQ "ppr", rax
    sti
    SELF64 0x45
    SELF64 0x55
    SELF64 0x65
    call settle
    call show_log64
    mov eax, [rbx + A_IRR + 0x20]
    SHOWQ "irr2", rax
    mov eax, 4
    mov cr8, rax
    call settle
    call show_log64
    xor eax, eax
    mov cr8, rax
    call settle
    call show_log64
    mov dword [rbx + A_TPR], 0xa7
    mov rax, cr8
    SHOWQ "cr8 after tpr=a7", rax
    mov eax, 0xf
    mov cr8, rax
    mov eax, [rbx + A_TPR]
    SHOWQ "tpr after cr8=f", rax
    xor eax, eax
    mov cr8, rax
    mov eax, [rel fault_count]
    SHOWQ "faults", rax
    xor eax, eax
    out 0xf4, al
    hlt
