; Optional instructions the model advertises (run with -cpu qemu64,+monitor,+rdtscp,+rdrand):
; RDTSCP reads TSC_AUX, MONITOR checks ECX, RDRAND succeeds; RDPID and RDSEED are not TCG
; features in QEMU 7.2 (#UD); RDPMC raises #UD after its CR4.PCE check, as in QEMU.
%include "lib.inc"
%include "sys.inc"

section .data
mon: dd 0

section .text
main:
    mov ecx, 0xc0000103
    mov eax, 0x5a5aa5a5
    mov edx, 0x77
    wrmsr
    xor ecx, ecx
    rdtscp
    SHOW "rdtscp ecx", ecx
    TRY .rp
    mov eax, 0x11111111
    rdpid eax
    SHOW "rdpid", eax
    CATCH .rp
    mov eax, mon
    xor ecx, ecx
    xor edx, edx
    monitor
    PRINTLN "monitor ok"
    TRY .mo
    mov ecx, 1
    monitor
    CATCH .mo
    TRY .rr
    xor eax, eax                ; ZF set, CF clear before
    rdrand eax
    setc al
    movzx eax, al
    SHOW "rdrand cf", eax
    CATCH .rr
    TRY .rs
    rdseed bx
    CATCH .rs
    PRINTLN "rdpmc"
    TRY .pm
    xor ecx, ecx
    rdpmc
    CATCH .pm
    SHOW "faults", [fault_count]
    mov al, 0
    jmp exit
