; Checks where QEMU 7.2's TCG is laxer than the SDM (it stores reserved CR0/CR4/EFER bits, PG
; without PE, invalid PAT types and non-canonical MSR addresses, and ignores DR7.GD); the oracle
; is the SDM.  Each case prints "expect #<vector> at=<address>" before the faulting instruction,
; so the kit's report line that follows must name that vector and address.
%include "lib.inc"
%include "sys.inc"

; EXPECT vector, instruction...
%macro EXPECT 2+
    TRY %%c
    PRINT "expect #"
    push eax
    mov eax, %1
    call puthex
    PRINT " at="
    mov eax, %%i
    call puthex
    call putnl
    pop eax
%%i:
    %2
    PRINTLN "no fault"
    CATCH %%c
%endmacro

section .text
main:
    mov eax, 0x11
    mov cr0, eax
    mov ebx, 0x80000010                 ; PG without PE
    EXPECT 13, mov cr0, ebx
    mov ebx, 0x20000011                 ; NW without CD
    EXPECT 13, mov cr0, ebx
    mov ebx, 0x00000111                 ; reserved bit 8
    EXPECT 13, mov cr0, ebx
    mov eax, cr0
    SHOW "cr0", eax
    mov ebx, 1 << 15                    ; reserved CR4 bits
    EXPECT 13, mov cr4, ebx
    mov ebx, 1 << 31
    EXPECT 13, mov cr4, ebx
    mov ebx, 1 << 13                    ; VMXE without VMX
    EXPECT 13, mov cr4, ebx
    mov eax, cr4
    SHOW "cr4", eax

    mov ecx, 0xc0000080                 ; EFER: reserved bit 1, SVME without SVM
    xor edx, edx
    mov eax, 2
    EXPECT 13, wrmsr
    mov eax, 1 << 12
    EXPECT 13, wrmsr
    mov edx, 1
    xor eax, eax
    EXPECT 13, wrmsr
    mov ecx, 0x277                      ; PAT: types 2, 3 and 8+ are reserved
    mov edx, 0x00070406
    mov eax, 0x00070402
    EXPECT 13, wrmsr
    mov eax, 0x00070408
    EXPECT 13, wrmsr
    rdmsr
    SHOW64 "pat", edx, eax
    mov edx, 0x00008000                 ; non-canonical addresses
    xor eax, eax
    mov ecx, 0x176
    EXPECT 13, wrmsr
    mov ecx, 0xc0000082
    EXPECT 13, wrmsr
    mov ecx, 0xc0000100
    EXPECT 13, wrmsr
    mov edx, 0xffff7fff
    mov ecx, 0xc0000102
    EXPECT 13, wrmsr

    ; DR7.GD: the next MOV DR raises #DB (a fault), sets DR6.BD and clears GD
    mov eax, 0x2400
    mov dr7, eax
    EXPECT 1, mov eax, dr0
    mov eax, dr6
    SHOW "dr6", eax
    mov eax, dr7
    SHOW "dr7", eax
    SHOW "faults", [fault_count]
    mov al, 0
    jmp exit
