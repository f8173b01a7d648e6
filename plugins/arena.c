/* arena.c: the bump allocator extractors put values in (source.h); one
 * reset per event makes extraction allocation-free in the steady state. */
#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "util.h"

struct arena_block {
    struct arena_block *next;
    char data[];
};

static struct arena_block *block_of(char *data)
{
    return (struct arena_block *)(data - offsetof(struct arena_block, data));
}

void *arena_alloc(struct arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if (a->len + n > a->cap) {
        /* Retire the full buffer until the next reset (values in it stay
         * valid) and continue in one twice as large. */
        if (a->buf) {
            struct arena_block *old = block_of(a->buf);
            old->next = a->more;
            a->more = old;
        }
        size_t cap = a->cap ? a->cap * 2 : 4096;
        while (cap < n)
            cap *= 2;
        struct arena_block *b = xmalloc(sizeof *b + cap);
        b->next = NULL;
        a->buf = b->data;
        a->cap = cap;
        a->len = 0;
    }
    void *p = a->buf + a->len;
    a->len += n;
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void arena_reset(struct arena *a)
{
    struct arena_block *b = a->more;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->more = NULL;
    a->len = 0;
}

void arena_free(struct arena *a)
{
    arena_reset(a);
    if (a->buf)
        free(block_of(a->buf));
    memset(a, 0, sizeof *a);
}

struct fvalue *fvalues_one(struct arena *a, struct fvalues *out)
{
    struct fvalue *v = arena_alloc(a, sizeof *v);
    memset(v, 0, sizeof *v);
    out->v = v;
    out->n = 1;
    return v;
}

void fvalues_set_str(struct arena *a, struct fvalues *out, const char *s, size_t n)
{
    struct fvalue *v = fvalues_one(a, out);
    v->str = s;
    v->len = n;
}

void fvalues_set_copy(struct arena *a, struct fvalues *out, const char *s, size_t n)
{
    struct fvalue *v = fvalues_one(a, out);
    v->str = arena_strndup(a, s, n);
    v->len = n;
}
