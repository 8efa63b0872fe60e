; Counts boots in CMOS byte 0x7e and triple-faults (an empty IDT, then UD2: #UD, #GP and #DF
; cannot be delivered) until the third boot, which exits with code 4.
%include "lib.inc"
main:
    mov al, 0x7e
    out 0x70, al
    in al, 0x71
    movzx ebx, al
    SHOW "boot", ebx
    cmp ebx, 2
    jae .done
    inc ebx
    mov al, 0x7e
    out 0x70, al
    mov al, bl
    out 0x71, al
    lidt [empty_idtr]
    ud2
.done:
    mov al, 4
    jmp exit

section .data
empty_idtr:
    dw 0
    dd 0
