; RDMSR/WRMSR of the MSRs QEMU 7.2 implements under TCG, and of unknown ones (read as 0,
; writes ignored, as QEMU 7.2's TCG does).
%include "lib.inc"
%include "sys.inc"

section .data
fsvar: dd 0x600dcafe

section .text
main:
    ; power-on values (the firmware does not touch these)
    RDMSR_SHOW 0x1b             ; APIC_BASE
    RDMSR_SHOW 0x174
    RDMSR_SHOW 0x175
    RDMSR_SHOW 0x176
    RDMSR_SHOW 0x179            ; MCG_CAP
    RDMSR_SHOW 0x17a
    RDMSR_SHOW 0x17b            ; MCG_CTL
    RDMSR_SHOW 0x198            ; PERF_STATUS
    RDMSR_SHOW 0x1a0            ; MISC_ENABLE
    RDMSR_SHOW 0x277            ; PAT
    RDMSR_SHOW 0xfe             ; MTRRcap
    RDMSR_SHOW 0x400            ; MC0_CTL
    RDMSR_SHOW 0x401
    RDMSR_SHOW 0x424            ; MC9_CTL
    RDMSR_SHOW 0x427
    RDMSR_SHOW 0xc0000080       ; EFER
    RDMSR_SHOW 0xc0000081
    RDMSR_SHOW 0xc0000082
    RDMSR_SHOW 0xc0000083
    RDMSR_SHOW 0xc0000084
    RDMSR_SHOW 0xc0000100
    RDMSR_SHOW 0xc0000101
    RDMSR_SHOW 0xc0000102
    RDMSR_SHOW 0xc0000103
    ; MSRs QEMU's TCG does not know read as zero
    RDMSR_SHOW 0x3a
    RDMSR_SHOW 0x48
    RDMSR_SHOW 0xce
    RDMSR_SHOW 0x10a
    RDMSR_SHOW 0x6e0
    RDMSR_SHOW 0x428
    RDMSR_SHOW 0x12345
    RDMSR_SHOW 0xc0001234

    ; writes and read-back
    WRMSR_SHOW 0x1b, 0, 0xfee00800          ; BSP is read-only
    WRMSR_SHOW 0x174, 0x11111111, 0x12345678 ; SYSENTER_CS keeps 16 bits
    WRMSR_SHOW 0x175, 0x00007fff, 0x87654321
    WRMSR_SHOW 0x176, 0xffff8000, 0x00000010
    WRMSR_SHOW 0x17a, 0, 5
    WRMSR_SHOW 0x17b, 0, 5                  ; MCG_CTL: only 0 or all ones
    WRMSR_SHOW 0x17b, 0, 0
    WRMSR_SHOW 0x17b, 0xffffffff, 0xffffffff
    WRMSR_SHOW 0x400, 0, 0x1234             ; MCi_CTL likewise
    WRMSR_SHOW 0x400, 0, 0
    WRMSR_SHOW 0x401, 0x80000000, 0x1234    ; MCi_STATUS takes anything
    WRMSR_SHOW 0x402, 0x1, 0x2
    WRMSR_SHOW 0x403, 0x3, 0x4
    WRMSR_SHOW 0x427, 0x5, 0x6
    WRMSR_SHOW 0x1a0, 0, 0x11
    WRMSR_SHOW 0x277, 0x00070406, 0x00070106
    WRMSR_SHOW 0x2ff, 0, 0x806              ; MTRRdefType
    WRMSR_SHOW 0x200, 0, 0x80000006         ; variable MTRR 0
    WRMSR_SHOW 0x201, 0xff, 0x80000800
    WRMSR_SHOW 0x20e, 0x1, 0x2
    WRMSR_SHOW 0x20f, 0x3, 0x4
    WRMSR_SHOW 0x250, 0x06060606, 0x06060606 ; fixed MTRRs
    WRMSR_SHOW 0x258, 0x01010101, 0x01010101
    WRMSR_SHOW 0x259, 0x02020202, 0x02020202
    WRMSR_SHOW 0x268, 0x03030303, 0x03030303
    WRMSR_SHOW 0x26f, 0x04040404, 0x04040404
    WRMSR_SHOW 0xfe, 0, 0                   ; read-only ones ignore writes
    WRMSR_SHOW 0x179, 0, 0
    WRMSR_SHOW 0x198, 0, 0
    WRMSR_SHOW 0xc0000080, 0, 1             ; EFER.SCE
    WRMSR_SHOW 0xc0000080, 0, 0
    WRMSR_SHOW 0xc0000081, 0x00230010, 0x9abcdef0
    WRMSR_SHOW 0xc0000082, 0xffffffff, 0x80001234
    WRMSR_SHOW 0xc0000083, 0x00000001, 0x00002000
    WRMSR_SHOW 0xc0000084, 0x12345678, 0x00047700
    WRMSR_SHOW 0xc0000102, 0x00007f00, 0x11223344
    WRMSR_SHOW 0xc0000103, 0xaaaaaaaa, 0x12345678
    WRMSR_SHOW 0x12345, 0x1, 0x2            ; unknown: ignored
    WRMSR_SHOW 0x3a, 0x0, 0x5

    ; FS_BASE/GS_BASE are the segment bases, also outside long mode
    WRMSR_SHOW 0xc0000100, 0, fsvar
    mov eax, [fs:0]
    SHOW "fs:0", eax
    WRMSR_SHOW 0xc0000101, 0, fsvar - 4
    mov eax, [gs:4]
    SHOW "gs:4", eax
    mov ax, 0x10
    mov fs, ax
    mov gs, ax
    RDMSR_SHOW 0xc0000100
    RDMSR_SHOW 0xc0000101
    SHOW "faults", [fault_count]
    mov al, 0
    jmp exit
