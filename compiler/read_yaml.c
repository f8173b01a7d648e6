/* read_yaml.c: a rules file -> trees of `struct ynode`, with spans.
 *
 * libyaml's event parser does the YAML work; this file builds the tree
 * with an explicit stack (no recursion, depth capped), converts libyaml's
 * marks (character indexes) into byte offsets, resolves aliases by copying
 * (with a cap against "billion laughs" expansion) and aligns every decoded
 * scalar with the raw file text so that each byte of the value maps back to
 * the file byte it came from (see source.h, struct mapped_text). */
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "program.h"
#include "util.h"

#define YAML_MAX_DEPTH 1000
/* Nodes created by alias expansion, per file. */
#define YAML_MAX_ALIAS_NODES 1000000u

/* ---- character index -> byte offset ---- */

#define OFFMAP_STEP 64

struct offmap {
    uint32_t base; /* 3 after a UTF-8 BOM, which libyaml skips without counting */
    const unsigned char *text;
    size_t len;
    bool ascii;
    uint32_t *check; /* byte offset of character k * OFFMAP_STEP */
    size_t ncheck;
};

static void offmap_init(struct offmap *m, const char *text, size_t len)
{
    m->base = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        m->base = 3;
        text += 3;
        len -= 3;
    }
    m->text = (const unsigned char *)text;
    m->len = len;
    m->ascii = true;
    m->check = NULL;
    m->ncheck = 0;
    for (size_t i = 0; i < len; i++) {
        if (m->text[i] >= 0x80) {
            m->ascii = false;
            break;
        }
    }
    if (m->ascii)
        return;
    size_t cap = len / OFFMAP_STEP + 2;
    m->check = xmalloc(cap * sizeof *m->check);
    size_t chars = 0;
    for (size_t i = 0; i < len; i++) {
        if ((m->text[i] & 0xC0) == 0x80)
            continue;
        if (chars % OFFMAP_STEP == 0)
            m->check[m->ncheck++] = (uint32_t)i;
        chars++;
    }
    if (chars % OFFMAP_STEP == 0)
        m->check[m->ncheck++] = (uint32_t)len;
}

static uint32_t offmap_byte(const struct offmap *m, size_t index)
{
    if (m->ascii)
        return m->base + (uint32_t)(index < m->len ? index : m->len);
    size_t k = index / OFFMAP_STEP;
    if (k >= m->ncheck)
        return m->base + (uint32_t)m->len;
    size_t b = m->check[k];
    for (size_t rest = index % OFFMAP_STEP; rest > 0 && b < m->len; rest--) {
        b++;
        while (b < m->len && (m->text[b] & 0xC0) == 0x80)
            b++;
    }
    return m->base + (uint32_t)b;
}

/* ---- UTF-8 validation ---- */

/* Returns the offset of the first invalid byte, or len if all valid. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return i;
        }
        for (size_t k = 1; k <= n; k++) {
            if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += n + 1;
    }
    return len;
}

/* ---- nodes ---- */

static struct ynode *node_new(enum ynode_kind kind, struct span sp)
{
    struct ynode *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    n->span = sp;
    return n;
}

void ynode_free(struct ynode *n)
{
    if (!n)
        return;
    /* Iterative over the last child would be nicer; depth is capped at
     * YAML_MAX_DEPTH so recursion is bounded. */
    for (size_t i = 0; i < n->n; i++) {
        ynode_free(n->items[i]);
        if (n->keys)
            ynode_free(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
    if (n->scalar.text || n->scalar.pieces)
        mtext_free(&n->scalar);
    free(n);
}

const struct ynode *ynode_get(const struct ynode *map, const char *key)
{
    if (!map || map->kind != YN_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++) {
        const struct ynode *k = map->keys[i];
        if (k && k->kind == YN_SCALAR && strcmp(k->scalar.text, key) == 0)
            return map->items[i];
    }
    return NULL;
}

static struct ynode *node_copy(const struct ynode *src, size_t *budget, bool *over)
{
    if (*budget == 0) {
        *over = true;
        return NULL;
    }
    (*budget)--;
    struct ynode *n = xcalloc(1, sizeof *n);
    n->kind = src->kind;
    n->span = src->span;
    n->plain = src->plain;
    if (src->scalar.text)
        n->scalar = mtext_clone(&src->scalar);
    if (src->n) {
        n->items = xcalloc(src->n, sizeof *n->items);
        if (src->keys)
            n->keys = xcalloc(src->n, sizeof *n->keys);
        for (size_t i = 0; i < src->n && !*over; i++) {
            n->items[i] = node_copy(src->items[i], budget, over);
            if (src->keys && !*over)
                n->keys[i] = node_copy(src->keys[i], budget, over);
            n->n = i + 1;
        }
    }
    return n;
}

/* ---- scalar alignment ---- */

struct aligner {
    struct mapped_text *t;
    uint32_t file;
    const char *v;
    /* pending exact run */
    size_t run_v, run_len;
    uint32_t run_raw;
};

static void al_flush(struct aligner *a)
{
    if (a->run_len) {
        mtext_append_exact(a->t, a->v + a->run_v, a->run_len,
                           (struct span){a->file, a->run_raw, a->run_raw + (uint32_t)a->run_len});
        a->run_len = 0;
    }
}

static void al_exact(struct aligner *a, size_t vi, uint32_t raw)
{
    if (a->run_len && a->run_v + a->run_len == vi && a->run_raw + a->run_len == raw) {
        a->run_len++;
        return;
    }
    al_flush(a);
    a->run_v = vi;
    a->run_raw = raw;
    a->run_len = 1;
}

static void al_synth(struct aligner *a, size_t vi, size_t n, uint32_t rs, uint32_t re)
{
    al_flush(a);
    if (re < rs)
        re = rs;
    mtext_append_synth(a->t, a->v + vi, n, (struct span){a->file, rs, re});
}

static size_t utf8_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xF0)
        return 4;
    if (c >= 0xE0)
        return 3;
    if (c >= 0xC0)
        return 2;
    return 1;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Builds `out` from the decoded value v and the raw file bytes [s, e). */
static void align_scalar(struct mapped_text *out, uint32_t file, const char *raw, uint32_t s,
                         uint32_t e, const char *v, size_t vlen, yaml_scalar_style_t style)
{
    mtext_init(out);
    if (vlen == 0)
        return;
    /* Fast path: the value is the raw text. */
    if ((style == YAML_PLAIN_SCALAR_STYLE) && e - s == vlen && memcmp(raw + s, v, vlen) == 0) {
        mtext_append_exact(out, v, vlen, (struct span){file, s, e});
        return;
    }
    bool dq = style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    bool sq = style == YAML_SINGLE_QUOTED_SCALAR_STYLE;
    bool block = style == YAML_LITERAL_SCALAR_STYLE || style == YAML_FOLDED_SCALAR_STYLE;
    uint32_t j = s, end = e;
    size_t indent = 0;
    if (dq || sq) {
        char q = dq ? '"' : '\'';
        if (j < end && raw[j] == q)
            j++;
        if (end > j && raw[end - 1] == q)
            end--;
    } else if (block) {
        while (j < end && raw[j] != '\n')
            j++;
        if (j < end)
            j++;
        /* Indentation: leading blanks of the first non-blank line. */
        for (uint32_t k = j; k < end;) {
            uint32_t ls = k;
            while (k < end && raw[k] == ' ')
                k++;
            if (k < end && raw[k] != '\n' && raw[k] != '\r') {
                indent = k - ls;
                break;
            }
            while (k < end && raw[k] != '\n')
                k++;
            if (k < end)
                k++;
        }
    }
    struct aligner a = {out, file, v, 0, 0, 0};
    /* After a line break: skip indentation (block) or leading blanks. */
#define LINE_START()                                                                               \
    do {                                                                                           \
        if (block) {                                                                               \
            for (size_t k_ = 0; k_ < indent && j < end && raw[j] == ' '; k_++)                     \
                j++;                                                                               \
        } else {                                                                                   \
            while (j < end && is_blank(raw[j]))                                                    \
                j++;                                                                               \
        }                                                                                          \
    } while (0)
    size_t i = 0;
    if (block)
        LINE_START();
    while (i < vlen) {
        if (j >= end) {
            uint32_t at = end > s ? end - 1 : s;
            al_synth(&a, i, vlen - i, at, end > at ? end : at);
            break;
        }
        char c = raw[j];
        if (dq && c == '\\') {
            char nx = j + 1 < end ? raw[j + 1] : 0;
            if (nx == '\n' || nx == '\r') { /* escaped line break: no value byte */
                j += 2;
                if (nx == '\r' && j < end && raw[j] == '\n')
                    j++;
                while (j < end && is_blank(raw[j]))
                    j++;
                continue;
            }
            uint32_t elen = 2;
            if (nx == 'x')
                elen = 4;
            else if (nx == 'u')
                elen = 6;
            else if (nx == 'U')
                elen = 10;
            if (j + elen > end)
                elen = end - j;
            size_t k = utf8_len((unsigned char)v[i]);
            if (i + k > vlen)
                k = vlen - i;
            al_synth(&a, i, k, j, j + elen);
            i += k;
            j += elen;
            continue;
        }
        if (sq && c == '\'' && j + 1 < end && raw[j + 1] == '\'' && v[i] == '\'') {
            al_exact(&a, i, j);
            i++;
            j += 2;
            continue;
        }
        if (c == v[i]) {
            al_exact(&a, i, j);
            i++;
            j++;
            if (c == '\n')
                LINE_START();
            continue;
        }
        if (c == '\r') {
            j++;
            continue;
        }
        if (c == '\n' && v[i] == ' ') { /* folded line break */
            al_synth(&a, i, 1, j, j + 1);
            i++;
            j++;
            LINE_START();
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n') {
            j++;
            if (c == '\n')
                LINE_START();
            continue;
        }
        /* Unexpected: attribute this value byte to the raw position. */
        al_synth(&a, i, 1, j, j + 1);
        i++;
    }
#undef LINE_START
    al_flush(&a);
}

/* ---- the reader ---- */

struct frame {
    struct ynode *node;
    size_t cap;
    struct ynode *key; /* maps: key waiting for its value */
    char *anchor;
};

struct anchor {
    char *name;
    const struct ynode *node; /* NULL while the anchored node is being built */
};

struct reader {
    struct source_file const *f;
    uint32_t file;
    struct diag_list *dl;
    struct offmap om;
    VEC(struct frame) stack;
    VEC(struct anchor) anchors;
    size_t alias_budget;
    bool failed;
};

static struct span mark_span(struct reader *r, yaml_mark_t a, yaml_mark_t b)
{
    uint32_t s = offmap_byte(&r->om, a.index), e = offmap_byte(&r->om, b.index);
    if (e < s)
        e = s;
    return (struct span){r->file, s, e};
}

static void reader_error(struct reader *r, struct span sp, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void reader_error(struct reader *r, struct span sp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    diag_add(r->dl, LOAD_ERR_YAML_PARSE, sp, "%s", msg);
    free(msg);
    r->failed = true;
}

static void line_col_of(struct reader *r, uint32_t off, unsigned *line, unsigned *col)
{
    source_line_col(r->f, off, line, col);
}

static void anchors_clear(struct reader *r)
{
    for (size_t i = 0; i < r->anchors.n; i++)
        free(r->anchors.v[i].name);
    r->anchors.n = 0;
}

/* Anchors point into the tree being built (nodes are only freed after
 * parsing); an alias copies the anchored node, so the result stays a tree. */
static void anchor_define(struct reader *r, const char *name, const struct ynode *node)
{
    for (size_t i = r->anchors.n; i-- > 0;) {
        if (strcmp(r->anchors.v[i].name, name) == 0 && !r->anchors.v[i].node) {
            r->anchors.v[i].node = node;
            return;
        }
    }
}

static void anchor_begin(struct reader *r, const char *name)
{
    struct anchor a = {xstrdup(name), NULL};
    VEC_PUSH(r->anchors, a);
}

static const struct anchor *anchor_find(struct reader *r, const char *name)
{
    for (size_t i = r->anchors.n; i-- > 0;)
        if (strcmp(r->anchors.v[i].name, name) == 0)
            return &r->anchors.v[i];
    return NULL;
}

/* Attaches a finished node to the parent frame; returns false if it is a
 * document root (stored in *root). */
static void attach(struct reader *r, struct ynode *n, struct ynode **root)
{
    if (r->stack.n == 0) {
        if (*root)
            ynode_free(*root);
        *root = n;
        return;
    }
    struct frame *fr = &r->stack.v[r->stack.n - 1];
    struct ynode *p = fr->node;
    if (p->kind == YN_MAP && !fr->key) {
        fr->key = n;
        return;
    }
    if (p->n == fr->cap) {
        fr->cap = fr->cap ? 2 * fr->cap : 4;
        p->items = xrealloc(p->items, fr->cap * sizeof *p->items);
        if (p->kind == YN_MAP)
            p->keys = xrealloc(p->keys, fr->cap * sizeof *p->keys);
    }
    if (p->kind == YN_MAP) {
        p->keys[p->n] = fr->key;
        fr->key = NULL;
    }
    p->items[p->n++] = n;
}

static bool is_null_text(const char *s, size_t n)
{
    return n == 0 || (n == 1 && s[0] == '~') ||
           (n == 4 && (memcmp(s, "null", 4) == 0 || memcmp(s, "Null", 4) == 0 ||
                       memcmp(s, "NULL", 4) == 0));
}

static void stack_unwind(struct reader *r)
{
    while (r->stack.n) {
        struct frame *fr = &r->stack.v[--r->stack.n];
        ynode_free(fr->node);
        ynode_free(fr->key);
        free(fr->anchor);
    }
}

static void report_parser_error(struct reader *r, yaml_parser_t *ps)
{
    uint32_t off;
    if (ps->error == YAML_READER_ERROR)
        off = (uint32_t)(ps->problem_offset < r->f->len ? ps->problem_offset : r->f->len);
    else
        off = offmap_byte(&r->om, ps->problem_mark.index);
    unsigned line, col;
    line_col_of(r, off, &line, &col);
    const char *problem = ps->problem ? ps->problem : "syntax error";
    struct span sp = {r->file, off, off < r->f->len ? off + 1 : off};
    if (ps->context) {
        uint32_t coff = offmap_byte(&r->om, ps->context_mark.index);
        unsigned cl, cc;
        line_col_of(r, coff, &cl, &cc);
        reader_error(r, sp, "YAML parse error at line %u, column %u: %s (%s at line %u, column %u)",
                     line, col, problem, ps->context, cl, cc);
    } else if (ps->error == YAML_READER_ERROR && ps->problem_value != -1) {
        reader_error(r, sp, "YAML parse error at line %u, column %u: %s (#%X)", line, col, problem,
                     (unsigned)ps->problem_value);
    } else {
        reader_error(r, sp, "YAML parse error at line %u, column %u: %s", line, col, problem);
    }
}

struct ynode **yaml_read(struct source_set *src, uint32_t file, struct diag_list *dl,
                         size_t *ndocs)
{
    *ndocs = 0;
    const struct source_file *f = source_get(src, file);
    if (!f) {
        diag_add(dl, LOAD_ERR_FILE_READ, span_none(), "No such file loaded");
        return NULL;
    }
    struct reader r = {0};
    r.f = f;
    r.file = file;
    r.dl = dl;
    r.alias_budget = YAML_MAX_ALIAS_NODES;

    if (f->len >= UINT32_MAX - 1) {
        reader_error(&r, (struct span){file, 0, 0}, "YAML parse error: the file is too large");
        return NULL;
    }
    size_t bad = utf8_invalid_at((const unsigned char *)f->text, f->len);
    if (bad < f->len) {
        unsigned line, col;
        source_line_col(f, (uint32_t)bad, &line, &col);
        reader_error(&r, (struct span){file, (uint32_t)bad, (uint32_t)bad + 1},
                     "YAML parse error at line %u, column %u: invalid UTF-8 byte 0x%02X (rules files must be UTF-8)",
                     line, col, (unsigned)(unsigned char)f->text[bad]);
        return NULL;
    }
    offmap_init(&r.om, f->text, f->len);

    yaml_parser_t ps;
    if (!yaml_parser_initialize(&ps))
        BUG("yaml_parser_initialize failed");
    yaml_parser_set_input_string(&ps, (const unsigned char *)f->text, f->len);
    /* No explicit encoding: libyaml then detects UTF-8 and skips a BOM
     * (the text is known to be UTF-8 here). */

    VEC(struct ynode *) docs = {0};
    struct ynode *root = NULL;
    bool done = false;
    while (!done && !r.failed) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&ps, &ev)) {
            report_parser_error(&r, &ps);
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            root = NULL;
            anchors_clear(&r);
            break;
        case YAML_DOCUMENT_END_EVENT:
            VEC_PUSH(docs, root ? root : node_new(YN_NULL, mark_span(&r, ev.start_mark, ev.end_mark)));
            root = NULL;
            break;
        case YAML_SCALAR_EVENT: {
            struct span sp = mark_span(&r, ev.start_mark, ev.end_mark);
            const char *val = (const char *)ev.data.scalar.value;
            size_t vlen = ev.data.scalar.length;
            bool plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            const char *tag = (const char *)ev.data.scalar.tag;
            bool isnull = (plain && !tag && is_null_text(val, vlen)) ||
                          (tag && strcmp(tag, YAML_NULL_TAG) == 0);
            struct ynode *n = node_new(isnull ? YN_NULL : YN_SCALAR, sp);
            n->plain = plain;
            if (memchr(val, '\0', vlen)) /* "\0" escapes: keep the text C-safe */
                vlen = strlen(val);
            align_scalar(&n->scalar, file, f->text, sp.start, sp.end, val, vlen,
                         ev.data.scalar.style);
            if (ev.data.scalar.anchor) {
                anchor_begin(&r, (const char *)ev.data.scalar.anchor);
                anchor_define(&r, (const char *)ev.data.scalar.anchor, n);
            }
            attach(&r, n, &root);
            break;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            if (r.stack.n >= YAML_MAX_DEPTH) {
                struct span sp = mark_span(&r, ev.start_mark, ev.end_mark);
                unsigned line, col;
                line_col_of(&r, sp.start, &line, &col);
                reader_error(&r, sp,
                             "YAML parse error at line %u, column %u: nesting deeper than %d levels",
                             line, col, YAML_MAX_DEPTH);
                break;
            }
            bool seq = ev.type == YAML_SEQUENCE_START_EVENT;
            const yaml_char_t *anchor =
                seq ? ev.data.sequence_start.anchor : ev.data.mapping_start.anchor;
            struct frame fr = {node_new(seq ? YN_SEQ : YN_MAP,
                                        mark_span(&r, ev.start_mark, ev.end_mark)),
                               0, NULL, NULL};
            if (anchor) {
                fr.anchor = xstrdup((const char *)anchor);
                anchor_begin(&r, fr.anchor);
            }
            VEC_PUSH(r.stack, fr);
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: {
            if (!r.stack.n)
                break;
            struct frame fr = r.stack.v[--r.stack.n];
            struct span endsp = mark_span(&r, ev.start_mark, ev.end_mark);
            if (endsp.end > fr.node->span.end)
                fr.node->span.end = endsp.end;
            if (fr.key) { /* cannot happen with a well-formed event stream */
                ynode_free(fr.key);
                fr.key = NULL;
            }
            if (fr.anchor) {
                anchor_define(&r, fr.anchor, fr.node);
                free(fr.anchor);
            }
            attach(&r, fr.node, &root);
            break;
        }
        case YAML_ALIAS_EVENT: {
            struct span sp = mark_span(&r, ev.start_mark, ev.end_mark);
            const char *name = (const char *)ev.data.alias.anchor;
            const struct anchor *a = anchor_find(&r, name);
            unsigned line, col;
            line_col_of(&r, sp.start, &line, &col);
            if (!a) {
                reader_error(&r, sp, "YAML parse error at line %u, column %u: unknown anchor '%s'",
                             line, col, name);
                break;
            }
            if (!a->node) {
                reader_error(&r, sp,
                             "YAML parse error at line %u, column %u: alias '%s' refers to a node that contains it",
                             line, col, name);
                break;
            }
            bool over = false;
            struct ynode *copy = node_copy(a->node, &r.alias_budget, &over);
            if (over) {
                ynode_free(copy);
                reader_error(&r, sp,
                             "YAML parse error at line %u, column %u: aliases expand to more than %u nodes",
                             line, col, YAML_MAX_ALIAS_NODES);
                break;
            }
            copy->span = sp;
            attach(&r, copy, &root);
            break;
        }
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&ps);
    stack_unwind(&r);
    ynode_free(root);
    anchors_clear(&r);
    VEC_FREE(r.anchors);
    VEC_FREE(r.stack);
    free(r.om.check);
    if (r.failed) {
        for (size_t i = 0; i < docs.n; i++)
            ynode_free(docs.v[i]);
        VEC_FREE(docs);
        return NULL;
    }
    *ndocs = docs.n;
    if (!docs.v)
        return xcalloc(1, sizeof(struct ynode *));
    return docs.v;
}
