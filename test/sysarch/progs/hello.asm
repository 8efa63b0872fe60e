; The kit itself: output and the exit code.
%include "lib.inc"
main:
    PRINTLN "hello from protected mode"
    mov eax, cr0
    and eax, 1                  ; PE (the other bits are the loader's)
    SHOW "cr0.pe", eax
    SHOW "faults", [fault_count]
    mov al, 3
    jmp exit
