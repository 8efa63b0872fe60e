; Masks every PIC input and halts with interrupts enabled: an idle guest.
%define MB_FLAGS 0
%include "loop.inc"
main:
    mov al, 0xff
    out 0x21, al
    out 0xa1, al
    PRINT "idle"
    call putnl
.h: sti
    hlt
    jmp .h
