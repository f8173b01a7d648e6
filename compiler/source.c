/* source.c: see source.h. */
#include "source.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct span span_join(struct span a, struct span b)
{
    if (!span_valid(a))
        return b;
    if (!span_valid(b) || a.file != b.file)
        return a;
    return (struct span){a.file, a.start < b.start ? a.start : b.start,
                         a.end > b.end ? a.end : b.end};
}

uint32_t source_add(struct source_set *set, const char *path, char *text, size_t len)
{
    struct source_file *f = xcalloc(1, sizeof *f);
    f->path = xstrdup(path);
    f->text = text;
    f->len = len;
    size_t cap = 64;
    f->line_starts = xmalloc(cap * sizeof *f->line_starts);
    f->line_starts[f->nlines++] = 0;
    for (size_t i = 0; i < len; i++) {
        /* \n, \r\n and a lone \r (which YAML also reads as a line break) */
        if (text[i] != '\n' && !(text[i] == '\r' && (i + 1 == len || text[i + 1] != '\n')))
            continue;
        if (f->nlines == cap) {
            cap *= 2;
            f->line_starts = xrealloc(f->line_starts, cap * sizeof *f->line_starts);
        }
        f->line_starts[f->nlines++] = (uint32_t)(i + 1);
    }
    if (set->n == set->cap) {
        set->cap = set->cap ? 2 * set->cap : 4;
        set->files = xrealloc(set->files, set->cap * sizeof *set->files);
    }
    set->files[set->n] = f;
    return (uint32_t)set->n++;
}

const struct source_file *source_get(const struct source_set *set, uint32_t file)
{
    return file < set->n ? set->files[file] : NULL;
}

void source_set_free(struct source_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        free(set->files[i]->path);
        free(set->files[i]->text);
        free(set->files[i]->line_starts);
        free(set->files[i]);
    }
    free(set->files);
    memset(set, 0, sizeof *set);
}

static uint32_t line_index(const struct source_file *f, uint32_t offset)
{
    uint32_t lo = 0, hi = f->nlines;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (f->line_starts[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void source_line_col(const struct source_file *f, uint32_t offset, unsigned *line, unsigned *col)
{
    if (offset > f->len)
        offset = (uint32_t)f->len;
    uint32_t li = line_index(f, offset);
    unsigned c = 1;
    for (uint32_t i = f->line_starts[li]; i < offset; i++)
        if (((unsigned char)f->text[i] & 0xC0) != 0x80)
            c++;
    *line = li + 1;
    *col = c;
}

void source_line_bounds(const struct source_file *f, uint32_t offset, uint32_t *start, uint32_t *len)
{
    if (offset > f->len)
        offset = (uint32_t)f->len;
    uint32_t li = line_index(f, offset);
    uint32_t s = f->line_starts[li], e = s;
    while (e < f->len && f->text[e] != '\n' && f->text[e] != '\r')
        e++;
    *start = s;
    *len = e - s;
}

void mtext_init(struct mapped_text *t)
{
    memset(t, 0, sizeof *t);
    t->textcap = 16;
    t->text = xcalloc(1, t->textcap);
}

void mtext_free(struct mapped_text *t)
{
    free(t->text);
    free(t->pieces);
    memset(t, 0, sizeof *t);
}

struct mapped_text mtext_clone(const struct mapped_text *t)
{
    struct mapped_text c = *t;
    c.text = xstrndup(t->text, t->len);
    c.textcap = t->len + 1;
    c.cap = t->npieces;
    c.pieces = xmalloc((c.cap ? c.cap : 1) * sizeof *c.pieces);
    if (t->npieces)
        memcpy(c.pieces, t->pieces, t->npieces * sizeof *c.pieces);
    return c;
}

static void push_piece(struct mapped_text *t, struct text_piece p)
{
    if (p.len == 0)
        return;
    if (t->npieces) {
        struct text_piece *last = &t->pieces[t->npieces - 1];
        /* Merge contiguous exact runs so the table stays small. */
        if (p.exact && last->exact && last->origin.file == p.origin.file &&
            last->at + last->len == p.at && last->origin.start + last->len == p.origin.start) {
            last->len += p.len;
            last->origin.end = last->origin.start + last->len;
            return;
        }
    }
    if (t->npieces == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 8;
        t->pieces = xrealloc(t->pieces, t->cap * sizeof *t->pieces);
    }
    t->pieces[t->npieces++] = p;
}

static void append_text(struct mapped_text *t, const char *s, size_t n)
{
    if (!t->text || t->len + n + 1 > t->textcap) {
        size_t cap = t->textcap ? t->textcap : 16;
        while (cap < t->len + n + 1)
            cap *= 2;
        t->text = xrealloc(t->text, cap);
        t->textcap = cap;
        if (t->len == 0)
            t->text[0] = '\0';
    }
    memcpy(t->text + t->len, s, n);
    t->len += n;
    t->text[t->len] = '\0';
}

void mtext_append_exact(struct mapped_text *t, const char *s, size_t n, struct span origin)
{
    struct text_piece p = {(uint32_t)t->len, (uint32_t)n,
                           {origin.file, origin.start, origin.start + (uint32_t)n}, true};
    append_text(t, s, n);
    push_piece(t, p);
}

void mtext_append_synth(struct mapped_text *t, const char *s, size_t n, struct span origin)
{
    struct text_piece p = {(uint32_t)t->len, (uint32_t)n, origin, false};
    append_text(t, s, n);
    push_piece(t, p);
}

void mtext_append_mtext(struct mapped_text *t, const struct mapped_text *other)
{
    uint32_t base = (uint32_t)t->len;
    append_text(t, other->text, other->len);
    for (size_t i = 0; i < other->npieces; i++) {
        struct text_piece p = other->pieces[i];
        p.at += base;
        push_piece(t, p);
    }
}

void mtext_replace(struct mapped_text *t, size_t start, size_t end, const char *s, size_t n,
                   struct span origin)
{
    struct mapped_text out;
    mtext_init(&out);
    append_text(&out, t->text, start);
    append_text(&out, s, n);
    append_text(&out, t->text + end, t->len - end);
    long delta = (long)n - (long)(end - start);
    for (size_t i = 0; i < t->npieces; i++) {
        struct text_piece p = t->pieces[i];
        size_t ps = p.at, pe = p.at + p.len;
        if (ps < start) { /* part before the replaced range */
            struct text_piece q = p;
            q.len = (uint32_t)((pe < start ? pe : start) - ps);
            if (q.exact)
                q.origin.end = q.origin.start + q.len;
            push_piece(&out, q);
        }
        if (ps <= start && start < pe) /* synthesised replacement goes here */
            push_piece(&out, (struct text_piece){(uint32_t)start, (uint32_t)n, origin, false});
        if (pe > end) { /* part after */
            struct text_piece q = p;
            size_t from = ps > end ? ps : end;
            if (q.exact)
                q.origin.start += (uint32_t)(from - ps);
            q.at = (uint32_t)((long)from + delta);
            q.len = (uint32_t)(pe - from);
            if (q.exact)
                q.origin.end = q.origin.start + q.len;
            push_piece(&out, q);
        }
    }
    if (start == t->len) /* replacement at the very end */
        push_piece(&out, (struct text_piece){(uint32_t)start, (uint32_t)n, origin, false});
    mtext_free(t);
    *t = out;
}

static const struct text_piece *piece_at(const struct mapped_text *t, size_t off)
{
    if (!t->npieces)
        return NULL;
    size_t lo = 0, hi = t->npieces;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->pieces[mid].at <= off)
            lo = mid;
        else
            hi = mid;
    }
    return &t->pieces[lo];
}

static uint32_t map_offset(const struct text_piece *p, size_t off, bool is_end)
{
    if (!p->exact)
        return is_end ? p->origin.end : p->origin.start;
    size_t rel = off > p->at ? off - p->at : 0;
    if (rel > p->len)
        rel = p->len;
    return p->origin.start + (uint32_t)rel;
}

struct span mtext_span(const struct mapped_text *t, size_t start, size_t end)
{
    if (end < start)
        end = start;
    const struct text_piece *ps = piece_at(t, start);
    if (!ps)
        return span_none();
    struct span s = {ps->origin.file, map_offset(ps, start, false), 0};
    const struct text_piece *pe = end > start ? piece_at(t, end - 1) : ps;
    if (pe->origin.file != ps->origin.file || (end > start && pe < ps)) {
        s.end = ps->exact ? ps->origin.start + ps->len : ps->origin.end;
    } else if (end == start) {
        s.end = s.start;
    } else {
        s.end = pe->exact ? map_offset(pe, end - 1, false) + 1 : pe->origin.end;
    }
    if (s.end < s.start)
        s.end = s.start;
    return s;
}
