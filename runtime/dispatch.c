/* dispatch.c: which rules an event can match, from the rules' guards
 * (native_abi.h, found by the code generator), without looking at the
 * other rules: the cost per event grows with the rules that could match,
 * not with the size of the rule set.
 *
 * For each guard field, or pair of fields: a hash table from the value (or
 * pair of values) to the positions, in evaluation order, of the rules it
 * guards. Rules without a guard are always candidates. Per event: one
 * lookup per guard field or pair, then the sorted runs of positions
 * merged through a bitset, so Falco's order (and `first`) holds. */
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "util.h"

struct entry {
    char *s; /* owned key; NULL: empty bucket */
    size_t len;
    uint32_t *pos; /* positions, ascending */
    size_t n, cap;
};

/* A pair's key: the first value's length (8 bytes), the first value, the
 * second value; a single field's key is its value. */
struct guard_field {
    uint32_t slot, slot2;
    bool pair;
    struct entry *tab; /* open addressing, power-of-two capacity */
    size_t cap, n;
    /* Pairs: the first values alone, so an event whose first value no
     * guard names is passed over without extracting the second field. */
    struct guard_field *firsts;
};

struct dispatch {
    const uint32_t *order; /* program rule index per position */
    size_t norder;
    uint32_t *always; /* positions of rules without a guard, ascending */
    size_t nalways;
    struct guard_field *fields;
    size_t nfields;
    char *key; /* scratch for pair keys */
    size_t keycap;
    uint64_t *marks; /* one bit per position, all clear between events */
};

/* The lookup key of one value or a pair of values, in d->key (or s). */
static const char *make_key(struct dispatch *d, const struct guard_field *f, const char *a,
                            size_t al, const char *b, size_t bl, size_t *len)
{
    if (!f->pair) {
        *len = al;
        return a;
    }
    *len = 8 + al + bl;
    if (*len > d->keycap) {
        d->keycap = *len * 2;
        d->key = xrealloc(d->key, d->keycap);
    }
    uint64_t l = al;
    memcpy(d->key, &l, 8);
    if (al)
        memcpy(d->key + 8, a, al);
    if (bl)
        memcpy(d->key + 8 + al, b, bl);
    return d->key;
}

/* Eight bytes at a time: keys are looked up for every event. */
static uint64_t hash_text(const char *s, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)n;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    uint64_t w = 0;
    if (n)
        memcpy(&w, s, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}

static struct entry *find(struct guard_field *f, const char *s, size_t len, bool add)
{
    if (add && 2 * (f->n + 1) > f->cap) {
        struct entry *old = f->tab;
        size_t oldcap = f->cap;
        f->cap = oldcap ? 2 * oldcap : 16;
        f->tab = xcalloc(f->cap, sizeof *f->tab);
        for (size_t i = 0; i < oldcap; i++) {
            if (!old[i].s)
                continue;
            size_t k = hash_text(old[i].s, old[i].len) & (f->cap - 1);
            while (f->tab[k].s)
                k = (k + 1) & (f->cap - 1);
            f->tab[k] = old[i];
        }
        free(old);
    }
    if (!f->cap)
        return NULL;
    size_t mask = f->cap - 1;
    for (size_t k = hash_text(s, len) & mask;; k = (k + 1) & mask) {
        struct entry *e = &f->tab[k];
        if (!e->s) {
            if (!add)
                return NULL;
            e->s = xmalloc(len ? len : 1);
            if (len)
                memcpy(e->s, s, len);
            e->len = len;
            f->n++;
            return e;
        }
        if (e->len == len && (len == 0 || memcmp(e->s, s, len) == 0))
            return e;
    }
}

static void push_pos(struct entry *e, uint32_t pos)
{
    if (e->n && e->pos[e->n - 1] == pos)
        return; /* the same value twice in one guard */
    if (e->n == e->cap) {
        e->cap = e->cap ? 2 * e->cap : 4;
        e->pos = xrealloc(e->pos, e->cap * sizeof *e->pos);
    }
    e->pos[e->n++] = pos;
}

struct dispatch *dispatch_new(const struct native_guard *guards, size_t nguards,
                              const uint32_t *order, size_t norder, uint32_t nrules)
{
    struct dispatch *d = xcalloc(1, sizeof *d);
    d->order = order;
    d->norder = norder;
    d->always = xcalloc(norder ? norder : 1, sizeof *d->always);
    d->marks = xcalloc(norder / 64 + 1, sizeof *d->marks);
    const struct native_guard **by_rule = xcalloc(nrules ? nrules : 1, sizeof *by_rule);
    for (size_t i = 0; i < nguards; i++)
        if (guards[i].rule < nrules)
            by_rule[guards[i].rule] = &guards[i];
    for (size_t pos = 0; pos < norder; pos++) {
        const struct native_guard *g = order[pos] < nrules ? by_rule[order[pos]] : NULL;
        if (!g) {
            d->always[d->nalways++] = (uint32_t)pos;
            continue;
        }
        bool pair = g->nvalues2 > 0;
        struct guard_field *f = NULL;
        for (size_t k = 0; k < d->nfields && !f; k++)
            if (d->fields[k].slot == g->slot && d->fields[k].pair == pair &&
                (!pair || d->fields[k].slot2 == g->slot2))
                f = &d->fields[k];
        if (!f && d->nfields == DISPATCH_MAX_FIELDS) { /* the generator keeps to fewer */
            d->always[d->nalways++] = (uint32_t)pos;
            continue;
        }
        if (!f) {
            d->fields = xrealloc(d->fields, (d->nfields + 1) * sizeof *d->fields);
            f = &d->fields[d->nfields++];
            memset(f, 0, sizeof *f);
            f->slot = g->slot;
            f->slot2 = g->slot2;
            f->pair = pair;
            if (pair)
                f->firsts = xcalloc(1, sizeof *f->firsts);
        }
        for (size_t v = 0; v < g->nvalues; v++)
            for (size_t w = 0; w < (pair ? g->nvalues2 : 1); w++) {
                size_t klen;
                const char *key = make_key(d, f, g->values[v], g->lens[v], pair ? g->values2[w] : NULL,
                                           pair ? g->lens2[w] : 0, &klen);
                push_pos(find(f, key, klen, true), (uint32_t)pos);
                if (pair)
                    find(f->firsts, g->values[v], g->lens[v], true);
            }
    }
    free(by_rule);
    return d;
}

void dispatch_free(struct dispatch *d)
{
    if (!d)
        return;
    for (size_t k = 0; k < d->nfields; k++) {
        for (int level = 0; level < 2; level++) {
            struct guard_field *f = level ? d->fields[k].firsts : &d->fields[k];
            if (!f)
                continue;
            for (size_t i = 0; i < f->cap; i++) {
                free(f->tab[i].pos);
                free(f->tab[i].s);
            }
            free(f->tab);
        }
        free(d->fields[k].firsts);
    }
    free(d->fields);
    free(d->key);
    free(d->always);
    free(d->marks);
    free(d);
}

size_t dispatch_select(struct dispatch *d, const struct fvalues *(*slot)(void *ctx, uint32_t),
                       void *ctx, uint32_t *out)
{
    /* Sorted runs of positions: the unguarded rules, and per guard field
     * the rules its value selects. A field not extracted selects none. */
    const uint32_t *run[1 + DISPATCH_MAX_FIELDS];
    size_t len[1 + DISPATCH_MAX_FIELDS];
    size_t nruns = 0;
    if (d->nalways) {
        run[nruns] = d->always;
        len[nruns++] = d->nalways;
    }
    for (size_t k = 0; k < d->nfields; k++) {
        struct guard_field *f = &d->fields[k];
        const struct fvalues *v = slot(ctx, f->slot);
        if (v->n == 0)
            continue;
        if (f->pair && !find(f->firsts, v->v[0].str ? v->v[0].str : "", v->v[0].len, false))
            continue;
        const struct fvalues *v2 = f->pair ? slot(ctx, f->slot2) : NULL;
        if (v2 && v2->n == 0)
            continue;
        size_t klen;
        const char *key = make_key(d, f, v->v[0].str ? v->v[0].str : "", v->v[0].len,
                                   v2 ? (v2->v[0].str ? v2->v[0].str : "") : NULL,
                                   v2 ? v2->v[0].len : 0, &klen);
        const struct entry *e = find(f, key, klen, false);
        if (e && e->n) {
            run[nruns] = e->pos;
            len[nruns++] = e->n;
        }
    }
    /* Merge them, in evaluation order: one run is already in order; more
     * are marked in a bitset of positions and read back in order (cost:
     * the candidates plus one word per 64 rules). */
    size_t n = 0;
    if (nruns == 1) {
        for (size_t i = 0; i < len[0]; i++)
            out[n++] = d->order[run[0][i]];
        return n;
    }
    for (size_t r = 0; r < nruns; r++)
        for (size_t i = 0; i < len[r]; i++)
            d->marks[run[r][i] >> 6] |= (uint64_t)1 << (run[r][i] & 63);
    size_t nwords = (d->norder + 63) / 64;
    for (size_t w = 0; w < nwords; w++) {
        uint64_t bits = d->marks[w];
        d->marks[w] = 0;
        while (bits) {
            out[n++] = d->order[w * 64 + (size_t)__builtin_ctzll(bits)];
            bits &= bits - 1;
        }
    }
    return n;
}
