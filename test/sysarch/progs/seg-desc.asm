; LAR, LSL, VERR, VERW over GDT/LDT selectors at CPL 0 and CPL 3 (result, ZF, destination kept
; when ZF=0), LLDT/SLDT/STR, LDT data-segment loads (TI bit), the accessed bit, ARPL.
%include "lib.inc"
%include "seg.inc"

main:
    call seg_init
    call tss_init
    SET_DESC 0x50, 0, 0xfffff, 0xc098       ; execute-only code
    SET_DESC 0x58, 0, 0xfffff, 0xc012       ; data, not present
    SET_GATE seg_gdt + 0x68, 0x08, main, 0xec02   ; call gate DPL 3
    SET_DESC 0x70, 0, 0xfffff, 0xc09e       ; conforming code DPL 0
    SET_DESC 0x78, ldt_table, 31, 0x0082    ; LDT
    SET_GATE seg_gdt + 0x80, 0x40, 0, 0xe500 ; task gate DPL 3
    SET_DESC 0x88, seg_tss, 43, 0x00e1      ; 16-bit TSS DPL 3
    SET_GATE seg_gdt + 0x90, 0x08, main, 0xee00 ; an interrupt gate in the GDT
    SET_DESC 0x98, 0, 0x0fff, 0x00f6        ; expand-down data DPL 3, byte granular
    SET_DESC 0xa0, 0, 0x12345, 0x4092       ; data, not yet accessed
    SET_DESC 0xa8, 0, 0xfffff, 0xc0ba       ; readable code DPL 1
    PRINTLN "lldt/sldt/str"
    mov ax, 0x78
    lldt ax
    mov eax, 0xffffffff
    sldt eax
    SHOW "sldt", eax
    mov eax, 0xffffffff
    o16 str ax
    SHOW "str16", eax
    sldt [mem]
    SHOW "sldt.mem", [mem]
    PRINTLN "ldt data segment"
    mov ax, 0x0f
    mov fs, ax
    mov eax, fs
    SHOW "fs", eax
    mov eax, [fs:ldt_table + 8]
    SHOW "fs.read", eax
    PRINTLN "accessed bit"
    movzx eax, byte [seg_gdt + 0xa0 + 5]
    SHOW "before", eax
    mov ax, 0xa0
    mov gs, ax
    movzx eax, byte [seg_gdt + 0xa0 + 5]
    SHOW "after", eax
    movzx eax, byte [ldt_table + 8 + 5]
    SHOW "ldt.after", eax
    mov ax, 0x10
    mov gs, ax
    PRINTLN "arpl"
    mov ax, 0x0008
    mov bx, 0x0003
    arpl ax, bx
    setz cl
    movzx ecx, cl
    SHOW "arpl.ax", eax
    SHOW "arpl.zf", ecx
    mov ax, 0x000b
    mov bx, 0x0001
    arpl ax, bx
    setz cl
    movzx ecx, cl
    SHOW "arpl.ax", eax
    SHOW "arpl.zf", ecx
    mov word [mem], 0x0031
    mov bx, 0x0002
    arpl [mem], bx
    setz cl
    movzx ecx, cl
    SHOW "arpl.mem", [mem]
    SHOW "arpl.zf", ecx
    PRINTLN "cpl 0"
    call probe_all
    PRINTLN "cpl 3"
    TO_RING3 ring3
ring3:
    mov ax, 0x3b
    mov ds, ax
    mov es, ax
    call probe_all
    mov al, 0
    jmp exit

probe_all:
    mov esi, selectors
.l: movzx ebx, word [esi]
    cmp ebx, 0xffff
    je .d
    call probe
    add esi, 2
    jmp .l
.d: ret

; probe: BX = selector; prints "sel lar/zf lsl/zf verr verw"
probe:
    push esi
    mov eax, ebx
    call puthex
    mov eax, 0xdeadbeef
    lar eax, bx
    setz cl
    PRINT " lar="
    call puthex
    mov al, '/'
    call putc
    mov al, cl
    add al, '0'
    call putc
    mov eax, 0xdeadbeef
    lsl eax, bx
    setz cl
    PRINT " lsl="
    call puthex
    mov al, '/'
    call putc
    mov al, cl
    add al, '0'
    call putc
    verr bx
    setz al
    add al, '0'
    PRINT " r"
    call putc
    verw bx
    setz al
    add al, '0'
    PRINT " w"
    call putc
    call putnl
    pop esi
    ret

section .data
align 8
ldt_table:
    dq 0
    dq 0x00CFF2000000FFFF       ; 0x0c/0x0f: data32 DPL 3
    dq 0x00CF9A000000FFFF       ; 0x14: code32 DPL 0
    dq 0
selectors:
    dw 0, 0x08, 0x10, 0x18, 0x33, 0x3b, 0x40, 0x50, 0x58, 0x6b, 0x70, 0x78, 0x80, 0x88, 0x90, 0x9b
    dw 0xa8, 0xab, 0x12, 0x100, 0x0c, 0x0f, 0x14, 0x1c, 0xffff
mem: dd 0
