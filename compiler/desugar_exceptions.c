/* desugar_exceptions.c: Falco's textual exception desugaring (1.8) and the
 * exception checks that need no schema.
 *
 * The result is the condition text Falco compiles: with exceptions, "(" cond ")" plus one
 * " and not (...)" per exception with values. The original condition keeps
 * its byte mapping; field names map to their field nodes, comparison
 * operators to their comps nodes, values to their value nodes, and glue
 * text to the exception. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"
#include "util.h"

static void synth(struct mapped_text *t, const char *s, struct span origin)
{
    mtext_append_synth(t, s, strlen(s), origin);
}

/* q(s): double quotes around s if it has a blank and does not start with a
 * quote. */
static void put_quoted(struct mapped_text *t, const char *s, struct span origin)
{
    bool q = strchr(s, ' ') && s[0] != '"' && s[0] != '\'';
    if (q)
        synth(t, "\"", origin);
    synth(t, s, origin);
    if (q)
        synth(t, "\"", origin);
}

/* in/intersects/pmatch, or any operator with a oneof/anyof/allof modifier:
 * the right-hand side is a list. */
static bool is_list_operator(const char *op)
{
    if (strcmp(op, "in") == 0 || strcmp(op, "intersects") == 0 || strcmp(op, "pmatch") == 0)
        return true;
    const char *sp = strchr(op, ' ');
    if (!sp)
        return false;
    while (*sp == ' ')
        sp++;
    return strncmp(sp, "oneof", 5) == 0 || strncmp(sp, "anyof", 5) == 0 ||
           strncmp(sp, "allof", 5) == 0;
}

static const char *comp_text(const struct exception_def *e, size_t k, struct span *sp)
{
    if (k < e->ncomps) {
        *sp = e->comps[k].span;
        return e->comps[k].text;
    }
    /* Replaced exceptions skip comps defaulting (upstream UB); use the
     * defaults. */
    *sp = e->span;
    return e->fields_is_list ? "=" : "in";
}

static void put_list(struct mapped_text *t, const struct exc_value *v)
{
    synth(t, "(", v->span);
    for (size_t i = 0; i < v->n; i++) {
        if (i)
            synth(t, ", ", v->span);
        put_quoted(t, v->items[i].text ? v->items[i].text : "", v->items[i].span);
    }
    synth(t, ")", v->span);
}

struct mapped_text exceptions_desugar(const struct rule_def *r)
{
    struct mapped_text t;
    mtext_init(&t);
    struct span whole = mtext_span(&r->cond, 0, r->cond.len);
    struct span open = {whole.file, whole.start, whole.start};
    struct span close = {whole.file, whole.end, whole.end};
    /* Falco wraps the condition only when the rule has exceptions. */
    if (r->nexceptions == 0) {
        mtext_append_mtext(&t, &r->cond);
        return t;
    }
    synth(&t, "(", open);
    mtext_append_mtext(&t, &r->cond);
    synth(&t, ")", close);
    for (size_t x = 0; x < r->nexceptions; x++) {
        const struct exception_def *e = &r->exceptions[x];
        if (e->nvalues == 0)
            continue;
        if (!e->fields_is_list) {
            struct span csp;
            const char *comp = comp_text(e, 0, &csp);
            const char *field = e->nfields ? e->fields[0].text : "";
            struct span fsp = e->nfields ? e->fields[0].span : e->span;
            synth(&t, " and not (", e->span);
            synth(&t, field, fsp);
            synth(&t, " ", e->span);
            synth(&t, comp, csp);
            synth(&t, " (", e->span);
            for (size_t i = 0; i < e->nvalues; i++) {
                if (i)
                    synth(&t, ", ", e->span);
                const struct exc_value *v = &e->values[i];
                if (v->text)
                    put_quoted(&t, v->text, v->span);
                else /* rejected by exceptions_validate */
                    put_list(&t, v);
            }
            synth(&t, "))", e->span);
            continue;
        }
        synth(&t, " and not (", e->span);
        for (size_t i = 0; i < e->nvalues; i++) {
            const struct exc_value *tuple = &e->values[i];
            if (i)
                synth(&t, " or ", e->span);
            synth(&t, "(", tuple->span);
            for (size_t k = 0; k < e->nfields; k++) {
                if (k)
                    synth(&t, " and", e->span);
                synth(&t, " ", e->span);
                synth(&t, e->fields[k].text, e->fields[k].span);
                synth(&t, " ", e->span);
                struct span csp;
                const char *comp = comp_text(e, k, &csp);
                synth(&t, comp, csp);
                synth(&t, " ", e->span);
                if (k >= tuple->n) /* length mismatch: rejected by exceptions_validate */
                    continue;
                const struct exc_value *v = &tuple->items[k];
                if (!v->text) {
                    put_list(&t, v);
                } else if (is_list_operator(comp)) {
                    bool paren = v->text[0] != '(';
                    if (paren)
                        synth(&t, "(", v->span);
                    synth(&t, v->text, v->span);
                    if (paren)
                        synth(&t, ")", v->span);
                } else {
                    put_quoted(&t, v->text, v->span);
                }
            }
            synth(&t, ")", tuple->span);
        }
        synth(&t, ")", e->span);
    }
    return t;
}

/* ---- validation ---- */

static const char *const MODIFIERS[] = {"oneof", "anyof", "allof"};

/* A comparison operator accepted by the condition parser, optionally
 * followed by a modifier (Falco >= 0.44), surrounding blanks ignored. */
static bool comp_valid(const char *s, bool *has_modifier)
{
    *has_modifier = false;
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    char *op = xstrndup(s, n);
    char *sp = op;
    while (*sp && !isspace((unsigned char)*sp))
        sp++;
    char *mod = NULL;
    if (*sp) {
        *sp++ = '\0';
        while (isspace((unsigned char)*sp))
            sp++;
        mod = sp;
    }
    enum cmp_op cop;
    bool ok = op_by_spelling(op, &cop);
    if (ok && mod) {
        bool known = false;
        for (size_t i = 0; i < 3; i++)
            if (strcmp(mod, MODIFIERS[i]) == 0)
                known = true;
        ok = known && (op_flags(cop) & OF_MODIFIABLE);
        *has_modifier = ok;
    }
    free(op);
    return ok;
}

static struct diag *vfail(struct program *p, const struct rule_def *r, struct span sp,
                          const char *msg)
{
    struct diag *d = diag_add(&p->diags, LOAD_ERR_VALIDATE, sp, "%s", msg);
    diag_item(d, r->name);
    return d;
}

bool exceptions_validate(struct program *p, struct rule_def *r)
{
    bool ok = true;
    for (size_t x = 0; x < r->nexceptions; x++) {
        const struct exception_def *e = &r->exceptions[x];
        bool eok = true;
        if (!e->unchecked) {
            if (e->fields_is_list) {
                for (size_t k = 0; eok && k < e->ncomps; k++) {
                    bool mod;
                    if (!comp_valid(e->comps[k].text, &mod)) {
                        char *m = xasprintf("'%s' is not a supported comparison operator",
                                            e->comps[k].text);
                        vfail(p, r, e->comps[k].span, m);
                        free(m);
                        eok = false;
                    }
                }
            } else if (e->ncomps) {
                const char *c = e->comps[0].text;
                bool mod = false;
                bool valid = comp_valid(c, &mod);
                if (!(strcmp(c, "in") == 0 || strcmp(c, "pmatch") == 0 ||
                      strcmp(c, "intersects") == 0 || (valid && mod))) {
                    vfail(p, r, e->comps[0].span,
                          "When fields is a single value, comps must be one of (in, pmatch, intersects)");
                    eok = false;
                }
            }
        }
        /* Compile-time checks (build_rule_exception_infos). */
        for (size_t i = 0; eok && i < e->nvalues; i++) {
            const struct exc_value *v = &e->values[i];
            if (!e->fields_is_list) {
                if (!v->text) {
                    vfail(p, r, v->span, "Expected values array to contain a list of strings");
                    eok = false;
                }
            } else {
                size_t n = v->text ? 0 : v->n;
                if (n != e->nfields) {
                    vfail(p, r, v->span, "Fields and values lists must have equal length");
                    eok = false;
                }
            }
        }
        ok = ok && eok;
    }
    return ok;
}
