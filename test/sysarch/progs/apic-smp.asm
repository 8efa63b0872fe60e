; SMP bring-up through the local APICs (run with -smp 2 and -smp 4): the BSP reads the CPU
; count from CMOS 0x5f, starts each AP in turn with INIT + SIPI (a real-mode trampoline at
; 0x20000); each AP reports its APIC ID (from its own APIC page: the page belongs to the CPU
; that reads it) and CPUID's initial APIC ID, its APIC's post-INIT state, counts itself in with
; LOCK INC and waits in HLT.  Then a fixed IPI wakes each AP from HLT, a broadcast IPI makes
; every CPU do 10000 LOCK INCs at once, and INIT + SIPI restarts AP 1.
%include "lib.inc"
%include "apic-lib.inc"

TRAMP equ 0x20000
WORK equ 10000

section .bss
alignb 4096
ap_stacks: resb 4096 * 8
stack_idx: resd 1
started: resd 1
woken: resd 1
last_woken: resd 1
counter: resd 1
done: resd 1
ncpus: resd 1

section .text
; the AP's real-mode entry, copied to TRAMP (CS = TRAMP >> 4, IP = 0)
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
    mov fs, ax
    mov gs, ax
    mov eax, 1
    lock xadd [stack_idx], eax
    inc eax
    shl eax, 12
    add eax, ap_stacks
    mov esp, eax
    lidt [idtr]
    mov eax, [APIC + A_ID]
    shr eax, 24
    SHOW "ap apic id", eax
    mov eax, 1
    cpuid
    shr ebx, 24
    SHOW "ap cpuid apic id", ebx
    LSHOW "ap svr", A_SVR
    LSHOW "ap lint0", A_LINT0
    LSHOW "ap lvt.timer", A_LVTT
    mov ecx, 0x1b
    rdmsr
    SHOW "ap apicbase", eax
    mov dword [APIC + A_SVR], 0x1ff
    lock inc dword [started]
.idle:
    sti
    hlt
    jmp .idle

wake_isr:
    push eax
    mov eax, [APIC + A_ID]
    shr eax, 24
    mov [last_woken], eax
    lock inc dword [woken]
    mov dword [APIC + A_EOI], 0
    pop eax
    iret

work_isr:
    push ecx
    mov ecx, WORK
.l: lock inc dword [counter]
    dec ecx
    jnz .l
    lock inc dword [done]
    mov dword [APIC + A_EOI], 0
    pop ecx
    iret

; start_ap: EBX = APIC ID; INIT, then SIPI twice (the second is ignored); waits until it counts in
start_ap:
    mov esi, [started]
    inc esi
    mov edx, ebx
    shl edx, 24
    mov eax, 0x4500             ; INIT, level assert
    call send_ipi
    mov eax, 0x8500             ; INIT level de-assert
    call send_ipi
    mov eax, 0x4600 | (TRAMP >> 12)
    call send_ipi
    call send_ipi
.w: pause
    cmp [started], esi
    jne .w
    ret

main:
    call pic_mask_all
    GATE 0x50, wake_isr
    GATE 0x51, work_isr
    mov dword [APIC + A_SVR], 0x1ff
    mov esi, tramp
    mov edi, TRAMP
    mov ecx, tramp_end - tramp
    rep movsb
    mov al, 0x5f
    out 0x70, al
    in al, 0x71
    movzx eax, al
    inc eax
    mov [ncpus], eax
    SHOW "cpus", eax

    mov ebx, 1
.start:
    cmp ebx, [ncpus]
    jae .started
    call start_ap
    inc ebx
    jmp .start
.started:
    SHOW "started", [started]

    ; a fixed IPI wakes each AP from HLT
    mov ebx, 1
.wake:
    cmp ebx, [ncpus]
    jae .woken
    mov esi, [woken]
    inc esi
    mov edx, ebx
    shl edx, 24
    mov eax, 0x50
    call send_ipi
.ww: pause
    cmp [woken], esi
    jne .ww
    SHOW "woken", [last_woken]
    inc ebx
    jmp .wake
.woken:

    ; every CPU increments one counter at once
    mov eax, 0xc0000 | 0x51     ; all excluding self
    xor edx, edx
    call send_ipi
    mov ecx, WORK
.l: lock inc dword [counter]
    dec ecx
    jnz .l
    mov eax, [ncpus]
    dec eax
.wd: pause
    cmp [done], eax
    jne .wd
    SHOW "counter", [counter]

    ; INIT + SIPI again: AP 1 starts over at the trampoline
    mov ebx, 1
    call start_ap
    SHOW "started", [started]
    SHOW "faults", [fault_count]
    ret
