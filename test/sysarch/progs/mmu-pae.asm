; PAE paging: PDPTEs, 2 MiB pages, 4 KiB pages, accessed/dirty bits in every level, NX with
; EFER.NXE (fetch faults with the I/D bit), NX as a reserved bit without it, reserved address
; bits above the physical width, CR0.WP.
%include "lib.inc"
%include "mmu.inc"

PDPT equ PT_BASE                ; 4 entries (32-byte aligned)
PD0  equ PT_BASE + 0x1000       ; 0-1 GiB: 2 MiB identity pages
PD1  equ PT_BASE + 0x2000       ; 1-2 GiB: the test window
PT   equ PT_BASE + 0x3000       ; 4 KiB pages of WIN..WIN+2 MiB

main:
    mov edi, PT_BASE
    mov ecx, 0x4000 / 4
    xor eax, eax
    rep stosd
    xor ecx, ecx
.id:
    mov eax, ecx
    shl eax, 21
    or eax, P_P | P_RW | P_PS
    mov [PD0 + ecx * 8], eax
    inc ecx
    cmp ecx, 32
    jb .id
    mov dword [PDPT], PD0 | P_P
    mov dword [PDPT + 8], PD1 | P_P
    mov dword [PD1], PT | P_P | P_RW
    mov dword [PD1 + 8], 0x800000 | P_P | P_RW | P_PS    ; WIN+2 MiB -> 8 MiB, 2 MiB page
    mov dword [PD1 + 16], 0x802000 | P_P | P_RW | P_PS   ; bit 13 set: reserved
    mov dword [PAGE_A], 0xaaaa0001
    mov dword [PAGE_B], 0xbbbb0002
    mov byte [PAGE_C], 0xc3                              ; ret

    EFER_OR 0x800               ; NXE
    mov eax, cr4
    or eax, 0x20                ; PAE
    mov cr4, eax
    mov eax, PDPT
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80010000          ; PG, WP
    mov cr0, eax
    PRINTLN "pae paging on"

    ; 1. A 4 KiB page: A in every level, D on write.
    mov dword [PT], PAGE_A | P_P | P_RW
    SHOW "read", [WIN]
    SHOW64 "pdpte1", PDPT + 8
    SHOW64 "pde", PD1
    SHOW64 "pte", PT
    mov dword [WIN + 8], 0x99
    SHOW64 "pte after write", PT
    SHOW64 "pdpte0", PDPT

    ; 2. A 2 MiB page.
    SHOW "read 2m", [WIN + 0x200000 + (PAGE_B - 0x800000)]
    mov dword [WIN + 0x200000 + (PAGE_B - 0x800000) + 4], 0x77
    SHOW64 "pde 2m", PD1 + 8
    SHOW "page_b+4", [PAGE_B + 4]
    TRY .t2
    mov eax, [WIN + 0x400000]
.t2:

    ; 3. NX: readable, not executable (I/D set in the error code).
    mov dword [PT + 1 * 8], PAGE_C | P_P | P_RW
    mov dword [PT + 1 * 8 + 4], 0x80000000
    SHOW "read nx", [WIN + 0x1000]
    TRY .t3
    mov eax, WIN + 0x1000
    call eax
.t3:
    TRY .t3b
    mov eax, WIN + 0x7000       ; not present, fetched
    call eax
.t3b:
    mov dword [PT + 2 * 8], PAGE_C | P_P | P_RW
    mov eax, WIN + 0x2000
    call eax
    PRINTLN "executed"

    ; 4. Reserved address bits: bit 45 (above 40) and bit 52.
    mov dword [PT + 3 * 8], PAGE_A | P_P | P_RW
    mov dword [PT + 3 * 8 + 4], 1 << (45 - 32)
    TRY .t4
    mov eax, [WIN + 0x3000]
.t4:
    mov dword [PT + 4 * 8], PAGE_A | P_P | P_RW
    mov dword [PT + 4 * 8 + 4], 1 << (52 - 32)
    TRY .t4b
    mov dword [WIN + 0x4000], 1
.t4b:
    SHOW64 "pte4", PT + 4 * 8

    ; 5. Write-protect at CPL 0.
    mov dword [PT + 5 * 8], PAGE_A | P_P
    TRY .t5
    mov dword [WIN + 0x5000], 1
.t5:
    SHOW "read ro", [WIN + 0x5000]

    ; 6. Without EFER.NXE, NX is reserved.
    mov ecx, 0xc0000080
    rdmsr
    and eax, ~0x800
    wrmsr
    mov dword [PT + 6 * 8], PAGE_A | P_P | P_RW
    mov dword [PT + 6 * 8 + 4], 0x80000000
    mov eax, cr3
    mov cr3, eax
    TRY .t6
    mov eax, [WIN + 0x6000]
.t6:
    TRY .t6b
    mov eax, WIN + 0x8000       ; not present, fetched: no I/D without NXE
    call eax
.t6b:

    SHOW "faults", [fault_count]
    mov al, 6
    jmp exit
