; User/supervisor protection under 32-bit paging, from CPL 3: a supervisor page (read and write
; fault with U set), a read-only user page (write faults even with CR0.WP clear), a page not
; present, a writable user page (D set).  Exceptions from CPL 3 switch to a ring-0 stack that
; lies on a supervisor-only page, so delivery must access it as a supervisor.
%include "lib.inc"
%include "mmu.inc"

PD   equ PT_BASE
PT   equ PT_BASE + 0x1000
KSTK equ WIN + 0x5000           ; the ring-0 stack page (supervisor only)

section .bss
tss: resb 104

section .text
main:
    mov edi, PD
    mov ecx, 0x2000 / 4
    xor eax, eax
    rep stosd
    xor ecx, ecx
.id:
    mov eax, ecx
    shl eax, 22
    or eax, P_P | P_RW | P_US | P_PS
    mov [PD + ecx * 4], eax
    inc ecx
    cmp ecx, 16
    jb .id
    mov dword [PD + (WIN >> 22) * 4], PT | P_P | P_RW | P_US
    mov dword [PT + 0 * 4], PAGE_A | P_P | P_RW             ; supervisor
    mov dword [PT + 1 * 4], PAGE_B | P_P | P_US             ; user, read-only
    mov dword [PT + 3 * 4], PAGE_C | P_P | P_RW | P_US      ; user, writable
    mov dword [PT + 5 * 4], CODE_PG | P_P | P_RW            ; ring-0 stack, supervisor
    mov dword [PAGE_A], 0xaaaa0001
    mov dword [PAGE_B], 0xbbbb0002

    ; TSS: the ring-0 stack at the top of the supervisor page.
    mov dword [tss + 4], KSTK + 0x1000
    mov dword [tss + 8], 0x10
    mov eax, tss
    mov word [gdt_tss], 103
    mov [gdt_tss + 2], ax
    shr eax, 16
    mov [gdt_tss + 4], al
    mov byte [gdt_tss + 5], 0x89
    mov [gdt_tss + 7], ah
    mov ax, 0x40
    ltr ax

    mov eax, cr4
    or eax, 0x10                ; PSE
    mov cr4, eax
    mov eax, PD
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    and eax, ~0x10000           ; WP clear: only CPL 3 is refused read-only pages
    mov cr0, eax
    ; Supervisor accesses first, so their translations are cached.
    SHOW "cpl0 read sup", [WIN]
    SHOW "cpl0 read ro", [WIN + 0x1000]
    mov dword [WIN + 0x1004], 0x1234 ; CPL 0, WP clear: allowed
    PRINTLN "to ring 3"

    ; IRET to CPL 3 with IOPL 3 (the program prints and exits from ring 3).
    mov eax, esp
    push dword 0x3b
    push eax
    push dword 0x3002
    push dword 0x33
    push dword user
    iret

user:
    mov ax, 0x3b
    mov ds, ax
    mov es, ax
    TRY .u1
    mov eax, [WIN]
.u1:
    TRY .u2
    mov dword [WIN + 8], 1
.u2:
    SHOW "user read ro", [WIN + 0x1004]
    TRY .u3
    mov dword [WIN + 0x1008], 1
.u3:
    TRY .u4
    mov eax, [WIN + 0x2000]
.u4:
    TRY .u5
    mov dword [WIN + 0x2000], 1
.u5:
    mov dword [WIN + 0x3000], 0x5151
    SHOW "user wrote", [WIN + 0x3000]
    SHOW "pte0", [PT]
    SHOW "pte1", [PT + 4]
    SHOW "pte3", [PT + 12]
    SHOW "page_a+8", [PAGE_A + 8]
    SHOW "faults", [fault_count]
    mov al, 9
    jmp exit
