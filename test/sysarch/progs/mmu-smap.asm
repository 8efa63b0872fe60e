; SMEP and SMAP under 32-bit paging at CPL 0 (run with -cpu qemu64,+smep,+smap): supervisor
; data accesses to a user page fault unless EFLAGS.AC is set (STAC/CLAC toggle it without a
; TLB flush), supervisor instruction fetches from a user page fault with the I/D bit.
%include "lib.inc"
%include "mmu.inc"

PD  equ PT_BASE
PT  equ PT_BASE + 0x1000

main:
    mov edi, PD
    mov ecx, 0x2000 / 4
    xor eax, eax
    rep stosd
    xor ecx, ecx
.id:
    mov eax, ecx
    shl eax, 22
    or eax, P_P | P_RW | P_PS
    mov [PD + ecx * 4], eax
    inc ecx
    cmp ecx, 16
    jb .id
    mov dword [PD + (WIN >> 22) * 4], PT | P_P | P_RW | P_US
    mov dword [PT + 0 * 4], PAGE_A | P_P | P_RW | P_US      ; user data
    mov dword [PT + 1 * 4], CODE_PG | P_P | P_RW | P_US     ; user code
    mov dword [PT + 2 * 4], PAGE_B | P_P | P_RW             ; supervisor data
    mov dword [PAGE_A], 0xaaaa0001
    mov dword [PAGE_B], 0xbbbb0002
    mov byte [CODE_PG], 0xc3    ; ret

    mov eax, cr4
    or eax, 0x10 | (1 << 20) | (1 << 21)    ; PSE, SMEP, SMAP
    mov cr4, eax
    mov eax, PD
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80010000
    mov cr0, eax
    PRINTLN "smep/smap on"

    TRY .t1
    mov eax, [WIN]
.t1:
    stac
    SHOW "read with AC", [WIN]
    mov dword [WIN + 4], 0x44
    clac
    TRY .t2
    mov dword [WIN + 8], 0x88
.t2:
    TRY .t3
    mov eax, [WIN + 4]
.t3:
    SHOW "page_a+4", [PAGE_A + 4]
    SHOW "page_a+8", [PAGE_A + 8]
    SHOW "supervisor page", [WIN + 0x2000]
    TRY .t4
    mov eax, WIN + 0x1000
    call eax
.t4:
    ; Without SMAP the user page is readable by the supervisor again.
    mov eax, cr4
    and eax, ~(1 << 21)
    mov cr4, eax
    SHOW "read without SMAP", [WIN]
    SHOW "faults", [fault_count]
    mov al, 10
    jmp exit
