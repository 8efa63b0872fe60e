; Prints the multiboot information structure the loader passed.
%define MB_FLAGS 3
%include "loop.inc"
main:
    SHOW "magic", [boot_magic]
    mov ebx, [boot_mbi]
    SHOW "mbi", ebx
    SHOW "flags", [ebx]
    SHOW "mem_lower", [ebx + 4]
    SHOW "mem_upper", [ebx + 8]
    SHOW "boot_device", [ebx + 12]
    PRINT "cmdline="
    mov esi, [ebx + 16]
    call puts
    call putnl
    SHOW "mods_count", [ebx + 20]
    SHOW "mods_addr", [ebx + 24]
    mov ecx, [ebx + 20]
    mov edi, [ebx + 24]
.mods:
    test ecx, ecx
    jz .mods_done
    SHOW "mod_start", [edi]
    SHOW "mod_end", [edi + 4]
    PRINT "mod_cmdline="
    mov esi, [edi + 8]
    call puts
    call putnl
    mov esi, [edi]
    PRINT "mod_data="
    mov eax, [esi]
    call puthex
    call putnl
    add edi, 16
    dec ecx
    jmp .mods
.mods_done:
    SHOW "mmap_length", [ebx + 44]
    SHOW "mmap_addr", [ebx + 48]
    mov edi, [ebx + 48]
    mov edx, edi
    add edx, [ebx + 44]
.mmap:
    cmp edi, edx
    jae .mmap_done
    PRINT "e820 "
    mov eax, [edi + 8]
    call puthex
    mov eax, [edi + 4]
    call puthex
    PRINT " "
    mov eax, [edi + 16]
    call puthex
    mov eax, [edi + 12]
    call puthex
    PRINT " "
    mov eax, [edi + 20]
    call puthex
    PRINT " size "
    mov eax, [edi]
    call puthex
    call putnl
    add edi, [edi]
    add edi, 4
    jmp .mmap
.mmap_done:
    PRINT "loader="
    mov esi, [ebx + 64]
    call puts
    call putnl
    mov al, 1
    jmp exit
