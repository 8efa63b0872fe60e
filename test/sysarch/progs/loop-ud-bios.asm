; A 64 KiB -bios image: executes an undefined opcode (0F 04) in real mode; the #UD handler
; (IVT vector 6) reports the faulting IP and exits.  -d unimp logs the opcode.
bits 16
org 0
start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov word [6 * 4], ud_handler
    mov word [6 * 4 + 2], 0xf000
    mov al, 'a'
    out 0xe9, al
ud_here:
    db 0x0f, 0x04
    mov al, 'x'
    out 0xe9, al
    hlt

ud_handler:
    pop ax                  ; IP of the faulting instruction
    cmp ax, ud_here
    jne .bad
    mov al, 'u'
    out 0xe9, al
    mov al, 6
    out 0xf4, al
.bad:
    mov al, 7
    out 0xf4, al

    times 0xfff0 - ($ - $$) db 0xf4
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xf4
