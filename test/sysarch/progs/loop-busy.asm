; A busy loop of 2 * 200M instructions (DEC, JNZ), then exit 1: the loop's MIPS measurement.
%define MB_FLAGS 0
%include "loop.inc"
main:
    mov ecx, 20000000
.l: dec ecx
    jnz .l
    mov al, 1
    jmp exit
