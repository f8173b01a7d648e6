/* program.c: the program's item tables and their lifetime. */
#include <stdlib.h>
#include <string.h>

#include "program.h"
#include "util.h"

/* Name -> item maps. Items are only ever appended and never renamed, so
 * each map is synced lazily by indexing the entries added since the last
 * lookup (also covers code that pushes to the arrays directly). */
struct program_index {
    struct strmap lists, macros, rules;
    size_t nlists, nmacros, nrules; /* entries indexed so far */
};

void program_init(struct program *p)
{
    memset(p, 0, sizeof *p);
    p->index = xcalloc(1, sizeof *p->index);
}

void exc_value_free(struct exc_value *v)
{
    if (!v)
        return;
    free(v->text);
    for (size_t i = 0; i < v->n; i++)
        exc_value_free(&v->items[i]);
    free(v->items);
    memset(v, 0, sizeof *v);
}

static void list_items_free(struct list_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(items[i].text);
    free(items);
}

void exception_def_free(struct exception_def *e)
{
    free(e->name);
    list_items_free(e->fields, e->nfields);
    list_items_free(e->comps, e->ncomps);
    for (size_t i = 0; i < e->nvalues; i++)
        exc_value_free(&e->values[i]);
    free(e->values);
    memset(e, 0, sizeof *e);
}

void rule_def_clear(struct rule_def *r)
{
    mtext_free(&r->cond);
    mtext_free(&r->output);
    mtext_free(&r->desc);
    free(r->source);
    r->source = NULL;
    for (size_t i = 0; i < r->ntags; i++)
        free(r->tags[i]);
    free(r->tags);
    r->tags = NULL;
    r->ntags = 0;
    for (size_t i = 0; i < r->nexceptions; i++)
        exception_def_free(&r->exceptions[i]);
    free(r->exceptions);
    r->exceptions = NULL;
    r->nexceptions = 0;
}

static void list_free(struct list_def *l)
{
    free(l->name);
    list_items_free(l->items, l->nitems);
    free(l);
}

static void macro_free(struct macro_def *m)
{
    if (m->ast)
        expr_free(m->ast);
    free(m->name);
    mtext_free(&m->cond);
    free(m);
}

static void rule_free(struct rule_def *r)
{
    rule_compile_results_free(r);
    rule_def_clear(r);
    free(r->name);
    free(r);
}

void program_free(struct program *p)
{
    for (size_t i = 0; i < p->nlists; i++)
        list_free(p->lists[i]);
    free(p->lists);
    for (size_t i = 0; i < p->nmacros; i++)
        macro_free(p->macros[i]);
    free(p->macros);
    for (size_t i = 0; i < p->nrules; i++)
        rule_free(p->rules[i]);
    free(p->rules);
    free(p->required_engine_version);
    for (size_t i = 0; i < p->nplugin_reqs; i++) {
        struct plugin_req_group *g = &p->plugin_reqs[i];
        for (size_t k = 0; k < g->n; k++) {
            free(g->alts[k].name);
            free(g->alts[k].version);
        }
        free(g->alts);
    }
    free(p->plugin_reqs);
    if (p->index) {
        strmap_free(&p->index->lists);
        strmap_free(&p->index->macros);
        strmap_free(&p->index->rules);
        free(p->index);
    }
    diag_list_free(&p->diags);
    source_set_free(&p->src);
    memset(p, 0, sizeof *p);
}

/* First definition wins a name; later entries with the same name (which
 * collect_items never creates) are not indexed. */
#define SYNC(map, count, arr, n)                                                                   \
    do {                                                                                           \
        for (; (count) < (n); (count)++)                                                           \
            if (!strmap_get(&(map), (arr)[(count)]->name))                                         \
                strmap_put(&(map), (arr)[(count)]->name, (arr)[(count)]);                          \
    } while (0)

static struct program_index *index_of(const struct program *p)
{
    return p->index;
}

struct list_def *program_find_list(const struct program *p, const char *name)
{
    struct program_index *ix = index_of(p);
    if (!ix) {
        for (size_t i = 0; i < p->nlists; i++)
            if (strcmp(p->lists[i]->name, name) == 0)
                return p->lists[i];
        return NULL;
    }
    SYNC(ix->lists, ix->nlists, p->lists, p->nlists);
    return strmap_get(&ix->lists, name);
}

struct macro_def *program_find_macro(const struct program *p, const char *name)
{
    struct program_index *ix = index_of(p);
    if (!ix) {
        for (size_t i = 0; i < p->nmacros; i++)
            if (strcmp(p->macros[i]->name, name) == 0)
                return p->macros[i];
        return NULL;
    }
    SYNC(ix->macros, ix->nmacros, p->macros, p->nmacros);
    return strmap_get(&ix->macros, name);
}

struct rule_def *program_find_rule(const struct program *p, const char *name)
{
    struct program_index *ix = index_of(p);
    if (!ix) {
        for (size_t i = 0; i < p->nrules; i++)
            if (strcmp(p->rules[i]->name, name) == 0)
                return p->rules[i];
        return NULL;
    }
    SYNC(ix->rules, ix->nrules, p->rules, p->nrules);
    return strmap_get(&ix->rules, name);
}

#define PUSH(arr, n, cap, item)                                                                    \
    do {                                                                                           \
        if ((n) == (cap)) {                                                                        \
            (cap) = (cap) ? 2 * (cap) : 16;                                                        \
            (arr) = xrealloc((arr), (cap) * sizeof *(arr));                                        \
        }                                                                                          \
        (arr)[(n)++] = (item);                                                                     \
    } while (0)

void program_add_list(struct program *p, struct list_def *l)
{
    PUSH(p->lists, p->nlists, p->caplists, l);
}

void program_add_macro(struct program *p, struct macro_def *m)
{
    PUSH(p->macros, p->nmacros, p->capmacros, m);
}

void program_add_rule(struct program *p, struct rule_def *r)
{
    PUSH(p->rules, p->nrules, p->caprules, r);
}

bool rule_is_compiled(const struct rule_def *r)
{
    return r->compiled_ok && !r->dropped && r->ast && r->source;
}

const char *program_only_source(const struct program *p)
{
    const char *found = NULL;
    for (size_t i = 0; i < p->nrules; i++) {
        if (!p->rules[i]->compiled_ok)
            continue;
        if (found && strcmp(found, p->rules[i]->source) != 0)
            return NULL;
        found = p->rules[i]->source;
    }
    return found;
}
