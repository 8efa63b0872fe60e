; Exceptions during exception delivery (SDM Vol. 3 Table 6-5): contributory + contributory ->
; #DF(0); benign + contributory -> the second one; INT n through a missing gate -> #NP.
%include "lib.inc"
%include "seg.inc"

%macro TRY 1
    mov dword [fault_resume], %1
%endmacro
%macro GATE_OFF 1
    and byte [idt + (%1) * 8 + 5], 0x7f
%endmacro
%macro GATE_ON 1
    or byte [idt + (%1) * 8 + 5], 0x80
%endmacro

main:
    call seg_init
    PRINTLN "gp with #gp gate not present"
    GATE_OFF 13
    TRY .r1
    mov ax, 0x108
    mov ds, ax
.r1:
    GATE_ON 13
    PRINTLN "de with #de gate not present"
    GATE_OFF 0
    TRY .r2
    xor ecx, ecx
    div ecx
.r2:
    GATE_ON 0
    PRINTLN "ud with #ud gate not present"
    GATE_OFF 6
    TRY .r3
    ud2
.r3:
    GATE_ON 6
    PRINTLN "np with #np gate not present"
    SET_DESC 0x58, 0, 0xfffff, 0xc012
    GATE_OFF 11
    TRY .r4
    mov ax, 0x58
    mov es, ax
.r4:
    GATE_ON 11
    PRINTLN "int 0x60 not present"
    TRY .r5
    int 0x60
.r5:
    PRINTLN "int3 with #bp gate not present"
    GATE_OFF 3
    TRY .r6
    int3
.r6:
    GATE_ON 3
    SHOW "faults", [fault_count]
    PRINTLN "triple fault"
    GATE_OFF 8
    GATE_OFF 13
    mov ax, 0x108
    mov ds, ax
    PRINTLN "not reached"
    mov al, 0x7e
    jmp exit
