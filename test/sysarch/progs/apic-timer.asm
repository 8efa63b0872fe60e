; The LAPIC timer on the virtual clock: one-shot fires once, periodic keeps firing (counts of
; interrupts, not times), a masked timer counts down without interrupting, and the divide
; configuration scales the count rate (measured against the TSC: a count at /4 takes about 4x
; as long as at /1, at /16 about 16x).
%include "lib.inc"
%include "apic-lib.inc"

section .bss
ticks: resd 1
spurious: resd 1
t0: resd 1

section .text
timer_isr:
    inc dword [ticks]
    mov dword [APIC + A_EOI], 0
    iret

spurious_isr:
    inc dword [spurious]
    iret

; wait_ticks: EAX = count; HLT until [ticks] reaches it
wait_ticks:
.w: cmp [ticks], eax
    jae .d
    sti
    hlt
    cli
    jmp .w
.d: ret

; countdown: ECX = divide configuration, EDX = initial count; the timer runs masked
; (one-shot) until the current count reads 0
countdown:
    mov dword [APIC + A_LVTT], 0x10040
    mov [APIC + A_TDCR], ecx
    mov [APIC + A_TICR], edx
.w: cmp dword [APIC + A_TCCR], 0
    jne .w
    ret

main:
    call pic_mask_all
    GATE 0x40, timer_isr
    GATE 0xff, spurious_isr
    mov dword [APIC + A_SVR], 0x1ff

    ; one-shot: 100 us at /1, then a 2 ms one-shot: exactly 2 interrupts in all
    mov dword [APIC + A_TDCR], 0xb
    mov dword [APIC + A_LVTT], 0x40
    mov dword [APIC + A_TICR], 100000
    mov eax, 1
    call wait_ticks
    SHOW "one-shot current", [APIC + A_TCCR]
    mov dword [APIC + A_TICR], 2000000
    mov eax, 2
    call wait_ticks
    SHOW "one-shot ticks", [ticks]
    SHOW "isr after eoi", [APIC + A_ISR + 0x20]

    ; periodic: 200 us at /2 (count 100000), at least 5 interrupts, the count reloads
    mov dword [ticks], 0
    mov dword [APIC + A_TDCR], 0
    mov dword [APIC + A_LVTT], 0x20040
    mov dword [APIC + A_TICR], 100000
    mov eax, 5
    call wait_ticks
    mov dword [APIC + A_LVTT], 0x30040     ; masked, still periodic
    mov eax, [ticks]
    cmp eax, 5
    setae al
    movzx eax, al
    SHOW "periodic ticks>=5", eax
    mov eax, [APIC + A_TCCR]
    test eax, eax
    setnz al
    movzx eax, al
    SHOW "periodic current!=0", eax
    mov eax, [APIC + A_TCCR]
    cmp eax, 100000
    setbe al
    movzx eax, al
    SHOW "periodic current<=initial", eax
    SHOW "lvt.timer", [APIC + A_LVTT]

    ; masked: counts to 0, no interrupt
    mov dword [ticks], 0
    mov ecx, 0xb
    mov edx, 200000
    call countdown
    sti
    nop
    cli
    SHOW "masked ticks", [ticks]

    ; the divide ratios: TSC cycles per count at /1, /4 and /16.  Each TSC read is next to a
    ; current-count read, so a pause of the emulator between the pairs counts in both.
    mov ecx, 0xb
    call cycles_per_count
    mov [t0], eax
    mov ecx, 0x1            ; /4
    call cycles_per_count
    call ratio
    SHOW "div4 ratio is 3..5", eax
    mov ecx, 0x3            ; /16
    call cycles_per_count
    shr eax, 2
    call ratio
    SHOW "div16 ratio/4 is 3..5", eax
    SHOW "spurious", [spurious]
    SHOW "faults", [fault_count]
    ret

; cycles_per_count: ECX = divide configuration; the timer counts down (masked) from
; 0xffffffff while 300000 counts pass.  Returns 256 * TSC cycles / counts in EAX.  A (TSC,
; count) pair is read again if the count read took long (the emulator paused in between).
cycles_per_count:
    push ebx
    push esi
    push edi
    mov dword [APIC + A_LVTT], 0x10040
    mov [APIC + A_TDCR], ecx
    mov dword [APIC + A_TICR], 0xffffffff
.p1: rdtsc
    mov ebx, eax
    mov esi, [APIC + A_TCCR]
    rdtsc
    sub eax, ebx
    cmp eax, 50000
    ja .p1
.w: mov edi, esi
    sub edi, [APIC + A_TCCR]
    cmp edi, 300000
    jb .w
.p2: rdtsc
    mov ecx, eax
    mov edi, [APIC + A_TCCR]
    rdtsc
    sub eax, ecx
    cmp eax, 50000
    ja .p2
    mov eax, ecx
    sub eax, ebx            ; cycles
    sub esi, edi            ; counts
    mov ebx, 256
    mul ebx
    div esi
    pop edi
    pop esi
    pop ebx
    ret

; ratio: EAX = cycles; returns 1 if 3 * [t0] <= EAX <= 5 * [t0], else 0
ratio:
    push ebx
    push ecx
    push edx
    mov ecx, eax
    mov eax, [t0]
    mov ebx, 3
    mul ebx
    cmp ecx, eax
    jb .no
    mov eax, [t0]
    mov ebx, 5
    mul ebx
    cmp ecx, eax
    ja .no
    mov eax, 1
    jmp .d
.no: xor eax, eax
.d: pop edx
    pop ecx
    pop ebx
    ret
