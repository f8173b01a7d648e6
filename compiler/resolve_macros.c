/* resolve_macros.c: macro references, as Falco's filter_macro_resolver
 * does them (falco-language.md 1.7, 2.9): a macro may use macros defined
 * before its latest change, a rule any macro; the body is inserted as a
 * subtree, so a macro behaves as if parenthesised.
 *
 * Macros are only checked (references exist, are visible, have no loop),
 * once each and without expanding them, so a long chain of macros costs
 * linear time and memory. Rules get the expansion: each use a private
 * clone, so the type checker can type it for the using rule's source. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "passes.h"

/* Deeper macro nesting than this is refused rather than risking the stack
 * in the recursive passes; Falco's own parser limit is 1000 per condition. */
#define MAX_MACRO_NESTING 4000

static void undefined_macro(struct compile_ctx *cc, const struct expr *ref, int limit,
                            const char *owner, const char *item)
{
    struct program *p = cc->p;
    struct diag *d = diag_add(cc->dl, LOAD_ERR_VALIDATE, ref->span,
                              "Undefined macro '%s' used in filter.", ref->u.macro.name);
    diag_context(d, "in %s", owner);
    diag_item(d, item);
    struct macro_def *later = strmap_get(&cc->macro_by_name, ref->u.macro.name);
    if (later) {
        diag_secondary(d, later->name_span, "defined here, after this macro");
        diag_hint(d, "a macro can only use macros defined before it; move '%s' up",
                  ref->u.macro.name);
        return;
    }
    const char **names = xmalloc((p->nmacros + 1) * sizeof *names);
    size_t n = 0;
    for (size_t i = 0; i < p->nmacros; i++)
        if (p->macros[i]->index < limit)
            names[n++] = p->macros[i]->name;
    if (n)
        diag_did_you_mean(d, ref->u.macro.name, names, n);
    free(names);
}

struct macro_check {
    struct compile_ctx *cc;
    struct macro_def *m; /* the macro whose direct references are checked */
    char *owner;
    unsigned depth;      /* macros being checked below the first one */
    bool ok;
};

static bool check_macro(struct compile_ctx *cc, struct macro_def *m, unsigned depth);

static void check_refs(struct macro_check *mc, const struct expr *e)
{
    switch (e->kind) {
    case EXPR_AND:
    case EXPR_OR:
        for (size_t i = 0; i < e->u.nary.n; i++)
            check_refs(mc, e->u.nary.v[i]);
        return;
    case EXPR_NOT:
        check_refs(mc, e->u.child);
        return;
    case EXPR_CHECK:
        return;
    case EXPR_MACRO_REF:
        break;
    }
    struct macro_def *r = strmap_get(&mc->cc->macro_by_name, e->u.macro.name);
    if (!r || r->index >= mc->m->visibility) {
        undefined_macro(mc->cc, e, mc->m->visibility, mc->owner, mc->m->name);
        mc->ok = false;
        return;
    }
    r->used = true;
    if (r->resolving) {
        /* Falco's resolver notices a loop where it closes: at the macro
         * whose reference leads back into the path. */
        struct diag *d = diag_add(mc->cc->dl, LOAD_ERR_VALIDATE, e->span,
                                  "reference loop in macro '%s'", mc->m->name);
        diag_context(d, "in %s", mc->owner);
        diag_item(d, mc->m->name);
        mc->ok = false;
        return;
    }
    if (!r->checked && mc->depth >= MAX_MACRO_NESTING) {
        struct diag *d = diag_add(mc->cc->dl, LOAD_ERR_COMPILE_CONDITION, e->span,
                                  "macros nest more than %d levels deep here", MAX_MACRO_NESTING);
        diag_context(d, "in %s", mc->owner);
        diag_item(d, mc->m->name);
        mc->ok = false;
        return;
    }
    if (!check_macro(mc->cc, r, mc->depth + 1))
        mc->ok = false; /* reported at r */
}

/* Memoised: m->resolved tells the result once m->checked. */
static bool check_macro(struct compile_ctx *cc, struct macro_def *m, unsigned depth)
{
    if (m->checked)
        return m->resolved;
    if (!m->ast) { /* its condition failed to parse: already reported */
        m->checked = true;
        m->resolved = false;
        return false;
    }
    struct macro_check mc = {cc, m, xasprintf("macro '%s'", m->name), depth, true};
    m->resolving = true;
    check_refs(&mc, m->ast);
    m->resolving = false;
    m->checked = true;
    m->resolved = mc.ok;
    free(mc.owner);
    return mc.ok;
}

bool macros_resolve_macro(struct compile_ctx *cc, struct macro_def *m)
{
    return check_macro(cc, m, 0);
}

struct rule_expand {
    struct compile_ctx *cc;
    const struct rule_def *r;
    unsigned depth;
    bool ok;
};

static void expand(struct rule_expand *st, struct expr *e)
{
    switch (e->kind) {
    case EXPR_AND:
    case EXPR_OR:
        for (size_t i = 0; i < e->u.nary.n; i++)
            expand(st, e->u.nary.v[i]);
        return;
    case EXPR_NOT:
        expand(st, e->u.child);
        return;
    case EXPR_CHECK:
        return;
    case EXPR_MACRO_REF:
        break;
    }
    struct macro_def *m = strmap_get(&st->cc->macro_by_name, e->u.macro.name);
    if (!m) {
        char *owner = xasprintf("rule '%s'", st->r->name);
        undefined_macro(st->cc, e, INT32_MAX, owner, st->r->name);
        free(owner);
        st->ok = false;
        return;
    }
    m->used = true;
    if (!m->resolved) { /* its own problem is reported at the macro */
        st->ok = false;
        return;
    }
    if (st->depth >= MAX_MACRO_NESTING) {
        struct diag *d = diag_add(st->cc->dl, LOAD_ERR_COMPILE_CONDITION, e->span,
                                  "macros nest more than %d levels deep here",
                                  MAX_MACRO_NESTING);
        diag_context(d, "in rule '%s'", st->r->name);
        diag_item(d, st->r->name);
        st->ok = false;
        return;
    }
    e->u.macro.macro = m;
    e->u.macro.body = expr_clone(m->ast);
    st->depth++;
    expand(st, e->u.macro.body);
    st->depth--;
}

bool macros_resolve_rule(struct compile_ctx *cc, struct rule_def *r)
{
    struct rule_expand st = {cc, r, 0, true};
    expand(&st, r->ast);
    return st.ok;
}
