; The SSE/MMX state checks against QEMU 7.2: CR4.OSFXSR, CR0.TS (#NM), CR0.EM (#UD), the
; 16-byte alignment of legacy SSE memory operands (#GP(0)), and a few results through MOVD.
; Left out where QEMU 7.2 departs from the SDM (we follow the SDM): it runs CVTPI2PS with
; CR0.TS set and EMMS with CR0.EM set, and raises #UD for the MMX forms of SSSE3 (PSHUFB mm)
; when CR4.OSFXSR is clear.
%include "lib.inc"
%include "sse.inc"

section .data
align 16
buf: dd 0x3f800000, 0x40000000, 0x40400000, 0x40800000, 0x11111111, 0x22222222, 0x33333333, 0x44444444
out: times 16 db 0

section .text
main:
    mov eax, 0x11               ; PE|ET: EM, TS and MP clear
    mov cr0, eax
    xor eax, eax
    mov cr4, eax
    PRINTLN "cr4.osfxsr=0"
    SSE_CASE "xorps", xorps xmm0, xmm0
    SSE_CASE "pxor xmm", pxor xmm1, xmm1
    SSE_CASE "palignr xmm", palignr xmm1, xmm2, 3
    SSE_CASE "pxor mm", pxor mm0, mm0
    SSE_CASE "emms", emms

    mov eax, 0x600              ; OSFXSR | OSXMMEXCPT
    mov cr4, eax
    PRINTLN "cr4.osfxsr=1"
    SSE_CASE "movaps aligned", movaps xmm0, [buf]
    SSE_CASE "movaps misaligned", movaps xmm1, [buf + 4]
    SSE_CASE "movaps store misaligned", movaps [out + 8], xmm0
    SSE_CASE "movups misaligned", movups xmm1, [buf + 4]
    SSE_CASE "addps misaligned", addps xmm1, [buf + 8]
    SSE_CASE "addss misaligned", addss xmm1, [buf + 8]
    SSE_CASE "paddd misaligned", paddd xmm1, [buf + 8]
    SSE_CASE "paddd mm misaligned", paddd mm1, [buf + 4]
    SSE_CASE "lddqu misaligned", lddqu xmm2, [buf + 3]
    addps xmm0, xmm0            ; 2 4 6 8
    cvtps2dq xmm3, xmm0
    movd eax, xmm3
    SHOW "cvtps2dq lane0", eax
    pshufd xmm4, xmm3, 0x1b
    movd eax, xmm4
    SHOW "pshufd lane0", eax
    movq mm2, [buf + 16]
    paddusb mm2, [buf + 24]
    movd eax, mm2
    SHOW "paddusb mm", eax
    emms

    mov eax, 0x19               ; TS
    mov cr0, eax
    PRINTLN "cr0.ts=1"
    SSE_CASE "addps", addps xmm0, xmm1
    SSE_CASE "paddb mm", paddb mm0, mm1
    mov eax, 0x15               ; EM
    mov cr0, eax
    PRINTLN "cr0.em=1"
    SSE_CASE "addps", addps xmm0, xmm1
    SSE_CASE "paddb mm", paddb mm0, mm1
    mov eax, 0x1d               ; EM | TS
    mov cr0, eax
    PRINTLN "cr0.em=1 cr0.ts=1"
    SSE_CASE "addps", addps xmm0, xmm1
    SSE_CASE "paddb mm", paddb mm0, mm1
    mov eax, 0x11
    mov cr0, eax
    SHOW "faults", [fault_count]
    mov al, 0
    jmp exit
