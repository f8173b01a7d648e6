/* pipeline.c: the passes after collection, in order, written out in one
 * place (compile_program), and the per-file driver. */
#include "pipeline.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "passes.h"
#include "schema.h"

void rule_compile_results_free(struct rule_def *r)
{
    mtext_free(&r->full_cond);
    if (r->ast)
        expr_free(r->ast);
    r->ast = NULL;
    output_format_free(&r->output_fmt);
    memset(&r->output_fmt, 0, sizeof r->output_fmt);
    free(r->evttypes);
    r->evttypes = NULL;
    r->nevttypes = 0;
    r->evttypes_all = false;
    for (size_t i = 0; i < r->nmacros_used; i++)
        free(r->macros_used[i]);
    for (size_t i = 0; i < r->nlists_used; i++)
        free(r->lists_used[i]);
    free(r->macros_used);
    free(r->lists_used);
    r->macros_used = r->lists_used = NULL;
    r->nmacros_used = r->nlists_used = 0;
    r->compiled_ok = r->dropped = false;
    r->schema = NULL;
}

static void macro_compile_free(struct macro_def *m)
{
    if (m->ast)
        expr_free(m->ast);
    m->ast = NULL;
    m->checked = m->resolved = m->resolving = false;
    m->used = false;
}

static void collect_macro_names(struct name_set *out, const struct expr *e)
{
    switch (e->kind) {
    case EXPR_AND:
    case EXPR_OR:
        for (size_t i = 0; i < e->u.nary.n; i++)
            collect_macro_names(out, e->u.nary.v[i]);
        break;
    case EXPR_NOT:
        collect_macro_names(out, e->u.child);
        break;
    case EXPR_MACRO_REF:
        name_set_add(out, e->u.macro.name);
        if (e->u.macro.body)
            collect_macro_names(out, e->u.macro.body);
        break;
    case EXPR_CHECK:
        break;
    }
}

/* Compiles one rule. The lists it uses are those substituted in its own
 * text or in the text of a macro it uses. */
static void compile_rule(struct compile_ctx *cc, struct rule_def *r)
{
    struct program *p = cc->p;
    cc->rule = r;
    /* Falco has no `json` event source (its json plugin only extracts);
     * stoop has one, for any JSON log, so such rules compile here. */
    r->schema = schema_source(r->source);
    if (!r->schema) {
        struct diag *d = diag_add(cc->dl, LOAD_UNKNOWN_SOURCE, r->source_span.file != SPAN_NO_FILE
                                                                    ? r->source_span
                                                                    : r->name_span,
                                  "Unknown source %s, skipping", r->source);
        size_t n;
        const struct source_schema *const *all = schema_sources(&n);
        const char **names = xmalloc(n * sizeof *names);
        for (size_t i = 0; i < n; i++)
            names[i] = all[i]->name;
        diag_did_you_mean(d, r->source, names, n);
        free(names);
        diag_item(d, r->name);
        return;
    }
    bool ok = exceptions_validate(p, r);
    ok &= check_exception_fields(cc, r);
    r->full_cond = exceptions_desugar(r);
    char *owner = xasprintf("rule '%s'", r->name);
    struct name_set lists = {0};
    lists_substitute(cc, &r->full_cond, owner, &lists);
    free(owner);
    if (ok) {
        struct diag_list tmp = {0};
        r->ast = cond_parse(&r->full_cond, &tmp);
        for (size_t i = 0; i < tmp.n; i++) {
            struct diag *d = diag_add(cc->dl, tmp.v[i].code, tmp.v[i].primary, "%s",
                                      tmp.v[i].message);
            for (unsigned k = 0; k < tmp.v[i].nhints; k++)
                diag_hint(d, "%s", tmp.v[i].hints[k]);
            diag_context(d, "in the condition of rule '%s'", r->name);
            diag_item(d, r->name);
        }
        diag_list_free(&tmp);
    }
    if (r->ast) {
        /* Type-check even when a macro is undefined: the checker skips
         * unresolved references, so the rule's other errors show too. */
        bool resolved = macros_resolve_rule(cc, r);
        struct name_set macros = {0};
        collect_macro_names(&macros, r->ast);
        r->macros_used = macros.v;
        r->nmacros_used = macros.n;
        for (size_t i = 0; i < r->nmacros_used; i++) {
            struct name_set *ml = strmap_get(&cc->macro_lists, r->macros_used[i]);
            for (size_t k = 0; ml && k < ml->n; k++)
                name_set_add(&lists, ml->v[k]);
        }
        ok &= check_rule_condition(cc, r) && resolved;
        if (ok)
            infer_evttypes(cc, r);
    } else {
        ok = false;
    }
    ok &= check_rule_output(cc, r);
    r->lists_used = lists.v;
    r->nlists_used = lists.n;
    r->compiled_ok = ok && !r->dropped;
    cc->rule = NULL;
}

static void compile_macro(struct compile_ctx *cc, struct macro_def *m)
{
    struct mapped_text text = mtext_clone(&m->cond);
    char *owner = xasprintf("macro '%s'", m->name);
    struct name_set *lists = xcalloc(1, sizeof *lists);
    lists_substitute(cc, &text, owner, lists);
    strmap_put(&cc->macro_lists, m->name, lists);
    free(owner);
    struct diag_list tmp = {0};
    m->ast = cond_parse(&text, &tmp);
    for (size_t i = 0; i < tmp.n; i++) {
        struct diag *d = diag_add(cc->dl, tmp.v[i].code, tmp.v[i].primary, "%s", tmp.v[i].message);
        for (unsigned k = 0; k < tmp.v[i].nhints; k++)
            diag_hint(d, "%s", tmp.v[i].hints[k]);
        diag_context(d, "in the condition of macro '%s'", m->name);
        diag_item(d, m->name);
    }
    diag_list_free(&tmp);
    mtext_free(&text);
}

static bool semver_parse(const char *s, unsigned v[3])
{
    char *end;
    for (int i = 0; i < 3; i++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned long x = strtoul(s, &end, 10);
        v[i] = (unsigned)x;
        s = end;
        if (i < 2) {
            if (*s != '.')
                return false;
            s++;
        }
    }
    return *s == '\0' || *s == '-' || *s == '+';
}

/* required_plugin_versions (1.3), checked against stoop's built-in
 * stand-ins after all files are loaded, as Falco's app does. */
static void check_plugin_requirements(struct program *p, struct diag_list *dl)
{
    for (size_t g = 0; g < p->nplugin_reqs; g++) {
        const struct plugin_req_group *grp = &p->plugin_reqs[g];
        bool satisfied = false, judged = false;
        for (size_t i = 0; i < grp->n && !judged; i++) {
            const struct plugin_req *req = &grp->alts[i];
            const struct builtin_plugin *bp = schema_builtin_plugin(req->name);
            if (!bp)
                continue;
            judged = true;
            unsigned have[3], want[3];
            if (semver_parse(bp->version, have) && semver_parse(req->version, want) &&
                have[0] == want[0] &&
                (have[1] > want[1] || (have[1] == want[1] && have[2] >= want[2]))) {
                satisfied = true;
            } else {
                struct diag *d = diag_add(dl, LOAD_ERR_VALIDATE, req->span,
                                          "Plugin '%s' version '%s' is not compatible with "
                                          "required plugin version '%s'",
                                          req->name, bp->version, req->version);
                diag_hint(d, "stoop provides the fields of '%s' %s built in", req->name,
                          bp->version);
            }
        }
        if (!judged && grp->n) {
            struct strbuf sb = {0};
            for (size_t i = 0; i < grp->n; i++)
                sb_printf(&sb, "%s%s (>= %s)", i ? ", " : "", grp->alts[i].name,
                          grp->alts[i].version);
            struct diag *d = diag_add(dl, LOAD_ERR_VALIDATE, grp->alts[0].span,
                                      "Plugin requirement not satisfied, must load one of: %s",
                                      sb.s);
            diag_hint(d, "stoop has built-in sources for k8saudit (and -eks, -gke, -aks, -ovh), "
                         "cloudtrail, github, okta, json and container; other plugins are not "
                         "supported");
            sb_free(&sb);
        }
        (void)satisfied;
    }
}

static void compile_into(struct program *p, struct diag_list *dl, bool final)
{
    struct compile_ctx cc = {.p = p, .dl = dl};
    for (size_t i = 0; i < p->nlists; i++)
        p->lists[i]->used = false;
    lists_expand(&cc);
    for (size_t i = 0; i < p->nmacros; i++) {
        macro_compile_free(p->macros[i]);
        strmap_put(&cc.macro_by_name, p->macros[i]->name, p->macros[i]);
    }
    for (size_t i = 0; i < p->nmacros; i++)
        compile_macro(&cc, p->macros[i]);
    for (size_t i = 0; i < p->nmacros; i++)
        macros_resolve_macro(&cc, p->macros[i]);
    for (size_t i = 0; i < p->nrules; i++) {
        rule_compile_results_free(p->rules[i]);
        compile_rule(&cc, p->rules[i]);
    }
    /* Falco reports unused items only when the compile succeeded: after an
     * error, macros named in the broken condition would look unused. */
    if (dl->nerrors == 0 && p->diags.nerrors == 0) {
        for (size_t i = 0; i < p->nmacros; i++) {
            struct macro_def *m = p->macros[i];
            if (!m->used) {
                struct diag *d = diag_add(dl, LOAD_UNUSED_MACRO, m->name_span,
                                          "Macro not referred to by any other rule/macro");
                diag_item(d, m->name);
            }
        }
        for (size_t i = 0; i < p->nlists; i++) {
            struct list_def *l = p->lists[i];
            if (!l->used) {
                struct diag *d = diag_add(dl, LOAD_UNUSED_LIST, l->name_span,
                                          "List not referred to by any other rule/macro");
                diag_item(d, l->name);
            }
        }
    }
    if (final)
        check_plugin_requirements(p, dl);
    lists_expansion_free(&cc);
    strmap_free(&cc.macro_by_name);
    for (size_t i = 0; i < p->nmacros; i++) {
        struct name_set *ml = strmap_get(&cc.macro_lists, p->macros[i]->name);
        if (ml) {
            name_set_free(ml);
            free(ml);
            strmap_put(&cc.macro_lists, p->macros[i]->name, NULL);
        }
    }
    strmap_free(&cc.macro_lists);
}

void compile_program(struct program *p)
{
    compile_into(p, &p->diags, true);
}

/* Like Falco's per-file load results, each file's compile reports what it
 * finds (an item unused after the first file is reported even if a later
 * file uses it, as Falco does); nothing is reported twice. */
struct seen_diags {
    struct strmap keys;
};

static void merge_diags(struct program *p, struct diag_list *from, struct seen_diags *seen)
{
    for (size_t i = 0; i < from->n; i++) {
        struct diag *d = &from->v[i];
        char *key = xasprintf("%d|%u|%u|%u|%s", (int)d->code, d->primary.file, d->primary.start,
                              d->primary.end, d->message);
        bool dup = strmap_get(&seen->keys, key) != NULL;
        if (!dup)
            strmap_put(&seen->keys, key, (void *)1);
        free(key);
        if (dup)
            continue;
        if (p->diags.n == p->diags.cap) {
            p->diags.cap = p->diags.cap ? 2 * p->diags.cap : 16;
            p->diags.v = xrealloc(p->diags.v, p->diags.cap * sizeof *p->diags.v);
        }
        p->diags.v[p->diags.n++] = *d;
        if (d->severity == SEV_ERROR)
            p->diags.nerrors++;
        else if (d->severity == SEV_WARNING)
            p->diags.nwarnings++;
        memset(d, 0, sizeof *d); /* ownership moved */
    }
    diag_list_free(from);
}

static void load_file_ids(struct program *p, const uint32_t *ids, size_t n)
{
    struct seen_diags seen = {0};
    for (size_t i = 0; i < n; i++) {
        if (ids[i] == UINT32_MAX)
            continue;
        collect_file(p, ids[i]);
        struct diag_list dl = {0};
        bool last = true;
        for (size_t k = i + 1; k < n; k++)
            if (ids[k] != UINT32_MAX)
                last = false;
        compile_into(p, &dl, last);
        merge_diags(p, &dl, &seen);
    }
    strmap_free(&seen.keys);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory stands for its regular files in name order, as Falco loads a
 * rules_files directory. Returns a NULL-terminated list the caller frees. */
static char **expand_paths(const char *const *paths, size_t npaths, size_t *nout)
{
    struct { char **v; size_t n, cap; } out = {0};
    for (size_t i = 0; i < npaths; i++) {
        struct stat sb;
        DIR *dir = stat(paths[i], &sb) == 0 && S_ISDIR(sb.st_mode) ? opendir(paths[i]) : NULL;
        if (!dir) {
            VEC_PUSH(out, xstrdup(paths[i]));
            continue;
        }
        size_t first = out.n;
        struct dirent *de;
        while ((de = readdir(dir)) != NULL) {
            char *full = xasprintf("%s/%s", paths[i], de->d_name);
            if (de->d_name[0] != '.' && stat(full, &sb) == 0 && S_ISREG(sb.st_mode))
                VEC_PUSH(out, full);
            else
                free(full);
        }
        closedir(dir);
        qsort(out.v + first, out.n - first, sizeof *out.v, compare_names);
    }
    *nout = out.n;
    return out.v;
}

bool pipeline_load(struct program *p, const char *const *given, size_t ngiven)
{
    size_t npaths;
    char **paths = expand_paths(given, ngiven, &npaths);
    bool all_read = true;
    uint32_t *ids = xmalloc((npaths ? npaths : 1) * sizeof *ids);
    for (size_t i = 0; i < npaths; i++) {
        size_t len;
        char *text = read_file(paths[i], &len);
        if (!text) {
            diag_add(&p->diags, LOAD_ERR_FILE_READ, span_none(), "could not read '%s': %s",
                     paths[i], strerror(errno));
            ids[i] = UINT32_MAX;
            all_read = false;
            continue;
        }
        ids[i] = source_add(&p->src, paths[i], text, len);
    }
    load_file_ids(p, ids, npaths);
    free(ids);
    for (size_t i = 0; i < npaths; i++)
        free(paths[i]);
    free(paths);
    return all_read;
}

void pipeline_load_buffers(struct program *p, const char *const *names, const char *const *data,
                           const size_t *lens, size_t n)
{
    uint32_t *ids = xmalloc((n ? n : 1) * sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = source_add(&p->src, names[i], xstrndup(data[i], lens[i]), lens[i]);
    load_file_ids(p, ids, n);
    free(ids);
}
