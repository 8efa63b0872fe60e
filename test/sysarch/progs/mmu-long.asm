; 4-level (IA-32e) paging: 2 MiB and 1 GiB pages, a high canonical mapping, A/D bits, reserved
; bits (PS in a PML4E, address bits in a 1 GiB PDPTE), not-present faults reported through a
; 64-bit IDT, and 64-bit code reading through the mappings.
%include "lib.inc"
%include "mmu.inc"

PML4  equ PT_BASE
PDPT0 equ PT_BASE + 0x1000      ; PML4[0]
PD0   equ PT_BASE + 0x2000      ; 0-1 GiB identity, 2 MiB pages
PD1   equ PT_BASE + 0x3000      ; 1-2 GiB: the window
PT    equ PT_BASE + 0x4000
PDPTH equ PT_BASE + 0x5000      ; PML4[511]
IDT64 equ PT_BASE + 0x8000

section .bss
pf_err: resd 1
pf_cr2: resq 1
pf_rip: resq 1
res64:  resd 4

section .text
main:
    mov edi, PT_BASE
    mov ecx, 0x9000 / 4
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
    mov dword [PML4], PDPT0 | P_P | P_RW
    mov dword [PML4 + 1 * 8], PDPT0 | P_P | P_RW | P_PS     ; PS in a PML4E: reserved
    mov dword [PML4 + 511 * 8], PDPTH | P_P | P_RW
    mov dword [PDPT0], PD0 | P_P | P_RW
    mov dword [PDPT0 + 1 * 8], PD1 | P_P | P_RW
    mov dword [PDPT0 + 2 * 8], 0 | P_P | P_RW | P_PS        ; 0x80000000: 1 GiB page -> 0
    mov dword [PDPT0 + 3 * 8], 0x2000 | P_P | P_RW | P_PS   ; bit 13 set: reserved
    mov dword [PDPTH + 510 * 8], 0 | P_P | P_RW | P_PS      ; 0xffffffff80000000 -> 0
    mov dword [PD1], PT | P_P | P_RW
    mov dword [PT], PAGE_A | P_P | P_RW
    mov dword [PAGE_A], 0xaaaa0001
    mov dword [PAGE_B], 0xbbbb0002

    ; A 64-bit interrupt gate for #PF.
    mov eax, pf64
    mov [IDT64 + 14 * 16], ax
    mov word [IDT64 + 14 * 16 + 2], 0x28
    mov word [IDT64 + 14 * 16 + 4], 0x8e00
    shr eax, 16
    mov [IDT64 + 14 * 16 + 6], ax
    lidt [idtr64]

    mov eax, cr4
    or eax, 0x20                ; PAE
    mov cr4, eax
    mov eax, PML4
    mov cr3, eax
    EFER_OR 0x100               ; LME
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    mov ecx, 0xc0000080
    rdmsr
    SHOW "efer", eax
    PRINTLN "long mode (compatibility)"

    ; 1. A 4 KiB page through four levels.
    SHOW "read", [WIN]
    mov dword [WIN + 4], 0x44
    SHOW64 "pml4e", PML4
    SHOW64 "pdpte", PDPT0 + 8
    SHOW64 "pde", PD1
    SHOW64 "pte", PT
    ; 2. A 1 GiB page.
    SHOW "read 1g", [0x80000000 + PAGE_B]
    SHOW64 "pdpte 1g", PDPT0 + 2 * 8
    ; 3. Faults, reported through the 64-bit IDT.
    mov dword [fault_resume], .t3
    mov eax, [WIN + 0x1000]
.t3:
    call show_pf
    mov dword [fault_resume], .t3b
    mov dword [0xc0000000], 1
.t3b:
    call show_pf

    ; 4. 64-bit code: the high mapping, the reserved PML4E, a non-present high address.
    jmp 0x28:.code64
bits 64
.code64:
    mov rax, 0xffffffff80000000 + PAGE_A
    mov eax, [rax]
    mov [res64], eax
    mov rax, 0xffffffff80000000 + PAGE_B
    mov dword [rax + 8], 0x88
    mov dword [fault_resume], .t4
    mov rax, 0x8000000010
    mov eax, [rax]
.t4:
    mov eax, [pf_err]
    mov [res64 + 4], eax
    mov dword [fault_resume], .t4b
    mov rax, 0xffffff0000000020
    mov eax, [rax]
.t4b:
    push qword 0x08
    push qword .back
    o64 retf
bits 32
.back:
    SHOW "high read", [res64]
    SHOW "page_b+8", [PAGE_B + 8]
    SHOW "pml4 ps err", [res64 + 4]
    call show_pf
    SHOW64 "pdpte high", PDPTH + 510 * 8
    SHOW64 "pml4e 511", PML4 + 511 * 8
    SHOW "faults", [fault_count]
    mov al, 7
    jmp exit

show_pf:
    SHOW "pf err", [pf_err]
    SHOW64 "pf cr2", pf_cr2
    SHOW64 "pf rip", pf_rip
    ret

bits 64
pf64:
    push rax
    mov eax, [rsp + 8]
    mov [pf_err], eax
    mov rax, cr2
    mov [pf_cr2], rax
    mov rax, [rsp + 16]
    mov [pf_rip], rax
    mov eax, [fault_resume]
    mov [rsp + 16], rax
    inc dword [fault_count]
    pop rax
    add rsp, 8
    iretq
bits 32

section .data
idtr64:
    dw 256 * 16 - 1
    dd IDT64
