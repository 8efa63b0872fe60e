; A BIOS image: real mode -> long mode, then lock cmpxchg16b (which kvm_pvm's
; emulator cannot do: KVM_EXIT_INTERNAL_ERROR).
bits 16
org 0
BASE equ 0xf0000
start:
  cli
  xor ax, ax
  mov es, ax
  mov ds, ax
  ; page tables: PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000 (2 MiB pages, first 4 MiB)
  mov di, 0x1000
  mov cx, 0x1800
  xor eax, eax
  rep stosw
  mov dword [0x1000], 0x2003
  mov dword [0x2000], 0x3003
  mov dword [0x3000], 0x000083
  mov dword [0x3008], 0x200083
  mov eax, cr4
  or eax, 0x20
  mov cr4, eax
  mov eax, 0x1000
  mov cr3, eax
  mov ecx, 0xc0000080
  rdmsr
  or eax, 0x100
  wrmsr
  o32 lgdt [cs:gdtr]
  mov eax, cr0
  or eax, 0x80000001
  mov cr0, eax
  jmp dword 0x08:(BASE + lm)
bits 64
lm:
  mov ax, 0x10
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov rsp, 0x8000
  mov al, 'L'
  out 0xe9, al
  mov rax, 0x1111111111111111
  mov rbx, 0x2222222222222222
  mov rcx, 0x3333333333333333
  mov rdx, 0x4444444444444444
  mov rsi, 0x5555555555555555
  mov rdi, 0x6666666666666666
  mov rbp, 0x7777777777777777
  mov r8, 0x8888888888888888
  mov r9, 0x9999999999999999
  mov r10, 0xaaaaaaaaaaaaaaaa
  mov r11, 0xbbbbbbbbbbbbbbbb
  mov r12, 0xcccccccccccccccc
  mov r13, 0xdddddddddddddddd
  mov r14, 0xeeeeeeeeeeeeeeee
  mov r15, 0xffffffffffffffff
  lock cmpxchg16b [rsp]
  mov al, '!'
  out 0xe9, al
halt:
  hlt
  jmp halt
align 8
gdt:
  dq 0
  dq 0x00af9b000000ffff
  dq 0x00cf93000000ffff
gdtr:
  dw 23
  dd BASE + gdt
times 0xfff0-($-$$) db 0
bits 16
  jmp 0xf000:start
times 0x10000-($-$$) db 0
