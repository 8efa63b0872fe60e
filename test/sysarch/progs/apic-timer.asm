; The LAPIC timer on the virtual clock: one-shot fires once, periodic keeps firing (counts of
; interrupts, not times), a masked timer counts down without interrupting, and the divide
; configuration scales the count rate (measured against the TSC: a count at /4 takes about 4x
; as long as at /1, a quarter of the count at /16 about 4x too; "about" is 3x-6x, as the host
; may pause either emulator for a few ms, which the shortest of 3 runs mostly hides).
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

; time_countdown: ECX = divide configuration, EDX = initial count; the timer runs masked
; (one-shot) until the current count reads 0.  Returns the TSC cycles it took in EAX.
time_countdown:
    push ebx
    push edx
    mov dword [APIC + A_LVTT], 0x10040
    mov [APIC + A_TDCR], ecx
    rdtsc
    mov ebx, eax
    pop edx
    mov [APIC + A_TICR], edx
.w: cmp dword [APIC + A_TCCR], 0
    jne .w
    rdtsc
    sub eax, ebx
    pop ebx
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
    call time_countdown
    sti
    nop
    cli
    SHOW "masked ticks", [ticks]

    ; the divide ratios, against the TSC (the shortest of 3 runs: a host hiccup only adds time),
    ; after 300 ms of the same loop (tsqemu's JIT warms up)
    mov ecx, 0xb
    mov edx, 300000000
    call time_countdown
    mov ecx, 0xb
    mov edx, 2000000
    call best_countdown
    mov [t0], eax
    mov ecx, 0x1            ; /4
    mov edx, 2000000
    call best_countdown
    call ratio
    SHOW "div4 ratio is 3..6", eax
    mov ecx, 0x3            ; /16
    mov edx, 500000
    call best_countdown
    call ratio
    SHOW "div16/4 ratio is 3..6", eax
    SHOW "spurious", [spurious]
    SHOW "faults", [fault_count]
    ret

; best_countdown: as time_countdown, the shortest of 3 runs
best_countdown:
    push esi
    push edi
    mov esi, 3
    mov edi, 0xffffffff
.l: push ecx
    push edx
    call time_countdown
    pop edx
    pop ecx
    cmp eax, edi
    jae .n
    mov edi, eax
.n: dec esi
    jnz .l
    mov eax, edi
    pop edi
    pop esi
    ret

; ratio: EAX = cycles; returns 1 if 3 * [t0] <= EAX <= 6 * [t0], else 0
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
    mov ebx, 6
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
