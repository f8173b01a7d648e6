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

/* Integers keep the width of their type: a value wider than its field
 * (an extractor's 64 bits) is cut to it first, as libsinsp stores it. */
static inline uint64_t trunc_unsigned(unsigned bits, uint64_t x)
{
    return bits == 8 ? (uint8_t)x : bits == 16 ? (uint16_t)x : bits == 32 ? (uint32_t)x : x;
}

static inline int64_t trunc_signed(unsigned bits, int64_t x)
{
    return bits == 8 ? (int8_t)x : bits == 16 ? (int16_t)x : bits == 32 ? (int32_t)x : x;
}

/* How a numeric value's 64 bits read (fvalue.as.u, value.as). */
enum num_kind { NUM_UNSIGNED, NUM_SIGNED, NUM_DOUBLE };

/* (Not for the bitcode helpers: they get the kind as an argument.) */
static inline enum num_kind num_kind_of(enum field_type t)
{
    return t == FT_DOUBLE ? NUM_DOUBLE : field_type_is_signed(t) ? NUM_SIGNED : NUM_UNSIGNED;
}

/* -1, 0, 1: a field's value x against a constant c, both as raw 64 bits
 * of that kind (NaN compares equal, as libsinsp's < and > both fail). */
static inline int num_compare(enum num_kind kind, unsigned bits, uint64_t x, uint64_t c)
{
    if (kind == NUM_DOUBLE) {
        double a, b;
        memcpy(&a, &x, sizeof a);
        memcpy(&b, &c, sizeof b);
        return a < b ? -1 : a > b ? 1 : 0;
    }
    if (kind == NUM_SIGNED) {
        int64_t a = trunc_signed(bits, (int64_t)x), b = (int64_t)c;
        return a < b ? -1 : a > b ? 1 : 0;
    }
    uint64_t a = trunc_unsigned(bits, x);
    return a < c ? -1 : a > c ? 1 : 0;
}

/* An operator's verdict on equality: =, ==, in, intersects (one value)
 * want it, != wants its absence; the rest fail (bool, and the operators
 * the checker lets no such type use). */
static inline bool eq_result(enum cmp_op op, bool eq)
{
    switch (op) {
    case OP_EQ:
    case OP_EQEQ:
    case OP_IN:
    case OP_INTERSECTS:
        return eq;
    case OP_NE:
        return !eq;
    default:
        return false;
    }
}

/* The same on a comparison result, where <, <=, >, >= also hold. */
static inline bool cmp_result(enum cmp_op op, int cmp)
{
    bool order = op == OP_LT || op == OP_LE || op == OP_GT || op == OP_GE;
    return order ? order_holds(op, cmp) : eq_result(op, cmp == 0);
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
