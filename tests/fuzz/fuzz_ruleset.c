/* libFuzzer harness over the ruleset reader (runtime/ruleset_load.c): what
 * `stoop run -r X.so` checks before it maps any code.
 *
 * Input byte 0 picks the form:
 *   'E': the rest is a whole file image (ELF headers, section table...);
 *   else: the rest is the content of a .stoop_manifest section (JSON, NUL,
 *         rules files), wrapped by the harness into a well-formed ELF
 *         shared object, with the placeholders @ABI@ and @HASH@ replaced by
 *         this build's native ABI and schema hash, so the fuzzer gets past
 *         those checks into the manifest's slots, guards and embedded rules
 *         files (loaded with the whole front end).
 * Any crash, leak, hang or sanitizer report is a bug. */
#include <elf.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "native_code.h"
#include "schema.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void replace_all(struct strbuf *out, const char *s, size_t n, const char *from,
                        const char *to)
{
    size_t fl = strlen(from);
    for (size_t i = 0; i < n;) {
        if (i + fl <= n && memcmp(s + i, from, fl) == 0) {
            sb_puts(out, to);
            i += fl;
        } else {
            sb_append(out, s + i, 1);
            i++;
        }
    }
}

/* ELF header, section data, string table, three section headers. */
static char *wrap_elf(const char *sec, size_t seclen, size_t *len)
{
    static const char names[] = "\0.shstrtab\0" NATIVE_MANIFEST_SECTION;
    size_t data_off = sizeof(Elf64_Ehdr);
    size_t names_off = data_off + seclen;
    size_t sh_off = (names_off + sizeof names + 7) & ~(size_t)7;
    *len = sh_off + 3 * sizeof(Elf64_Shdr);
    char *img = xcalloc(*len, 1);
    Elf64_Ehdr eh = {0};
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_DYN;
    eh.e_machine = EM_X86_64;
    eh.e_version = EV_CURRENT;
    eh.e_ehsize = sizeof eh;
    eh.e_shoff = sh_off;
    eh.e_shentsize = sizeof(Elf64_Shdr);
    eh.e_shnum = 3;
    eh.e_shstrndx = 1;
    memcpy(img, &eh, sizeof eh);
    memcpy(img + data_off, sec, seclen);
    memcpy(img + names_off, names, sizeof names);
    Elf64_Shdr sh[3] = {{0}};
    sh[1].sh_name = 1;
    sh[1].sh_type = SHT_STRTAB;
    sh[1].sh_offset = names_off;
    sh[1].sh_size = sizeof names;
    sh[2].sh_name = 11;
    sh[2].sh_type = SHT_PROGBITS;
    sh[2].sh_offset = data_off;
    sh[2].sh_size = seclen;
    memcpy(img + sh_off, sh, sizeof sh);
    return img;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *rest = (const char *)data + 1;
    size_t restlen = size - 1;
    char *img;
    size_t len;
    if (data[0] == 'E') {
        img = xmalloc(restlen ? restlen : 1);
        memcpy(img, rest, restlen);
        len = restlen;
    } else {
        char abi[16], hash[20];
        snprintf(abi, sizeof abi, "%d", STOOP_NATIVE_ABI);
        snprintf(hash, sizeof hash, "%016" PRIx64, schema_hash());
        struct strbuf a = {0}, b = {0};
        sb_append(&a, "", 0);
        sb_append(&b, "", 0);
        replace_all(&a, rest, restlen, "@ABI@", abi);
        replace_all(&b, a.s, a.len, "@HASH@", hash);
        img = wrap_elf(b.s, b.len, &len);
        sb_free(&a);
        sb_free(&b);
    }
    struct program p;
    program_init(&p);
    char *err = NULL;
    if (!ruleset_check_image("fuzz.so", img, len, &p, &err))
        free(err);
    program_free(&p);
    free(img);
    return 0;
}
