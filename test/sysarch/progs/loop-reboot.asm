; Counts boots in CMOS byte 0x7e (CMOS RAM survives a system reset) and asks for a reset
; through the keyboard controller (i8042 command 0xfe) until the third boot, which exits.
%define MB_FLAGS 0
%include "loop.inc"
main:
    mov al, 0x7e
    out 0x70, al
    in al, 0x71
    movzx ebx, al
    PRINT "boot "
    mov eax, ebx
    call puthex
    call putnl
    cmp ebx, 2
    jae .done
    inc ebx
    mov al, 0x7e
    out 0x70, al
    mov al, bl
    out 0x71, al
    mov al, 0xfe
    out 0x64, al
.spin:
    jmp .spin
.done:
    mov al, 4
    jmp exit
