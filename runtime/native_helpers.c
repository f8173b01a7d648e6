/* native_helpers.c: the checks native code makes, written once in C.
 *
 * This file is not part of the runtime library: the build compiles it to
 * LLVM bitcode with clang-19 (CMakeLists.txt), stoopc-llvm links that bitcode
 * into every module it generates and makes these functions internal, so
 * they inline into the rules and fold with their constant arguments (an
 * operator or a width passed as a constant leaves only its own branch).
 *
 * Every helper implements exactly the interpreter's semantics
 * (runtime/eval.c, cmp_one and eval_check) for a single left-hand value:
 * a value that is not extracted makes every comparison false, `!=`
 * included (falco-fields.md 8.1). The differential tests hold the two
 * together. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "native_abi.h"
#include "types.h"

/* Loops and libc calls gain nothing from inlining at every use and cost
 * compile time: those helpers stay calls. */
#define OUT_OF_LINE __attribute__((noinline))

/* The generator refers to helpers by these names (compiler/generate_code.c). */
const struct fvalues *stoop_h_slot(struct native_ctx *c, uint32_t slot);
bool stoop_h_fallback(struct native_ctx *c, uint32_t rule, uint32_t check);
bool stoop_h_memo_get(struct native_ctx *c, uint32_t i, bool *result);
bool stoop_h_memo_put(struct native_ctx *c, uint32_t i, bool result);
bool stoop_h_exists(const struct fvalues *l);
const char *stoop_h_str(const struct fvalues *l, size_t *len);
size_t stoop_h_count(const struct fvalues *l);
const char *stoop_h_str_at(const struct fvalues *l, size_t i, size_t *len);
OUT_OF_LINE bool stoop_h_bytes_in_table(const char *s, size_t n,
                                        const struct native_strtab_entry *tab, uint64_t mask,
                                        uint64_t seed);
bool stoop_h_str_eq(const struct fvalues *l, const char *c, size_t n);
bool stoop_h_str_ne(const struct fvalues *l, const char *c, size_t n);
OUT_OF_LINE bool stoop_h_str_order(const struct fvalues *l, const char *c, size_t n, int op);
OUT_OF_LINE bool stoop_h_contains(const struct fvalues *l, const char *c, size_t n);
OUT_OF_LINE bool stoop_h_icontains(const struct fvalues *l, const char *c, size_t n);
bool stoop_h_startswith(const struct fvalues *l, const char *c, size_t n);
bool stoop_h_endswith(const struct fvalues *l, const char *c, size_t n);
OUT_OF_LINE bool stoop_h_glob(const struct fvalues *l, const char *pattern, int casefold);
bool stoop_h_num(const struct fvalues *l, int kind, unsigned bits, int op, uint64_t c);
bool stoop_h_bool(const struct fvalues *l, int op, bool c);
OUT_OF_LINE bool stoop_h_ip(const struct fvalues *l, int op, unsigned family, unsigned prefix,
                const uint8_t *addr);

OUT_OF_LINE const struct fvalues *stoop_h_slot(struct native_ctx *c, uint32_t slot)
{
    struct native_slot_value *sv = &c->cache[slot];
    if (sv->gen == c->gen)
        return &sv->v;
    return c->slot(c->rt, slot); /* fills the cache entry */
}

bool stoop_h_fallback(struct native_ctx *c, uint32_t rule, uint32_t check)
{
    return c->check(c->rt, rule, check);
}

/* A shared macro's result for this event, if already computed. */
bool stoop_h_memo_get(struct native_ctx *c, uint32_t i, bool *result)
{
    uint64_t m = c->memo[i];
    if (m >> 1 != c->memo_gen)
        return false;
    *result = m & 1;
    return true;
}

bool stoop_h_memo_put(struct native_ctx *c, uint32_t i, bool result)
{
    c->memo[i] = c->memo_gen << 1 | (uint64_t)result;
    return result;
}

bool stoop_h_exists(const struct fvalues *l)
{
    return l->n > 0;
}

/* The first value's text, or NULL when not extracted. */
const char *stoop_h_str(const struct fvalues *l, size_t *len)
{
    if (l->n == 0)
        return NULL;
    *len = l->v[0].len;
    return l->v[0].str ? l->v[0].str : "";
}

/* Number of values, and value i's text (list-valued fields). */
size_t stoop_h_count(const struct fvalues *l)
{
    return l->n;
}

const char *stoop_h_str_at(const struct fvalues *l, size_t i, size_t *len)
{
    *len = l->v[i].len;
    return l->v[i].str ? l->v[i].str : "";
}

bool stoop_h_str_eq(const struct fvalues *l, const char *c, size_t n)
{
    return l->n > 0 && bytes_eq(l->v[0].str, l->v[0].len, c, n);
}

bool stoop_h_str_ne(const struct fvalues *l, const char *c, size_t n)
{
    return l->n > 0 && !bytes_eq(l->v[0].str, l->v[0].len, c, n);
}

bool stoop_h_str_order(const struct fvalues *l, const char *c, size_t n, int op)
{
    if (l->n == 0)
        return false;
    const char *s = l->v[0].str;
    size_t sl = l->v[0].len;
    return order_holds((enum cmp_op)op, bytes_cmp(s, sl, c, n));
}

bool stoop_h_contains(const struct fvalues *l, const char *c, size_t n)
{
    return l->n > 0 && bytes_contains(l->v[0].str, l->v[0].len, c, n);
}

bool stoop_h_icontains(const struct fvalues *l, const char *c, size_t n)
{
    return l->n > 0 && bytes_icontains(l->v[0].str, l->v[0].len, c, n);
}

bool stoop_h_bytes_in_table(const char *s, size_t n, const struct native_strtab_entry *tab,
                            uint64_t mask, uint64_t seed)
{
    for (uint64_t i = native_strtab_hash(s, n, seed) & mask;; i = (i + 1) & mask) {
        const struct native_strtab_entry *e = &tab[i];
        if (!e->s)
            return false;
        if (e->len == n && (n == 0 || memcmp(e->s, s, n) == 0))
            return true;
    }
}

bool stoop_h_startswith(const struct fvalues *l, const char *c, size_t n)
{
    return l->n > 0 && n <= l->v[0].len && (n == 0 || memcmp(l->v[0].str, c, n) == 0);
}

bool stoop_h_endswith(const struct fvalues *l, const char *c, size_t n)
{
    return l->n > 0 && n <= l->v[0].len &&
           (n == 0 || memcmp(l->v[0].str + l->v[0].len - n, c, n) == 0);
}

/* fnmatch needs a NUL-terminated subject; extracted text may not be. */
bool stoop_h_glob(const struct fvalues *l, const char *pattern, int casefold)
{
    if (l->n == 0)
        return false;
    size_t n = l->v[0].len;
    char small[256];
    char *s = n < sizeof small ? small : malloc(n + 1);
    if (!s)
        return false;
    if (n)
        memcpy(s, l->v[0].str, n);
    s[n] = '\0';
    bool r = fnmatch(pattern, s, casefold ? FNM_CASEFOLD : 0) == 0;
    if (s != small)
        free(s);
    return r;
}

/* kind: enum num_kind; c holds the constant's 64 bits. */
bool stoop_h_num(const struct fvalues *l, int kind, unsigned bits, int op, uint64_t c)
{
    return l->n > 0 &&
           cmp_result((enum cmp_op)op, num_compare((enum num_kind)kind, bits, l->v[0].as.u, c));
}

bool stoop_h_bool(const struct fvalues *l, int op, bool c)
{
    return l->n > 0 && eq_result((enum cmp_op)op, l->v[0].as.b == c);
}

/* The address lies in the network (an address constant has a full-length
 * prefix: equality); every operator but != reduces to that (libsinsp). */
bool stoop_h_ip(const struct fvalues *l, int op, unsigned family, unsigned prefix,
                const uint8_t *addr)
{
    if (l->n == 0)
        return false;
    const struct fvalue *x = &l->v[0];
    bool m = ip_in_net(x->as.ip.family, x->as.ip.addr, family, prefix, addr);
    return op == OP_NE ? !m : m;
}
