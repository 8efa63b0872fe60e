; A 64 KiB -bios image (real mode from the reset vector, no firmware): programs the PIC and
; the PIT, takes IRQ0 through the IVT, and checks when an interrupt pending during CLI is taken:
; never between STI and CLI (STI's one-instruction shadow), and after the instruction that
; follows an STI.  Output on the debug console, exit through isa-debug-exit.
bits 16
org 0

COUNT equ 0x500         ; IRQ0 count (RAM)
SEEN  equ 0x502         ; the marker's value when the handler ran
MARK  equ 0x504
OTHER equ 0x506         ; interrupts through any other vector

start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov word [COUNT], 0
    mov word [OTHER], 0
    ; every vector to `other`, then vector 0x20 to irq0
    xor bx, bx
.ivt:
    mov word [bx], other
    mov word [bx + 2], 0xf000
    add bx, 4
    cmp bx, 0x400
    jb .ivt
    mov word [0x20 * 4], irq0
    ; PIC: ICW1-4 (master at vector 0x20, slave at 0x28), then only IRQ0 unmasked
    mov al, 0x11
    out 0x20, al
    out 0xa0, al
    mov al, 0x20
    out 0x21, al
    mov al, 0x28
    out 0xa1, al
    mov al, 4
    out 0x21, al
    mov al, 2
    out 0xa1, al
    mov al, 1
    out 0x21, al
    out 0xa1, al
    mov al, 0xfe
    out 0x21, al
    mov al, 0xff
    out 0xa1, al
    ; PIT channel 0, mode 2, 1193 -> about 1 kHz
    mov al, 0x34
    out 0x43, al
    mov ax, 1193
    out 0x40, al
    mov al, ah
    out 0x40, al

    ; 1. 20 ticks with STI; HLT
    sti
.wait:
    hlt
    cmp word [COUNT], 20
    jb .wait
    cli
    mov si, msg_ticks
    call puts

    ; 2. a pending IRQ0 is not taken between STI and CLI
    call wait_irr
    mov bx, [COUNT]
    sti
    cli
    sub bx, [COUNT]
    mov al, '0'
    sub al, bl
    call putc
    call nl

    ; 3. it is taken after the instruction that follows STI
    mov word [MARK], 0
    mov word [SEEN], 0xffff
    call wait_irr
    sti
    mov word [MARK], 1
    mov word [MARK], 2
    cli
    mov al, '0'
    add al, [SEEN]
    call putc
    call nl

    ; 4. HLT with IF=1 wakes up on the next tick, the return address is after the HLT
    mov bx, [COUNT]
    sti
    hlt
    cli
    mov ax, [COUNT]
    sub ax, bx
    add al, '0'
    call putc
    call nl
    mov al, '0'
    add al, [OTHER]
    call putc
    call nl
    mov al, 5
    out 0xf4, al
.hang:
    hlt
    jmp .hang

; Waits (IF=0) until IRQ0 is pending in the master PIC's IRR.
wait_irr:
    mov al, 0x0a            ; OCW3: read IRR
    out 0x20, al
.l: in al, 0x20
    test al, 1
    jz .l
    ret

irq0:
    push ax
    inc word [COUNT]
    mov ax, [MARK]
    mov [SEEN], ax
    mov al, 0x20
    out 0x20, al
    pop ax
    iret

other:
    inc word [OTHER]
    iret

putc:
    out 0xe9, al
    ret
nl:
    mov al, 10
    out 0xe9, al
    ret
puts:
    cs lodsb
    test al, al
    jz .d
    out 0xe9, al
    jmp puts
.d: ret

msg_ticks: db "20 ticks", 10, 0

    times 0xfff0 - ($ - $$) db 0xf4
reset:
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0xf4
