/* infer_evttypes.c: which syscall event types can satisfy a rule
 * (falco-language.md 5.3), the same way libsinsp's event code search works:
 * evt.type leaves give their events, `and` intersects, `or` unites, `not`
 * is pushed to the leaves and complements only evt.type leaves; every
 * other leaf is neutral (all events). Also stoop's "never true" warning. */
#include <stdlib.h>
#include <string.h>

#include "passes.h"
#include "schema.h"

struct evset {
    uint64_t *w;
    size_t nwords;
};

static size_t nevents(void)
{
    return schema_event_count();
}

static struct evset set_new(bool all)
{
    size_t n = nevents();
    struct evset s = {xcalloc((n + 63) / 64 + 1, sizeof(uint64_t)), (n + 63) / 64};
    if (all)
        for (size_t i = 0; i < n; i++)
            s.w[i / 64] |= 1ull << (i % 64);
    return s;
}

static void set_and(struct evset *a, const struct evset *b)
{
    for (size_t i = 0; i < a->nwords; i++)
        a->w[i] &= b->w[i];
}

static void set_or(struct evset *a, const struct evset *b)
{
    for (size_t i = 0; i < a->nwords; i++)
        a->w[i] |= b->w[i];
}

static void set_complement(struct evset *a)
{
    size_t n = nevents();
    for (size_t i = 0; i < n; i++)
        a->w[i / 64] ^= 1ull << (i % 64);
}

static bool set_has(const struct evset *a, size_t i)
{
    return (a->w[i / 64] >> (i % 64)) & 1;
}

static bool is_evt_type(const struct operand *o)
{
    return o->kind == OPND_FIELD && !o->u.field.arg && !o->u.field.dotted_arg &&
           (strcmp(o->u.field.name, "evt.type") == 0 || strcmp(o->u.field.name, "syscall.type") == 0);
}

static bool wraps_evt_type(const struct operand *o)
{
    if (o->kind != OPND_TRANSFORM)
        return false;
    for (size_t i = 0; i < o->u.transform.nargs; i++)
        if (is_evt_type(o->u.transform.args[i]) || wraps_evt_type(o->u.transform.args[i]))
            return true;
    return false;
}

struct infer_state {
    struct compile_ctx *cc;
    struct rule_def *r;
    bool failed;
};

static struct evset infer(struct infer_state *st, const struct expr *e, bool negated)
{
    switch (e->kind) {
    case EXPR_AND:
    case EXPR_OR: {
        /* De Morgan: a negated 'and' unites, a negated 'or' intersects. */
        bool intersect = (e->kind == EXPR_AND) != negated;
        struct evset acc = infer(st, e->u.nary.v[0], negated);
        for (size_t i = 1; i < e->u.nary.n; i++) {
            struct evset s = infer(st, e->u.nary.v[i], negated);
            if (intersect)
                set_and(&acc, &s);
            else
                set_or(&acc, &s);
            free(s.w);
        }
        return acc;
    }
    case EXPR_NOT:
        return infer(st, e->u.child, !negated);
    case EXPR_MACRO_REF:
        return e->u.macro.body ? infer(st, e->u.macro.body, negated) : set_new(true);
    case EXPR_CHECK:
        break;
    }
    enum cmp_op op = e->u.check.op;
    bool eq_like = op == OP_EQ || op == OP_EQEQ || op == OP_NE || op == OP_IN;
    const struct operand *lhs = e->u.check.lhs, *rhs = e->u.check.rhs;
    if (eq_like && e->u.check.mod == MOD_NONE && (wraps_evt_type(lhs) ||
                   (is_evt_type(lhs) && rhs && rhs->kind != OPND_VALUE && rhs->kind != OPND_LIST))) {
        struct diag *d = diag_add(st->cc->dl, LOAD_ERR_COMPILE_CONDITION, e->span, "%s",
                                  wraps_evt_type(lhs)
                                      ? "event code search does not support `evt.type` checks "
                                        "with transformers"
                                      : "right-hand field comparisons on `evt.type`/"
                                        "`syscall.type` checks are not supported by event code "
                                        "search");
        diag_context(d, "in rule '%s'", st->r->name);
        diag_item(d, st->r->name);
        st->failed = true;
        return set_new(true);
    }
    if (!eq_like || e->u.check.mod != MOD_NONE || !is_evt_type(lhs))
        return set_new(true); /* neutral leaf */
    struct evset s = set_new(false);
    for (size_t i = 0; i < e->u.check.nvalues; i++) {
        const struct event_info *ev = schema_event_by_name(e->u.check.values[i].str);
        if (ev)
            s.w[ev->code / 64] |= 1ull << (ev->code % 64);
    }
    if ((op == OP_NE) != negated)
        set_complement(&s);
    return s;
}

/* Two equalities on the same field with different constants under one
 * 'and' can never both hold. */
static void collect_equalities(const struct expr *e, const struct expr **out, size_t *n, size_t cap)
{
    if (e->kind == EXPR_MACRO_REF && e->u.macro.body) {
        collect_equalities(e->u.macro.body, out, n, cap);
    } else if (e->kind == EXPR_AND) {
        for (size_t i = 0; i < e->u.nary.n; i++)
            collect_equalities(e->u.nary.v[i], out, n, cap);
    } else if (e->kind == EXPR_CHECK && *n < cap &&
               (e->u.check.op == OP_EQ || e->u.check.op == OP_EQEQ) &&
               e->u.check.mod == MOD_NONE && e->u.check.lhs->kind == OPND_FIELD &&
               !e->u.check.lhs->is_list && e->u.check.nvalues == 1 && e->u.check.rhs &&
               e->u.check.rhs->kind == OPND_VALUE) {
        out[(*n)++] = e;
    }
}

static bool same_field(const struct operand *a, const struct operand *b)
{
    if (strcmp(a->u.field.name, b->u.field.name) != 0)
        return false;
    if (!a->u.field.arg || !b->u.field.arg)
        return a->u.field.arg == b->u.field.arg;
    return strcmp(a->u.field.arg, b->u.field.arg) == 0;
}

static bool warn_contradiction(struct infer_state *st, const struct expr *e)
{
    switch (e->kind) {
    case EXPR_OR:
        for (size_t i = 0; i < e->u.nary.n; i++)
            if (warn_contradiction(st, e->u.nary.v[i]))
                return true;
        return false;
    case EXPR_NOT:
        return false;
    case EXPR_MACRO_REF:
        return e->u.macro.body && warn_contradiction(st, e->u.macro.body);
    case EXPR_CHECK:
        return false;
    case EXPR_AND:
        break;
    }
    const struct expr *eqs[64];
    size_t n = 0;
    collect_equalities(e, eqs, &n, 64);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            const struct value *a = &eqs[i]->u.check.values[0], *b = &eqs[j]->u.check.values[0];
            if (!same_field(eqs[i]->u.check.lhs, eqs[j]->u.check.lhs) || !a->str || !b->str)
                continue;
            if (a->len == b->len && memcmp(a->str, b->str, a->len) == 0)
                continue;
            struct diag *d = diag_add(st->cc->dl, STOOP_NEVER_TRUE, eqs[j]->span,
                                      "condition can never be true: '%s' cannot equal both '%s' "
                                      "and '%s'",
                                      eqs[i]->u.check.lhs->u.field.name, a->str, b->str);
            diag_secondary(d, eqs[i]->span, "first required here");
            diag_context(d, "in rule '%s'", st->r->name);
            diag_item(d, st->r->name);
            return true;
        }
    }
    for (size_t i = 0; i < e->u.nary.n; i++)
        if (warn_contradiction(st, e->u.nary.v[i]))
            return true;
    return false;
}

void infer_evttypes(struct compile_ctx *cc, struct rule_def *r)
{
    struct infer_state st = {cc, r, false};
    bool never = warn_contradiction(&st, r->ast);
    if (strcmp(r->source, "syscall") != 0) {
        r->evttypes_all = true;
        return;
    }
    struct evset s = infer(&st, r->ast, false);
    size_t n = nevents(), count = 0, codes = 0;
    for (size_t i = 0; i < n; i++) {
        if (!set_has(&s, i))
            continue;
        count++;
        unsigned dirs = schema_event(i)->dirs;
        codes += (dirs & ED_ENTER ? 1 : 0) + (dirs & ED_EXIT ? 1 : 0);
    }
    free(r->evttypes);
    r->evttypes = xmalloc((count ? count : 1) * sizeof *r->evttypes);
    r->nevttypes = 0;
    for (size_t i = 0; i < n; i++)
        if (set_has(&s, i))
            r->evttypes[r->nevttypes++] = (uint16_t)i;
    r->evttypes_all = count == n;
    free(s.w);
    if (st.failed)
        return;
    /* Falco 0.44 warns for an empty set too (only master stopped doing so). */
    if ((codes > 100 || count == 0) && r->warn_evttypes) {
        struct diag *d = diag_add(cc->dl, LOAD_NO_EVTTYPE, r->name_span,
                                  "Rule matches too many evt.type values. This has a significant "
                                  "performance penalty.");
        if (count == 0)
            diag_hint(d, "no event type satisfies this condition's evt.type tests, so the rule "
                         "can never fire (Falco 0.44 reports that with this warning)");
        else
            diag_hint(d, "restrict the condition with evt.type = ... or evt.type in (...); set "
                         "warn_evttypes: false if this is intended");
        diag_item(d, r->name);
    }
    if (count == 0 && !never) {
        struct diag *d = diag_add(cc->dl, STOOP_NEVER_TRUE, r->ast->span,
                                  "condition can never be true: no event type satisfies its "
                                  "evt.type tests");
        diag_context(d, "in rule '%s'", r->name);
        diag_item(d, r->name);
    }
}
