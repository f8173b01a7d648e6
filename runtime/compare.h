/* compare.h: the comparisons of the rules language on raw values, shared
 * by the interpreter (eval.c) and the native helpers (native_helpers.c,
 * compiled to bitcode) so that both engines run the same code. */
#ifndef STOOP_COMPARE_H
#define STOOP_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "types.h"

static inline bool bytes_eq(const char *a, size_t al, const char *b, size_t bl)
{
    return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

/* -1, 0, 1: bytewise, a shorter prefix first. */
static inline int bytes_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    size_t m = al < bl ? al : bl;
    int c = m ? memcmp(a, b, m) : 0;
    if (c)
        return c < 0 ? -1 : 1;
    return al < bl ? -1 : al > bl ? 1 : 0;
}

static inline bool bytes_contains(const char *h, size_t hl, const char *n, size_t nl)
{
    if (nl == 0)
        return true;
    return hl >= nl && memmem(h, hl, n, nl) != NULL;
}

static inline unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* icontains: ASCII case folding only, as libsinsp. */
static inline bool bytes_icontains(const char *h, size_t hl, const char *n, size_t nl)
{
    if (nl == 0)
        return true;
    for (size_t i = 0; i + nl <= hl; i++) {
        size_t k = 0;
        while (k < nl && ascii_lower((unsigned char)h[i + k]) == ascii_lower((unsigned char)n[k]))
            k++;
        if (k == nl)
            return true;
    }
    return false;
}

/* <, <=, >, >= on a comparison result; false for other operators. */
static inline bool order_holds(enum cmp_op op, int cmp)
{
    switch (op) {
    case OP_LT:
        return cmp < 0;
    case OP_LE:
        return cmp <= 0;
    case OP_GT:
        return cmp > 0;
    case OP_GE:
        return cmp >= 0;
    default:
        return false;
    }
}

/* The address (family 4 or 6) lies in the network; an address constant has
 * a full-length prefix, which makes this equality. */
static inline bool ip_in_net(unsigned xfamily, const uint8_t *xaddr, unsigned family,
                             unsigned prefix, const uint8_t *addr)
{
    if (xfamily != family)
        return false;
    unsigned max = family == 4 ? 32 : 128;
    unsigned bits = prefix > max ? max : prefix;
    unsigned full = bits / 8, rest = bits % 8;
    if (full && memcmp(xaddr, addr, full) != 0)
        return false;
    if (rest) {
        uint8_t mask = (uint8_t)(0xFF << (8 - rest));
        if ((xaddr[full] & mask) != (addr[full] & mask))
            return false;
    }
    return true;
}

#endif
