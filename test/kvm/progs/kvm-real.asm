; Real mode: string output with REP OUTSB (one PIO exit with a count), the memory below 1 MiB,
; RAM and arithmetic.
%include "bios.inc"
start:
    cli
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    PUTS16 msg
    push cs
    pop ds
    mov si, rep_msg
    mov cx, rep_len
    mov dx, 0xe9
    cld
    rep outsb
    mov ax, 1234
    mov bx, 56
    mul bx
    cmp ax, 1234 * 56 & 0xffff
    jne .bad
    PUTS16 ok
    mov ax, 0xa000                   ; the VGA window: RAM with -nodefaults, as in QEMU
    mov es, ax
    mov al, [es:0]
    call puthex8
    mov al, 10
    out 0xe9, al
    xor ax, ax
    mov es, ax
    mov word [es:0x500], 0xbeef      ; RAM round trip
    mov ax, [es:0x500]
    mov al, ah
    call puthex8
    mov al, 10
    out 0xe9, al
    mov al, 1
    jmp exit16
.bad:
    mov al, 2
    jmp exit16
; puthex8: AL as two hex digits
puthex8:
    push ax
    shr al, 4
    call .nib
    pop ax
    and al, 15
.nib:
    add al, '0'
    cmp al, '9'
    jbe .o
    add al, 7
.o: out 0xe9, al
    ret
msg: db "real mode", 10, 0
rep_msg: db "rep outsb reached the debug console", 10
rep_len equ $ - rep_msg
ok: db "mul ok", 10, 0
%include "bios.end"
