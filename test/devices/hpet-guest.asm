; The IOAPIC and the HPET as a guest program sees them while the CPU runs (hpet-guest.test.ts):
; the IOAPIC's version, the HPET's capabilities, a one-shot level timer's status bit, the
; counter's rate against the PIT's channel 2, a periodic level timer's comparator, and legacy
; replacement cutting the PIT off the 8259's IR0 while HPET timer 0 takes it.  Only what does
; not depend on how fast the host runs the program, or how late timers fire, is printed.
%include "lib.inc"

%define IOAPIC 0xfec00000
%define HPET 0xfed00000

; spin until the HPET counter reaches %1 ticks (it was started from 0)
%macro WAIT_TICKS 1
%%w:
    cmp dword [HPET + 0xf0], %1
    jb %%w
%endmacro

main:
    mov dword [IOAPIC], 1
    SHOW "ioapic.ver", [IOAPIC + 0x10]
    SHOW "hpet.id", [HPET]
    SHOW "hpet.period", [HPET + 4]

    ; One-shot: timer 0 level on IRQ 2, comparator 100000 (1 ms); the status bit comes with the match.
    mov dword [HPET + 0x100], 0x406
    mov dword [HPET + 0x108], 100000
    mov dword [HPET + 0x10c], 0
    mov dword [HPET + 0xf0], 0
    mov dword [HPET + 0x10], 1
.poll:
    test dword [HPET + 0x20], 1
    jnz .fired
    cmp dword [HPET + 0xf0], 100000000  ; give up after 1 s
    jb .poll
    PRINTLN "one-shot timed out"
    jmp .pit
.fired:
    xor eax, eax
    cmp dword [HPET + 0xf0], 100000
    setae al
    SHOW "oneshot.counter>=cmp", eax
    mov dword [HPET + 0x20], 1
    SHOW "isr.cleared", [HPET + 0x20]
    mov dword [HPET + 0x100], 0

.pit:
    ; The counter against the PIT: channel 2 (gate on, speaker off) counting down from 0xffff in mode 0.
    in al, 0x61
    and al, 0xfc
    or al, 1
    out 0x61, al
    mov al, 0xb0
    out 0x43, al
    mov al, 0xff
    out 0x42, al
    out 0x42, al
    mov dword [HPET + 0x10], 0
    mov dword [HPET + 0xf0], 0
    mov dword [HPET + 0x10], 1
    ; Each latch is bracketed by two counter reads; a bracket wider than 0.1 ms, or a wait past 45 ms
    ; (channel 2 would wrap), means the host stalled the program: taken again, up to 20 times.
    mov edi, 20
.rate_try:
    dec edi
    js .rate_fail
    mov ecx, [HPET + 0xf0]
    call pit2_latch
    mov ebx, eax                        ; the first count
    mov eax, [HPET + 0xf0]
    sub eax, ecx
    cmp eax, 10000
    ja .rate_try
    mov esi, ecx                        ; the counter at the first latch
    lea ebp, [ecx + 2000000]            ; 20 ms on
.rate_wait:
    cmp [HPET + 0xf0], ebp
    jb .rate_wait
    mov ecx, [HPET + 0xf0]
    call pit2_latch
    mov edx, [HPET + 0xf0]
    sub edx, ecx
    cmp edx, 10000
    ja .rate_try
    sub ebx, eax
    and ebx, 0xffff                     ; PIT ticks between the latches
    mov eax, ecx
    sub eax, esi                        ; HPET ticks between them
    cmp eax, 4500000
    ja .rate_try
    mov edx, 1193182
    mul edx
    mov ecx, 100000000
    div ecx                             ; the PIT ticks 1.193182 MHz gives for that time
    sub ebx, eax
    add ebx, 250                        ; within 250 PIT ticks (the brackets: up to 120 each)
    xor eax, eax
    cmp ebx, 500
    ja .rate
    inc eax
.rate:
    SHOW "rate.ok", eax
    jmp .periodic
.rate_fail:
    PRINTLN "rate: the host stalled every try"
.periodic:

    ; Periodic: timer 1 level, 32-bit, every 100000 ticks (1 ms); 20 periods polled and acknowledged.
    mov dword [HPET + 0x10], 0
    mov dword [HPET + 0xf0], 0
    mov dword [HPET + 0x120], 0x100 | 0x8 | 0x4 | 0x40 | 0x2 | (2 << 9)
    mov dword [HPET + 0x128], 100000
    mov dword [HPET + 0x128], 100000
    mov dword [HPET + 0x10], 1
    WAIT_TICKS 2050000                  ; 20.5 periods
.per:
    test dword [HPET + 0x20], 2
    jnz .per_fired
    cmp dword [HPET + 0xf0], 100000000
    jb .per
.per_fired:
    mov eax, [HPET + 0x20]
    and eax, 2
    SHOW "periodic.isr", eax
    ; The comparator has moved on from its first value, by whole periods.
    mov ebx, [HPET + 0x128]
    xor ecx, ecx
    cmp ebx, 100000
    jbe .cmp
    inc ecx
.cmp:
    SHOW "periodic.cmp.moved", ecx
    mov eax, ebx
    xor edx, edx
    mov ecx, 100000
    div ecx
    SHOW "periodic.cmp.mod", edx
    mov dword [HPET + 0x120], 0

    ; Legacy replacement: the 8259 (IRR cleared by ICW1) sees no PIT tick for 100 ms, then HPET timer 0.
    mov dword [HPET + 0x10], 0
    mov dword [HPET + 0xf0], 0
    mov dword [HPET + 0x10], 3
    mov al, 0x11
    out 0x20, al
    mov al, 0x20
    out 0x21, al
    mov al, 4
    out 0x21, al
    mov al, 1
    out 0x21, al
    mov al, 0xff
    out 0x21, al                        ; all masked: IRR still records requests
    WAIT_TICKS 10000000
    mov al, 0x0a
    out 0x20, al
    in al, 0x20
    and eax, 1
    SHOW "legacy.pit.irr0", eax
    mov eax, [HPET + 0xf0]
    add eax, 100000
    mov dword [HPET + 0x100], 0x4       ; edge, enabled; legacy mode routes it to IRQ 0
    mov [HPET + 0x108], eax
    mov dword [HPET + 0x10c], 0
    add eax, 100000000                  ; wait for IR0 up to 1 s
    mov ebx, eax
    mov al, 0x0a
    out 0x20, al
.leg:
    in al, 0x20
    test al, 1
    jnz .leg_done
    cmp [HPET + 0xf0], ebx
    jb .leg
.leg_done:
    and eax, 1
    SHOW "legacy.timer0.irr0", eax
    mov dword [HPET + 0x10], 0

    SHOW "faults", [fault_count]
    mov al, 3
    jmp exit

; pit2_latch: eax = channel 2's current count
pit2_latch:
    mov al, 0x80
    out 0x43, al
    in al, 0x42
    mov ah, al
    in al, 0x42
    xchg al, ah
    movzx eax, ax
    ret
