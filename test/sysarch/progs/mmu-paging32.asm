; 32-bit paging: 4 KiB pages through a page table, 4 MiB PSE pages, A/D bits, #PF for a page
; not present, a write to a read-only page with CR0.WP clear and set, a reserved bit in a 4 MiB
; PDE, INVLPG and CR3 reloads, a store crossing into a page not present (no partial write) and
; an instruction fetch crossing into a page not present.
%include "lib.inc"
%include "mmu.inc"

PD  equ PT_BASE                 ; page directory
PT  equ PT_BASE + 0x1000        ; page table of the test window (PDE 256 = 0x40000000)

main:
    ; Clear the tables; identity-map 0-64 MiB with 4 MiB supervisor pages.
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
    ; A 4 MiB page at 0x80000000 -> physical 8 MiB (the test pages lie in it).
    mov dword [PD + (0x80000000 >> 22) * 4], 0x800000 | P_P | P_RW | P_PS
    ; Test pages: markers
    mov dword [PAGE_A], 0xaaaa0001
    mov dword [PAGE_B], 0xbbbb0002
    mov dword [PAGE_C], 0xcccc0003

    mov eax, cr4
    or eax, 0x10                ; PSE
    mov cr4, eax
    mov eax, PD
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    and eax, ~0x10000           ; WP clear
    mov cr0, eax
    PRINTLN "paging on"

    ; 1. A 4 KiB page: read, then A/D bits of the PDE and PTE; then write.
    mov dword [PT + 0 * 4], PAGE_A | P_P | P_RW
    SHOW "read win+0", [WIN]
    SHOWPTE "pde", PD + (WIN >> 22) * 4
    SHOWPTE "pte0 after read", PT + 0 * 4
    mov dword [WIN + 4], 0x12345678
    SHOWPTE "pte0 after write", PT + 0 * 4
    SHOW "page_a+4", [PAGE_A + 4]

    ; 2. A 4 MiB page.
    SHOW "read 4m", [0x80000000 + (PAGE_B - 0x800000)]
    SHOWPTE "pde 4m", PD + (0x80000000 >> 22) * 4

    ; 3. Not present.
    TRY .t3
    mov eax, [WIN + 0x1000]
.t3:
    TRY .t3w
    mov dword [WIN + 0x1008], 1
.t3w:

    ; 4. Read-only page written at CPL 0: allowed with WP clear, #PF with WP set.
    mov dword [PT + 2 * 4], PAGE_B | P_P
    mov dword [WIN + 0x2010], 0x5555
    SHOW "ro write wp=0", [PAGE_B + 0x10]
    SHOWPTE "pte2", PT + 2 * 4
    mov dword [PT + 3 * 4], PAGE_B | P_P
    mov eax, cr0
    or eax, 0x10000
    mov cr0, eax
    TRY .t4
    mov dword [WIN + 0x3014], 0x6666
.t4:
    SHOW "ro write wp=1", [PAGE_B + 0x14]
    SHOWPTE "pte3", PT + 3 * 4

    ; 5. Reserved bit 21 in a 4 MiB PDE.
    mov dword [PD + (0xc0000000 >> 22) * 4], 0x400000 | 0x200000 | P_P | P_RW | P_PS
    TRY .t5
    mov eax, [0xc0000000]
.t5:
    SHOWPTE "pde rsvd", PD + (0xc0000000 >> 22) * 4

    ; 6. INVLPG: remap a cached page, flush it, and see the new page.
    mov dword [PT + 4 * 4], PAGE_A | P_P | P_RW
    mov eax, [WIN + 0x4000]
    mov dword [PT + 4 * 4], PAGE_C | P_P | P_RW
    invlpg [WIN + 0x4000]
    SHOW "after invlpg", [WIN + 0x4000]
    ; ... and a CR3 reload.
    mov dword [PT + 4 * 4], PAGE_B | P_P | P_RW
    mov eax, cr3
    mov cr3, eax
    SHOW "after cr3 load", [WIN + 0x4000]

    ; 7. A dword store crossing from a writable page into a page not present: nothing written.
    mov dword [PT + 5 * 4], PAGE_C | P_P | P_RW
    mov dword [PAGE_C + 0xffc], 0x11223344
    TRY .t7
    mov dword [WIN + 0x5ffe], 0xdeadbeef
.t7:
    SHOW "crossing store", [PAGE_C + 0xffc]
    ; A load crossing into it faults too.
    TRY .t7l
    mov eax, [WIN + 0x5ffe]
.t7l:

    ; 8. An instruction crossing into a page not present: #PF with CR2 = the second page.
    mov dword [PT + 7 * 4], CODE_PG | P_P | P_RW
    mov byte [CODE_PG + 0xffd], 0xb8        ; mov eax, imm32 (5 bytes: 3 on this page)
    mov word [CODE_PG + 0xffe], 0x1111
    TRY .t8
    mov eax, WIN + 0x7ffd
    jmp eax
.t8:
    ; 9. Execution from a page (code copied there), aliased at a second linear page.
    mov dword [PT + 9 * 4], CODE_PG | P_P | P_RW
    mov dword [PT + 10 * 4], CODE_PG | P_P | P_RW
    mov dword [CODE_PG], 0x000001b8         ; mov eax, 1
    mov dword [CODE_PG + 4], 0x9090c300     ; (imm high byte 0) ret
    mov eax, WIN + 0x9000
    call eax
    SHOW "code via alias 1", eax
    mov byte [WIN + 0xa001], 2              ; patch through the other alias
    mov eax, WIN + 0x9000
    call eax
    SHOW "code after patch", eax
    SHOWPTE "pte9", PT + 9 * 4
    SHOWPTE "pte10", PT + 10 * 4

    SHOW "faults", [fault_count]
    mov al, 5
    jmp exit
