/* ruleset_load.c: opening a ruleset shared object (native_code.h).
 *
 * The manifest is read from the file's ELF section headers before the
 * object is mapped with dlopen, so a file that is not a stoop ruleset, or
 * one built for another native ABI or other field schemas, is refused with
 * a message and none of its code runs. compiler/emit.c writes the layout:
 * JSON, NUL, then the bytes of the rules files the code was built from. */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "native_code.h"
#include "pipeline.h"
#include "schema.h"
#include "util.h"

struct so_ruleset {
    void *dl;
    char *path;
    char **slot_keys;
    size_t nslots;
    struct native_guard *guards;
    size_t nguards;
};

/* Reads a whole file; NULL with *err. */
static char *read_whole_file(const char *path, size_t *len, char **err)
{
    char *img = read_file(path, len);
    if (!img)
        *err = xasprintf("cannot read %s: %s", path, strerror(errno));
    return img;
}

/* The bytes of section `name` of a 64-bit ELF image, bounds-checked. */
static bool elf_section(const char *img, size_t len, const char *name, const char **data,
                        size_t *dlen, const char **why)
{
    if (len < sizeof(Elf64_Ehdr) || memcmp(img, ELFMAG, SELFMAG) != 0) {
        *why = "not an ELF file";
        return false;
    }
    Elf64_Ehdr eh;
    memcpy(&eh, img, sizeof eh);
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_type != ET_DYN) {
        *why = "not a 64-bit ELF shared object";
        return false;
    }
    if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff > len ||
        (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr) > len - eh.e_shoff || eh.e_shstrndx >= eh.e_shnum) {
        *why = "its section headers are damaged";
        return false;
    }
    Elf64_Shdr strtab;
    memcpy(&strtab, img + eh.e_shoff + (size_t)eh.e_shstrndx * sizeof strtab, sizeof strtab);
    if (strtab.sh_offset > len || strtab.sh_size > len - strtab.sh_offset) {
        *why = "its section names are damaged";
        return false;
    }
    size_t want = strlen(name);
    for (size_t i = 0; i < eh.e_shnum; i++) {
        Elf64_Shdr sh;
        memcpy(&sh, img + eh.e_shoff + i * sizeof sh, sizeof sh);
        if (sh.sh_name >= strtab.sh_size || strtab.sh_size - sh.sh_name <= want)
            continue;
        const char *sname = img + strtab.sh_offset + sh.sh_name;
        if (memcmp(sname, name, want + 1) != 0)
            continue;
        if (sh.sh_type == SHT_NOBITS || sh.sh_offset > len || sh.sh_size > len - sh.sh_offset) {
            *why = "its manifest section is damaged";
            return false;
        }
        *data = img + sh.sh_offset;
        *dlen = sh.sh_size;
        return true;
    }
    *why = "it has no " NATIVE_MANIFEST_SECTION " section (not built by stoopc compile)";
    return false;
}

bool ruleset_file_looks_native(const char *path)
{
    size_t n = strlen(path);
    if (n > 3 && strcmp(path + n - 3, ".so") == 0)
        return true;
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char magic[SELFMAG];
    bool elf = fread(magic, 1, SELFMAG, f) == SELFMAG && memcmp(magic, ELFMAG, SELFMAG) == 0;
    fclose(f);
    return elf;
}

static bool get_str(json_ref obj, const char *key, const char **s, size_t *n)
{
    json_ref v;
    return json_object_get(obj, key, strlen(key), &v) && json_get_string(v, s, n);
}

static bool get_u64(json_ref obj, const char *key, uint64_t *out)
{
    json_ref v;
    return json_object_get(obj, key, strlen(key), &v) && json_get_uint64(v, out);
}

static native_eval_fn so_entry(void *impl, const char *source, char **err)
{
    struct so_ruleset *so = impl;
    char *sym = xasprintf(NATIVE_SYM_EVAL_PREFIX "%s", source);
    void *addr = dlsym(so->dl, sym);
    free(sym);
    if (!addr) {
        *err = xasprintf("%s has no rules for source '%s'", so->path, source);
        return NULL;
    }
    native_eval_fn fn;
    memcpy(&fn, &addr, sizeof fn); /* object pointer to function pointer (POSIX dlsym) */
    return fn;
}

static void so_free(void *impl)
{
    struct so_ruleset *so = impl;
    if (!so)
        return;
    if (so->dl)
        dlclose(so->dl);
    for (size_t i = 0; i < so->nslots; i++)
        free(so->slot_keys[i]);
    free(so->slot_keys);
    for (size_t i = 0; i < so->nguards; i++)
        native_guard_clear(&so->guards[i]);
    free(so->guards);
    free(so->path);
    free(so);
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A hex-encoded array of the manifest: the values and their lengths. */
static bool read_hex_values(json_ref arr, char ***values, size_t **lens, size_t *n)
{
    if (json_kind(arr) != JSON_ARRAY)
        return false;
    *n = json_array_size(arr);
    *values = xcalloc(*n ? *n : 1, sizeof **values);
    *lens = xcalloc(*n ? *n : 1, sizeof **lens);
    json_iter it;
    json_iter_begin(arr, &it);
    json_ref h;
    for (size_t v = 0; v < *n; v++) {
        const char *s;
        size_t len;
        if (!json_iter_next(&it, &h, NULL, NULL) || !json_get_string(h, &s, &len) || len % 2) {
            *n = v; /* what was filled, for freeing */
            return false;
        }
        char *bytes = xcalloc(len / 2 + 1, 1);
        (*values)[v] = bytes;
        (*lens)[v] = len / 2;
        for (size_t k = 0; k < len / 2; k++) {
            int hi = hex_digit(s[2 * k]), lo = hex_digit(s[2 * k + 1]);
            if (hi < 0 || lo < 0) {
                *n = v + 1;
                return false;
            }
            bytes[k] = (char)(hi << 4 | lo);
        }
    }
    return true;
}

/* The guards of the manifest (rule, slot, hex values, and optionally
 * slot2 and values2), checked against the slot count. */
static bool read_guards(json_ref m, struct so_ruleset *so)
{
    json_ref arr;
    if (!json_object_get(m, "guards", 6, &arr) || json_kind(arr) != JSON_ARRAY)
        return false;
    size_t n = json_array_size(arr);
    so->guards = xcalloc(n ? n : 1, sizeof *so->guards);
    json_iter it; /* json_array_at is linear: iterate */
    json_iter_begin(arr, &it);
    json_ref g;
    for (size_t i = 0; i < n && json_iter_next(&it, &g, NULL, NULL); i++) {
        json_ref vals, vals2;
        uint64_t rule, slot, slot2 = 0;
        if (!get_u64(g, "rule", &rule) || !get_u64(g, "slot", &slot) || rule > UINT32_MAX ||
            slot >= so->nslots || !json_object_get(g, "values_hex", 10, &vals))
            return false;
        struct native_guard *ng = &so->guards[so->nguards++];
        ng->rule = (uint32_t)rule;
        ng->slot = (uint32_t)slot;
        if (!read_hex_values(vals, &ng->values, &ng->lens, &ng->nvalues))
            return false;
        if (json_object_get(g, "values2_hex", 11, &vals2)) {
            if (!get_u64(g, "slot2", &slot2) || slot2 >= so->nslots)
                return false;
            ng->slot2 = (uint32_t)slot2;
            if (!read_hex_values(vals2, &ng->values2, &ng->lens2, &ng->nvalues2) ||
                ng->nvalues2 == 0)
                return false;
        }
    }
    return true;
}

/* Checks the manifest and takes what the runtime needs from it. */
static bool read_manifest(const char *path, const char *sec, size_t seclen, struct program *p,
                          struct so_ruleset *so, uint32_t *nmemo, char **err)
{
    const char *nul = memchr(sec, '\0', seclen);
    if (!nul) {
        *err = xasprintf("%s: the stoop manifest is damaged (no end)", path);
        return false;
    }
    size_t jlen = (size_t)(nul - sec);
    const char *blobs = nul + 1;
    size_t bloblen = seclen - jlen - 1;
    struct json_parser *jp = json_parser_new(jlen + 1);
    struct json_stream *js = json_stream_open(jp, sec, jlen);
    json_ref m;
    size_t at;
    const char *jerr;
    bool ok = false;
    const char *s;
    size_t n;
    uint64_t abi = 0, nm = 0;
    if (json_stream_next(js, &m, &at, &jerr) != JSON_NEXT_DOC || json_kind(m) != JSON_OBJECT ||
        !get_str(m, "format", &s, &n) || n != 13 || memcmp(s, "stoop-ruleset", 13) != 0) {
        *err = xasprintf("%s: the stoop manifest is damaged (not a stoop-ruleset JSON object)", path);
        goto done;
    }
    const char *version = "?";
    size_t vlen = 1;
    get_str(m, "stoop_version", &version, &vlen);
    if (!get_u64(m, "abi", &abi) || abi != STOOP_NATIVE_ABI) {
        *err = xasprintf("%s was built by stoop %.*s for native ABI %" PRIu64 "; this stoop %s runs "
                         "ABI %d: rebuild it with this version's stoopc compile",
                         path, (int)vlen, version, abi, STOOP_VERSION, STOOP_NATIVE_ABI);
        goto done;
    }
    char want[17];
    snprintf(want, sizeof want, "%016" PRIx64, schema_hash());
    if (!get_str(m, "schema_hash", &s, &n) || n != 16 || memcmp(s, want, 16) != 0) {
        *err = xasprintf("%s was built by stoop %.*s against other field schemas (hash %.*s; this "
                         "stoop %s has %s): rebuild it with this version's stoopc compile",
                         path, (int)vlen, version, (int)(n > 16 ? 16 : n), s, STOOP_VERSION, want);
        goto done;
    }
    if (!get_u64(m, "nmemo", &nm) || nm > UINT32_MAX) {
        *err = xasprintf("%s: the stoop manifest is damaged (nmemo)", path);
        goto done;
    }
    *nmemo = (uint32_t)nm;
    json_ref slots, files;
    if (!json_object_get(m, "slots", 5, &slots) || json_kind(slots) != JSON_ARRAY ||
        !json_object_get(m, "files", 5, &files) || json_kind(files) != JSON_ARRAY) {
        *err = xasprintf("%s: the stoop manifest is damaged (slots, files)", path);
        goto done;
    }
    so->nslots = json_array_size(slots);
    so->slot_keys = xcalloc(so->nslots ? so->nslots : 1, sizeof *so->slot_keys);
    json_iter sit;
    json_iter_begin(slots, &sit);
    for (size_t i = 0; i < so->nslots; i++) {
        json_ref k;
        if (!json_iter_next(&sit, &k, NULL, NULL) || !json_get_string(k, &s, &n)) {
            *err = xasprintf("%s: the stoop manifest is damaged (slot %zu)", path, i);
            goto done;
        }
        so->slot_keys[i] = xstrndup(s, n);
    }
    if (!read_guards(m, so)) {
        *err = xasprintf("%s: the stoop manifest is damaged (guards)", path);
        goto done;
    }
    if (p) {
        size_t nf = json_array_size(files);
        const char **names = xcalloc(nf ? nf : 1, sizeof *names);
        const char **data = xcalloc(nf ? nf : 1, sizeof *data);
        size_t *lens = xcalloc(nf ? nf : 1, sizeof *lens);
        char **owned = xcalloc(nf ? nf : 1, sizeof *owned);
        bool files_ok = true;
        json_iter fit;
        json_iter_begin(files, &fit);
        for (size_t i = 0; i < nf && files_ok; i++) {
            json_ref f;
            uint64_t off, len;
            files_ok = json_iter_next(&fit, &f, NULL, NULL) && get_str(f, "name", &s, &n) &&
                       get_u64(f, "offset", &off) && get_u64(f, "length", &len) &&
                       off <= bloblen && len <= bloblen - off;
            if (files_ok) {
                owned[i] = xstrndup(s, n);
                names[i] = owned[i];
                data[i] = blobs + off;
                lens[i] = len;
            }
        }
        if (files_ok)
            pipeline_load_buffers(p, names, data, lens, nf);
        for (size_t i = 0; i < nf; i++)
            free(owned[i]);
        free(owned);
        free(names);
        free(data);
        free(lens);
        if (!files_ok) {
            *err = xasprintf("%s: the stoop manifest is damaged (files)", path);
            goto done;
        }
        json_ref rules;
        if (p->diags.nerrors || !json_object_get(m, "rules", 5, &rules) ||
            json_array_size(rules) != p->nrules) {
            *err = xasprintf("%s: the rules it embeds no longer compile to the same rules with "
                             "this stoop %s: rebuild it with stoopc compile",
                             path, STOOP_VERSION);
            goto done;
        }
    }
    ok = true;
done:
    json_stream_close(js);
    json_parser_free(jp);
    return ok;
}

/* The checks of ruleset_open on a file's bytes; fills so. */
static bool check_image(const char *path, const char *img, size_t len, struct program *p,
                        struct so_ruleset *so, uint32_t *nmemo, char **err)
{
    const char *sec, *why;
    size_t seclen;
    if (!elf_section(img, len, NATIVE_MANIFEST_SECTION, &sec, &seclen, &why)) {
        *err = xasprintf("%s is not a stoop ruleset: %s", path, why);
        return false;
    }
    return read_manifest(path, sec, seclen, p, so, nmemo, err);
}

bool ruleset_check_image(const char *name, const char *img, size_t len, struct program *p,
                         char **err)
{
    struct so_ruleset *so = xcalloc(1, sizeof *so);
    so->path = xstrdup(name);
    uint32_t nmemo = 0;
    bool ok = check_image(name, img, len, p, so, &nmemo, err);
    so_free(so);
    return ok;
}

bool ruleset_open(const char *path, struct program *p, struct native_code *out, char **err)
{
    size_t len;
    char *img = read_whole_file(path, &len, err);
    if (!img)
        return false;
    struct so_ruleset *so = xcalloc(1, sizeof *so);
    so->path = xstrdup(path);
    uint32_t nmemo = 0;
    bool ok = check_image(path, img, len, p, so, &nmemo, err);
    free(img);
    if (!ok) {
        so_free(so);
        return false;
    }
    /* dlopen searches the library path for a name without a slash. */
    char *dlpath = strchr(path, '/') ? xstrdup(path) : xasprintf("./%s", path);
    so->dl = dlopen(dlpath, RTLD_NOW | RTLD_LOCAL);
    free(dlpath);
    if (!so->dl) {
        const char *e = dlerror();
        *err = xasprintf("cannot load %s: %s", path, e ? e : "dlopen failed");
        so_free(so);
        return false;
    }
    *out = (struct native_code){.impl = so,
                                .what = so->path,
                                .entry = so_entry,
                                .slot_keys = (const char *const *)so->slot_keys,
                                .nslots = so->nslots,
                                .nmemo = nmemo,
                                .guards = so->guards,
                                .nguards = so->nguards,
                                .free = so_free};
    return true;
}
