/* dispatch.c: which rules an event can match, from the rules' guards
 * (native_abi.h, found by the code generator), without looking at the
 * other rules: the cost per event grows with the rules that could match,
 * not with the size of the rule set.
 *
 * For each guard field: a hash table from value to the positions (in
 * evaluation order) of the rules it guards. Rules without a guard are
 * always candidates. Per event: one lookup per guard field, then the
 * sorted runs of positions merged, so Falco's order (and `first`) holds. */
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "util.h"

struct entry {
    const char *s; /* NULL: empty bucket */
    size_t len;
    uint32_t *pos; /* positions, ascending */
    size_t n, cap;
};

struct guard_field {
    uint32_t slot;
    struct entry *tab; /* open addressing, power-of-two capacity */
    size_t cap, n;
};

struct dispatch {
    const uint32_t *order; /* program rule index per position */
    size_t norder;
    uint32_t *always; /* positions of rules without a guard, ascending */
    size_t nalways;
    struct guard_field *fields;
    size_t nfields;
};

static uint64_t hash_text(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
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
            e->s = s;
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
        struct guard_field *f = NULL;
        for (size_t k = 0; k < d->nfields && !f; k++)
            if (d->fields[k].slot == g->slot)
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
        }
        for (size_t v = 0; v < g->nvalues; v++)
            push_pos(find(f, g->values[v], g->lens[v], true), (uint32_t)pos);
    }
    free(by_rule);
    return d;
}

void dispatch_free(struct dispatch *d)
{
    if (!d)
        return;
    for (size_t k = 0; k < d->nfields; k++) {
        for (size_t i = 0; i < d->fields[k].cap; i++)
            free(d->fields[k].tab[i].pos);
        free(d->fields[k].tab);
    }
    free(d->fields);
    free(d->always);
    free(d);
}

size_t dispatch_nfields(const struct dispatch *d)
{
    return d->nfields;
}

size_t dispatch_select(struct dispatch *d, const struct fvalues *(*slot)(void *ctx, uint32_t),
                       void *ctx, uint32_t *out)
{
    /* Sorted runs of positions: the unguarded rules, and per guard field
     * the rules its value selects. A field not extracted selects none. */
    const uint32_t *run[1 + DISPATCH_MAX_FIELDS];
    size_t len[1 + DISPATCH_MAX_FIELDS], at[1 + DISPATCH_MAX_FIELDS];
    size_t nruns = 0;
    if (d->nalways) {
        run[nruns] = d->always;
        len[nruns++] = d->nalways;
    }
    for (size_t k = 0; k < d->nfields; k++) {
        const struct fvalues *v = slot(ctx, d->fields[k].slot);
        if (v->n == 0)
            continue;
        const struct entry *e =
            find(&d->fields[k], v->v[0].str ? v->v[0].str : "", v->v[0].len, false);
        if (e && e->n) {
            run[nruns] = e->pos;
            len[nruns++] = e->n;
        }
    }
    /* Merge them, in evaluation order. */
    size_t n = 0;
    memset(at, 0, sizeof at);
    for (;;) {
        size_t pick = nruns;
        for (size_t r = 0; r < nruns; r++)
            if (at[r] < len[r] && (pick == nruns || run[r][at[r]] < run[pick][at[pick]]))
                pick = r;
        if (pick == nruns)
            break;
        out[n++] = d->order[run[pick][at[pick]++]];
    }
    return n;
}
