; Descriptor-table registers, CR0/CR2/CR3/CR4, SMSW/LMSW/CLTS, DR0-DR7 without faults.
%include "lib.inc"
%include "sys.inc"

section .data
pd: times 16 db 0
newdt:
    dw 0x3ff
    dd 0x12345678

section .text
main:
    mov eax, 0x11               ; PE|ET: the loaders leave different cache bits
    mov cr0, eax

    ; SGDT/SIDT, 32-bit operand size
    mov dword [pd + 4], 0xffffffff
    sgdt [pd]
    movzx eax, word [pd]
    SHOW "gdt.limit", eax
    mov eax, [pd + 2]
    sub eax, gdt
    SHOW "gdt.base-gdt", eax
    sidt [pd]
    movzx eax, word [pd]
    SHOW "idt.limit", eax
    mov eax, [pd + 2]
    sub eax, idt
    SHOW "idt.base-idt", eax

    ; 16-bit operand size: 24 bits of base, the fourth byte stored as zero
    mov dword [pd + 2], 0xffffffff
    mov dword [pd + 6], 0xffffffff
    o16 lidt [newdt]
    o16 sidt [pd]
    SHOW "o16 sidt base", [pd + 2]
    SHOW "o16 sidt next", [pd + 6]
    movzx eax, word [pd]
    SHOW "o16 sidt limit", eax
    lidt [newdt]
    sidt [pd]
    SHOW "sidt base", [pd + 2]
    lidt [idtr]
    o16 sgdt [pd]
    SHOW "o16 sgdt base", [pd + 2]
    o16 lgdt [gdtr]
    sgdt [pd]
    SHOW "gdt.base after o16 lgdt", [pd + 2]
    lgdt [gdtr]

    ; SMSW: register forms write CR0 at the operand size, memory gets 16 bits
    mov eax, 0xffffffff
    smsw eax
    SHOW "smsw eax", eax
    mov eax, 0xffffffff
    smsw ax
    SHOW "smsw ax", eax
    mov dword [pd], 0xffffffff
    smsw [pd]
    SHOW "smsw mem", [pd]

    ; LMSW changes MP/EM/TS and can set but not clear PE
    mov ax, 0xe
    lmsw ax
    mov eax, cr0
    SHOW "cr0 after lmsw 0xe", eax
    mov word [pd], 0xfff0
    lmsw [pd]
    mov eax, cr0
    SHOW "cr0 after lmsw 0xfff0", eax
    mov ax, 8
    lmsw ax
    clts
    mov eax, cr0
    SHOW "cr0 after clts", eax

    ; CR0 bits that only get stored
    mov eax, cr0
    or eax, 0x40050022          ; CD, AM, WP, NE, MP
    mov cr0, eax
    mov eax, cr0
    SHOW "cr0", eax
    mov eax, 0x11
    mov cr0, eax
    mov eax, cr0
    SHOW "cr0", eax

    ; CR2, CR3 (paging off: any value), CR4 bits every model has
    mov eax, 0xfedcba98
    mov cr2, eax
    xor eax, eax
    mov eax, cr2
    SHOW "cr2", eax
    mov eax, cr3
    push eax
    mov eax, 0x12345fff
    mov cr3, eax
    mov ebx, cr3
    SHOW "cr3", ebx
    pop eax
    mov cr3, eax
    mov eax, 0x10c              ; TSD, DE, PCE
    mov cr4, eax
    mov eax, cr4
    SHOW "cr4", eax
    xor eax, eax
    mov cr4, eax
    mov eax, cr4
    SHOW "cr4", eax

    ; caches and TLB
    invd
    wbinvd
    invlpg [pd]
    invlpg [0xfffff000]
    PRINTLN "invd wbinvd invlpg"

    ; debug registers: DR6/DR7 fixed bits, DR4/DR5 alias DR6/DR7 while CR4.DE is clear
    mov eax, dr6
    SHOW "dr6", eax
    mov eax, dr7
    SHOW "dr7", eax
    mov eax, 0x11111111
    mov dr0, eax
    mov eax, 0x22222222
    mov dr1, eax
    mov eax, 0x33333333
    mov dr2, eax
    mov eax, 0x44444444
    mov dr3, eax
    mov eax, dr0
    SHOW "dr0", eax
    mov eax, dr1
    SHOW "dr1", eax
    mov eax, dr2
    SHOW "dr2", eax
    mov eax, dr3
    SHOW "dr3", eax
    xor eax, eax
    mov dr6, eax
    mov eax, dr6
    SHOW "dr6 after 0", eax
    mov eax, 0x0000000f
    mov dr4, eax
    mov eax, dr6
    SHOW "dr6 via dr4", eax
    mov eax, dr4
    SHOW "dr4", eax
    mov eax, 0x00ff0000         ; types/lengths without enables
    mov dr5, eax
    mov eax, dr7
    SHOW "dr7 via dr5", eax
    mov eax, dr5
    SHOW "dr5", eax
    xor eax, eax
    mov dr7, eax
    mov eax, dr7
    SHOW "dr7", eax
    SHOW "faults", [fault_count]
    mov al, 0
    jmp exit
