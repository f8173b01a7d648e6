/* resolve_lists.c: lists, as Falco resolves them (falco-language.md 1.7,
 * 2.9): first a one-level expansion of list names inside lists, then a
 * textual substitution of list names in each condition before it is
 * parsed. Matching the text substitution exactly is what keeps stoop's
 * accept/reject decisions equal to Falco's; where it does something a
 * reader would not expect, stoop says so. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "passes.h"

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_delim(char c)
{
    return is_blank(c) || c == '(' || c == ')' || c == ',' || c == '=';
}

static struct list_def *list_named(struct compile_ctx *cc, const char *name, size_t len,
                                   size_t *pos)
{
    uintptr_t v = (uintptr_t)strmap_getn(&cc->list_by_name, name, len);
    if (!v)
        return NULL;
    if (pos)
        *pos = v - 1;
    return cc->p->lists[v - 1];
}

void lists_expand(struct compile_ctx *cc)
{
    struct program *p = cc->p;
    cc->odd_lists = xmalloc((p->nlists ? p->nlists : 1) * sizeof *cc->odd_lists);
    cc->nodd_lists = 0;
    for (size_t i = 0; i < p->nlists; i++) {
        strmap_put(&cc->list_by_name, p->lists[i]->name, (void *)(uintptr_t)(i + 1));
        if (strpbrk(p->lists[i]->name, " \t\n\r(),="))
            cc->odd_lists[cc->nodd_lists++] = i;
    }
    cc->expanded = xcalloc(p->nlists ? p->nlists : 1, sizeof *cc->expanded);
    for (size_t i = 0; i < p->nlists; i++) {
        struct list_def *l = p->lists[i];
        struct list_expansion *e = &cc->expanded[i];
        size_t cap = l->nitems + 1;
        e->items = xmalloc(cap * sizeof *e->items);
        e->spans = xmalloc(cap * sizeof *e->spans);
        for (size_t k = 0; k < l->nitems; k++) {
            const struct list_item *it = &l->items[k];
            struct list_def *r = list_named(cc, it->text, strlen(it->text), NULL);
            size_t need = r ? r->nitems : 1;
            if (e->n + need > cap) {
                cap = 2 * (e->n + need);
                e->items = xrealloc(e->items, cap * sizeof *e->items);
                e->spans = xrealloc(e->spans, cap * sizeof *e->spans);
            }
            if (r && r->index < l->visibility) {
                r->used = true;
                for (size_t j = 0; j < r->nitems; j++) {
                    e->items[e->n] = r->items[j].text;
                    e->spans[e->n++] = r->items[j].span;
                    /* Falco expands one level only: a list name inside the
                     * inserted items stays a literal string. */
                    size_t deep_pos;
                    struct list_def *deep = list_named(cc, r->items[j].text,
                                                       strlen(r->items[j].text), &deep_pos);
                    /* Conditions scan lists in definition order, so a later
                     * list still gets substituted there; an earlier one not. */
                    if (deep && deep_pos <= i) {
                        struct diag *d = diag_add(
                            cc->dl, STOOP_LIST_NESTED_UNEXPANDED, it->span,
                            "list '%s' includes list '%s', whose item '%s' names a list: Falco "
                            "expands lists one level deep, so '%s' stays a literal string here",
                            l->name, r->name, deep->name, deep->name);
                        diag_secondary(d, r->items[j].span, "this item is not expanded");
                        diag_item(d, l->name);
                    }
                }
            } else {
                e->items[e->n] = it->text;
                e->spans[e->n++] = it->span;
            }
        }
    }
}

void lists_expansion_free(struct compile_ctx *cc)
{
    for (size_t i = 0; cc->expanded && i < cc->p->nlists; i++) {
        free(cc->expanded[i].items);
        free(cc->expanded[i].spans);
    }
    free(cc->expanded);
    cc->expanded = NULL;
    free(cc->odd_lists);
    cc->odd_lists = NULL;
    strmap_free(&cc->list_by_name);
}

/* q() of falco-language.md 1.8: quote items containing a space. */
static void append_quoted_item(struct strbuf *sb, const char *item)
{
    bool quote = strchr(item, ' ') && item[0] != '"' && item[0] != '\'';
    if (quote)
        sb_putc(sb, '"');
    sb_puts(sb, item);
    if (quote)
        sb_putc(sb, '"');
}

/* True if text[off] lies inside a quoted string of the condition. */
static bool inside_quotes(const char *text, size_t off)
{
    char q = 0;
    for (size_t i = 0; i < off; i++) {
        if (q) {
            if (text[i] == '\\')
                i++;
            else if (text[i] == q)
                q = 0;
        } else if (text[i] == '"' || text[i] == '\'') {
            q = text[i];
        }
    }
    return q != 0;
}

static void warn_surprising_use(struct compile_ctx *cc, const struct mapped_text *t, size_t at,
                                const struct list_def *l, const char *owner)
{
    size_t len = strlen(l->name);
    struct span where = mtext_span(t, at, at + len);
    struct diag *d = NULL;
    if (inside_quotes(t->text, at)) {
        d = diag_add(cc->dl, STOOP_LIST_IN_STRING, where,
                     "list '%s' is substituted inside a quoted string", l->name);
        diag_hint(d, "Falco replaces list names in the condition text before parsing it; "
                     "rename the list or the string");
    } else {
        size_t b = at, e = at + len;
        while (b > 0 && is_blank(t->text[b - 1]))
            b--;
        while (e < t->len && is_blank(t->text[e]))
            e++;
        char before = b > 0 ? t->text[b - 1] : 0;
        char after = e < t->len ? t->text[e] : 0;
        if (!((before == '(' || before == ',') && (after == ')' || after == ','))) {
            d = diag_add(cc->dl, STOOP_LIST_AS_VALUE, where,
                         "list '%s' is used as a bare value; Falco pastes its %zu item%s here",
                         l->name, l->nitems, l->nitems == 1 ? "" : "s");
            diag_hint(d, "write it inside parentheses: in (%s)", l->name);
        }
    }
    if (d) {
        diag_secondary(d, l->name_span, "list defined here");
        diag_context(d, "in %s", owner);
    }
}

/* Substitutes every qualifying occurrence of list `l` (Falco's
 * resolve_list), left to right. */
static void substitute_one(struct compile_ctx *cc, struct mapped_text *t, const struct list_def *l,
                           const struct list_expansion *items, const char *owner)
{
    size_t nlen = strlen(l->name);
    if (nlen == 0)
        return;
    struct strbuf sub = {0};
    for (size_t i = 0; i < items->n; i++) {
        if (i)
            sb_puts(&sub, ", ");
        append_quoted_item(&sub, items->items[i]);
    }
    const char *subtext = sub.s ? sub.s : "";
    size_t sublen = sub.len;
    const char *hit = memmem(t->text, t->len, l->name, nlen);
    while (hit) {
        size_t start = (size_t)(hit - t->text), end = start + nlen;
        size_t next_from = start + 1;
        if ((start == 0 || is_delim(t->text[start - 1])) && (end >= t->len || is_delim(t->text[end]))) {
            warn_surprising_use(cc, t, start, l, owner);
            struct span origin = mtext_span(t, start, end);
            while (start > 0 && is_blank(t->text[start - 1]))
                start--;
            while (end < t->len && is_blank(t->text[end]))
                end++;
            if (sublen == 0) {
                if (start > 0 && t->text[start - 1] == ',')
                    start--;
                else if (end < t->len && t->text[end] == ',')
                    end++;
            }
            struct strbuf rep = {0};
            if (start > 0)
                sb_putc(&rep, ' ');
            sb_append(&rep, subtext, sublen);
            sb_putc(&rep, ' ');
            mtext_replace(t, start, end, rep.s, rep.len, origin);
            sb_free(&rep);
            next_from = start + sublen + 2;
        }
        hit = next_from < t->len ? memmem(t->text + next_from, t->len - next_from, l->name, nlen)
                                 : NULL;
    }
    sb_free(&sub);
}

/* Position (in definition order) of the first list after `after` whose name
 * occurs as a delimited word in the text; SIZE_MAX if none. */
static size_t next_list_in_text(struct compile_ctx *cc, const struct mapped_text *t, size_t after)
{
    size_t best = SIZE_MAX;
    size_t i = 0;
    while (i < t->len) {
        while (i < t->len && is_delim(t->text[i]))
            i++;
        size_t s = i;
        while (i < t->len && !is_delim(t->text[i]))
            i++;
        size_t pos;
        if (i > s && list_named(cc, t->text + s, i - s, &pos) &&
            (after == SIZE_MAX || pos > after) && pos < best)
            best = pos;
    }
    return best;
}

void name_set_add(struct name_set *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], name) == 0)
            return;
    s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
    s->v[s->n++] = xstrdup(name);
}

void name_set_free(struct name_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

void lists_substitute(struct compile_ctx *cc, struct mapped_text *text, const char *owner,
                      struct name_set *used)
{
    struct program *p = cc->p;
    /* Falco scans lists in definition order. A list name can only qualify
     * as a delimited word, so only lists whose name is a word of the text
     * need scanning; names containing delimiters fall back to the scan. */
    size_t cur = SIZE_MAX;
    for (;;) {
        size_t next = next_list_in_text(cc, text, cur);
        for (size_t k = 0; k < cc->nodd_lists; k++) {
            size_t i = cc->odd_lists[k];
            const char *n = p->lists[i]->name;
            if ((cur == SIZE_MAX || i > cur) && i < next && memmem(text->text, text->len, n, strlen(n)))
                next = i;
        }
        if (next == SIZE_MAX || next >= p->nlists)
            break;
        p->lists[next]->used = true;
        if (used)
            name_set_add(used, p->lists[next]->name);
        substitute_one(cc, text, p->lists[next], &cc->expanded[next], owner);
        cur = next;
    }
}
