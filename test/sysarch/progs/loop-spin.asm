; Runs forever, printing a dot every 2^22 iterations (the monitor tests stop and resume it).
%define MB_FLAGS 0
%include "loop.inc"
main:
    PRINT "spin"
    call putnl
.outer:
    mov ecx, 1 << 22
.inner:
    dec ecx
    jnz .inner
    mov al, '.'
    call putc
    jmp .outer
