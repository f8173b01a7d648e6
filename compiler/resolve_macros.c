/* resolve_macros.c: macro references, as Falco's filter_macro_resolver
 * does them (falco-language.md 1.7, 2.9): a macro may use macros defined
 * before its latest change, a rule any macro; the body is inserted as a
 * subtree, so a macro behaves as if parenthesised. Each use gets its own
 * clone so the type checker can type it for the using rule's source. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "passes.h"

struct resolve_state {
    struct compile_ctx *cc;
    int limit;            /* macros with index < limit are visible; INT32_MAX: all */
    const char *owner;    /* "macro 'm'" or "rule 'r'" */
    const char *item;     /* name of the macro or rule being resolved */
    struct macro_def **stack;
    size_t depth, cap;
    bool ok;
};

static void undefined_macro(struct resolve_state *st, const struct expr *e)
{
    struct program *p = st->cc->p;
    struct diag *d = diag_add(st->cc->dl, LOAD_ERR_VALIDATE, e->span,
                              "Undefined macro '%s' used in filter.", e->u.macro.name);
    diag_context(d, "in %s", st->owner);
    diag_item(d, st->item);
    struct macro_def *later = strmap_get(&st->cc->macro_by_name, e->u.macro.name);
    if (later) {
        diag_secondary(d, later->name_span, "defined here, after this macro");
        diag_hint(d, "a macro can only use macros defined before it; move '%s' up",
                  e->u.macro.name);
        return;
    }
    const char **names = xmalloc((p->nmacros + 1) * sizeof *names);
    size_t n = 0;
    for (size_t i = 0; i < p->nmacros; i++)
        if (p->macros[i]->index < st->limit)
            names[n++] = p->macros[i]->name;
    if (n)
        diag_did_you_mean(d, e->u.macro.name, names, n);
    free(names);
}

static void resolve_expr(struct resolve_state *st, struct expr *e)
{
    switch (e->kind) {
    case EXPR_AND:
    case EXPR_OR:
        for (size_t i = 0; i < e->u.nary.n; i++)
            resolve_expr(st, e->u.nary.v[i]);
        return;
    case EXPR_NOT:
        resolve_expr(st, e->u.child);
        return;
    case EXPR_CHECK:
        return;
    case EXPR_MACRO_REF:
        break;
    }
    if (e->u.macro.body) { /* already resolved (clone of a resolved macro) */
        resolve_expr(st, e->u.macro.body);
        return;
    }
    struct macro_def *m = strmap_get(&st->cc->macro_by_name, e->u.macro.name);
    if (!m || m->index >= st->limit) {
        undefined_macro(st, e);
        st->ok = false;
        return;
    }
    if (!m->ast) { /* its own condition failed to parse: already reported */
        st->ok = false;
        return;
    }
    for (size_t i = 0; i < st->depth; i++) {
        if (st->stack[i] == m) {
            struct diag *d = diag_add(st->cc->dl, LOAD_ERR_VALIDATE, e->span,
                                      "reference loop in macro '%s'", m->name);
            diag_context(d, "in %s", st->owner);
            diag_item(d, st->item);
            st->ok = false;
            return;
        }
    }
    m->used = true;
    e->u.macro.macro = m;
    e->u.macro.body = expr_clone(m->ast);
    if (st->depth == st->cap) {
        st->cap = st->cap ? 2 * st->cap : 8;
        st->stack = xrealloc(st->stack, st->cap * sizeof *st->stack);
    }
    st->stack[st->depth++] = m;
    resolve_expr(st, e->u.macro.body);
    st->depth--;
}

bool macros_resolve_macro(struct compile_ctx *cc, struct macro_def *m)
{
    if (!m->ast)
        return false;
    char *owner = xasprintf("macro '%s'", m->name);
    struct resolve_state st = {cc, m->visibility, owner, m->name, NULL, 0, 0, true};
    /* Like Falco's resolver, start with an empty path: a loop through
     * other macros is reported at the macro where it closes. */
    resolve_expr(&st, m->ast);
    free(st.stack);
    free(owner);
    m->resolved = st.ok;
    if (!st.ok) {
        /* Rules using a broken macro fail quietly: the macro's error says it. */
        expr_free(m->ast);
        m->ast = NULL;
    }
    return st.ok;
}

bool macros_resolve_rule(struct compile_ctx *cc, struct rule_def *r)
{
    char *owner = xasprintf("rule '%s'", r->name);
    struct resolve_state st = {cc, INT32_MAX, owner, r->name, NULL, 0, 0, true};
    resolve_expr(&st, r->ast);
    free(st.stack);
    free(owner);
    return st.ok;
}
