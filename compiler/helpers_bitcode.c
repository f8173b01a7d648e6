/* helpers_bitcode.c: the runtime's helper bitcode (runtime/native_helpers.c
 * compiled by clang-19 at build time), embedded in stoopc so that every
 * generated module can start from it. STOOP_HELPERS_BC is its path. */
#ifndef STOOP_HELPERS_BC
#error "STOOP_HELPERS_BC must name the helper bitcode file"
#endif

__asm__(".section .rodata\n"
        ".global stoop_helpers_bc\n"
        ".global stoop_helpers_bc_end\n"
        ".balign 16\n"
        "stoop_helpers_bc:\n"
        ".incbin \"" STOOP_HELPERS_BC "\"\n"
        "stoop_helpers_bc_end:\n"
        ".byte 0\n"
        ".previous\n");
