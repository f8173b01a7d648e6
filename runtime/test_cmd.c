/* test_cmd.c: `stoop test CASES.yaml...`: rule tests as users write them
 * (docs/stoop-test.md). A cases file names the rules files to load and a
 * list of cases: events (files, directories, or events written inline in
 * the YAML) and the alerts they must give, rule by rule, with counts and
 * optionally output fields. Every case runs through the interpreter
 * (runtime/eval.h) and the event reader, exactly as `stoop run` does; the
 * report says PASS or FAIL per case and, on failure, shows the event, the
 * rule, and which part of its condition was false. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert.h"
#include "input.h"
#include "pipeline.h"
#include "stoop_commands.h"
#include "util.h"

#define MAX_EXPLAINED 3  /* events explained per expected rule that did not fire */
#define MAX_SHOWN 3      /* alerts shown per unexpected rule */
#define EXCERPT_BYTES 160

/* ---- Options and colors ---- */

struct str_vec {
    char **v;
    size_t n, cap;
};
struct cstr_vec {
    const char **v;
    size_t n, cap;
};

struct test_opts {
    struct cstr_vec files;
    const char *case_pattern; /* fnmatch pattern on case names */
    bool verbose;
    bool color;
};

static const char *c_red = "", *c_green = "", *c_yellow = "", *c_bold = "", *c_dim = "",
                  *c_reset = "";

static void set_colors(bool on)
{
    if (!on)
        return;
    c_red = "\033[31m";
    c_green = "\033[32m";
    c_yellow = "\033[33m";
    c_bold = "\033[1m";
    c_dim = "\033[2m";
    c_reset = "\033[0m";
}

static void test_usage(FILE *out)
{
    fputs("usage: stoop test [--case PATTERN] [-v] [--color|--no-color] CASES.yaml...\n"
          "\n"
          "Runs rule tests: each cases file names rules files to load and cases, each\n"
          "with events (files, directories or inline JSON/YAML) and the alerts they\n"
          "must give (rule names with counts, or none), optionally output fields.\n"
          "Prints PASS/FAIL per case; a failure shows the event, the rule and the part\n"
          "of its condition that was false. Exit status: 0 all passed, 1 a case\n"
          "failed, 2 a cases file or rules file could not be used.\n"
          "The format is described in docs/stoop-test.md.\n",
          out);
}

/* ---- The cases file ---- */

struct cases_file {
    const char *path;
    char *dir;              /* directory of the cases file, for relative paths */
    struct source_set src;  /* the cases file itself, for line numbers */
    struct diag_list diags;
    struct ynode **docs;
    size_t ndocs;
    int errors;             /* problems with the cases file (each printed) */
};

static unsigned node_line(const struct cases_file *cf, const struct ynode *n)
{
    if (!n || !span_valid(n->span))
        return 0;
    unsigned line, col;
    source_line_col(source_get(&cf->src, n->span.file), n->span.start, &line, &col);
    return line;
}

static void cf_error(struct cases_file *cf, const struct ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cf_error(struct cases_file *cf, const struct ynode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fflush(stdout);
    fprintf(stderr, "%s:%u: %serror:%s ", cf->path, node_line(cf, n), c_red, c_reset);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    cf->errors++;
}

static const char *scalar_text(const struct ynode *n)
{
    return n && n->kind == YN_SCALAR ? n->scalar.text : NULL;
}

/* Checks that a mapping has only known keys. */
static bool check_keys(struct cases_file *cf, const struct ynode *map, const char *what,
                       const char *const *known)
{
    bool ok = true;
    for (size_t i = 0; i < map->n; i++) {
        const char *k = scalar_text(map->keys[i]);
        bool found = false;
        for (size_t j = 0; k && known[j]; j++)
            found |= strcmp(known[j], k) == 0;
        if (!found) {
            const char *best = NULL;
            unsigned bestd = 3;
            for (size_t j = 0; k && known[j]; j++) {
                unsigned d = edit_distance(k, known[j], 2);
                if (d < bestd) {
                    bestd = d;
                    best = known[j];
                }
            }
            if (best)
                cf_error(cf, map->keys[i], "unknown key '%s' in %s (did you mean '%s'?)",
                         k ? k : "?", what, best);
            else
                cf_error(cf, map->keys[i], "unknown key '%s' in %s", k ? k : "?", what);
            ok = false;
        }
    }
    return ok;
}

/* Expands ${NAME} and ${NAME:-default} from the environment. */
static char *expand_env(struct cases_file *cf, const struct ynode *n, const char *s)
{
    struct strbuf sb = {0};
    sb_append(&sb, "", 0);
    while (*s) {
        if (s[0] == '$' && s[1] == '{') {
            const char *end = strchr(s + 2, '}');
            if (!end) {
                cf_error(cf, n, "unterminated ${ in '%s'", s);
                sb_free(&sb);
                return NULL;
            }
            char *inner = xstrndup(s + 2, (size_t)(end - s - 2));
            char *def = strstr(inner, ":-");
            if (def) {
                *def = '\0';
                def += 2;
            }
            const char *val = getenv(inner);
            if (!val || !*val)
                val = def;
            if (!val) {
                cf_error(cf, n,
                         "environment variable %s is not set (write ${%s:-default} to give "
                         "a default)",
                         inner, inner);
                free(inner);
                sb_free(&sb);
                return NULL;
            }
            sb_puts(&sb, val);
            free(inner);
            s = end + 1;
        } else {
            sb_putc(&sb, *s++);
        }
    }
    return sb_take(&sb);
}

/* A path of the cases file: environment expanded, relative to the file's
 * directory, shown relative to the working directory when under it. */
static char *resolve_path(struct cases_file *cf, const struct ynode *n)
{
    const char *raw = scalar_text(n);
    if (!raw || !*raw) {
        cf_error(cf, n, "expected a file path");
        return NULL;
    }
    char *exp = expand_env(cf, n, raw);
    if (!exp)
        return NULL;
    char *joined = exp[0] == '/' ? exp : xasprintf("%s/%s", cf->dir, exp);
    if (joined != exp)
        free(exp);
    char *real = realpath(joined, NULL);
    if (!real)
        return joined; /* reported when read: "no such file" with the path */
    free(joined);
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd)) {
        size_t cl = strlen(cwd);
        if (strncmp(real, cwd, cl) == 0 && real[cl] == '/') {
            char *rel = xstrdup(real + cl + 1);
            free(real);
            return rel;
        }
    }
    return real;
}

/* ---- Inline events: YAML to JSON ---- */

static bool is_json_number(const char *s)
{
    const char *p = s;
    if (*p == '-')
        p++;
    if (!isdigit((unsigned char)*p))
        return false;
    if (*p == '0' && isdigit((unsigned char)p[1]))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    return *p == '\0';
}

static void yaml_to_json(struct strbuf *sb, const struct ynode *n)
{
    switch (n ? n->kind : YN_NULL) {
    case YN_NULL:
        sb_puts(sb, "null");
        break;
    case YN_SCALAR: {
        const char *t = n->scalar.text;
        if (n->plain && (strcmp(t, "true") == 0 || strcmp(t, "false") == 0 ||
                         is_json_number(t))) {
            sb_puts(sb, t);
        } else {
            sb_putc(sb, '"');
            sb_json_escape(sb, t, n->scalar.len);
            sb_putc(sb, '"');
        }
        break;
    }
    case YN_SEQ:
        sb_putc(sb, '[');
        for (size_t i = 0; i < n->n; i++) {
            if (i)
                sb_putc(sb, ',');
            yaml_to_json(sb, n->items[i]);
        }
        sb_putc(sb, ']');
        break;
    case YN_MAP:
        sb_putc(sb, '{');
        for (size_t i = 0; i < n->n; i++) {
            if (i)
                sb_putc(sb, ',');
            const struct ynode *k = n->keys[i];
            const char *kt = k && k->kind == YN_SCALAR ? k->scalar.text : "";
            sb_putc(sb, '"');
            sb_json_escape(sb, kt, strlen(kt));
            sb_puts(sb, "\":");
            yaml_to_json(sb, n->items[i]);
        }
        sb_putc(sb, '}');
        break;
    }
}

/* ---- Loaded rules, shared by the cases that load the same files ---- */

struct loaded {
    char *key; /* the paths, one per line */
    struct program p;
    bool ok;
};

struct test_state {
    struct test_opts o;
    VEC(struct loaded *) programs;
    char *tmpdir;
    unsigned ntmp;
    size_t passed, failed;
    bool usage_error;
};

static struct loaded *load_rules(struct test_state *ts, char **paths, size_t n)
{
    struct strbuf key = {0};
    sb_append(&key, "", 0);
    for (size_t i = 0; i < n; i++)
        sb_printf(&key, "%s\n", paths[i]);
    for (size_t i = 0; i < ts->programs.n; i++) {
        if (strcmp(ts->programs.v[i]->key, key.s) == 0) {
            sb_free(&key);
            return ts->programs.v[i];
        }
    }
    struct loaded *l = xcalloc(1, sizeof *l);
    l->key = sb_take(&key);
    fflush(stdout);
    program_init(&l->p);
    l->ok = run_load_rules(&l->p, (const char *const *)paths, n) == 0;
    VEC_PUSH(ts->programs, l);
    return l;
}

/* ---- One case ---- */

struct expect {
    const char *rule;            /* name as written */
    const struct ynode *node;    /* the entry, for line numbers */
    uint64_t count;
    const struct ynode *fields;  /* output_fields mapping, or NULL */
    const struct ynode *output;  /* expected message, or NULL */
    const struct rule_def *def;  /* NULL: no such rule */
    bool in_ruleset;
    uint64_t got;
    size_t nexplained;
    struct strbuf explained;     /* why it did not fire, event by event */
};

struct alert_rec {
    const struct rule_def *rule;
    char *where;  /* event location */
    char *json;   /* the JSON alert line */
};

struct inline_src {
    char *path;  /* temporary file */
    char *shown; /* cases.yaml:LINE */
};

struct case_run {
    struct test_state *ts;
    struct cases_file *cf;
    struct ruleset *rs;
    struct alert_opts aopts;
    VEC(struct expect) expect;
    VEC(struct alert_rec) alerts;
    VEC(struct inline_src) inl;
    VEC(char *) problems;
    /* matches of the event being evaluated */
    VEC(const struct rule_def *) matched;
    const struct event *cur;
    char *cur_where;
};

/* "file:line" (plain files) or "file (byte N)", for an event. */
static char *event_where(struct case_run *cr, const struct event *ev)
{
    for (size_t i = 0; i < cr->inl.n; i++)
        if (strcmp(cr->inl.v[i].path, ev->input) == 0)
            return xasprintf("%s (inline event)", cr->inl.v[i].shown);
    FILE *f = fopen(ev->input, "rb");
    unsigned long line = 1;
    bool plain = f != NULL;
    if (f) {
        int c0 = getc(f), c1 = getc(f);
        if (c0 == 0x1f && c1 == 0x8b) {
            plain = false;
        } else {
            rewind(f);
            for (size_t off = 0; off < ev->offset; off++) {
                int c = getc(f);
                if (c == EOF)
                    break;
                if (c == '\n')
                    line++;
            }
        }
        fclose(f);
    }
    if (plain)
        return xasprintf("%s:%lu", ev->input, line);
    return xasprintf("%s (byte %zu)", ev->input, ev->offset);
}

static char *event_excerpt(const struct event *ev)
{
    size_t len;
    const char *t = json_to_text(ev->root, &len);
    if (len <= EXCERPT_BYTES)
        return xstrndup(t, len);
    size_t cut = EXCERPT_BYTES;
    while (cut > 0 && ((unsigned char)t[cut] & 0xC0) == 0x80)
        cut--;
    return xasprintf("%.*s…", (int)cut, t);
}

static void on_match(void *ctx, const struct rule_def *rule, const struct event *ev,
                     struct ruleset *rs)
{
    struct case_run *cr = ctx;
    char *buf = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&buf, &len);
    if (!mf)
        BUG("open_memstream failed");
    alert_write(mf, &cr->aopts, rs, rule, ev);
    fclose(mf);
    while (len && buf[len - 1] == '\n')
        buf[--len] = '\0';
    if (!cr->cur_where)
        cr->cur_where = event_where(cr, ev);
    struct alert_rec a = {rule, xasprintf("event #%" PRIu64 " at %s", ev->num, cr->cur_where),
                          buf};
    VEC_PUSH(cr->alerts, a);
    VEC_PUSH(cr->matched, rule);
}

static void on_problem(void *ctx, const struct input_problem *p)
{
    struct case_run *cr = ctx;
    for (size_t i = 0; i < cr->inl.n; i++) {
        if (strcmp(cr->inl.v[i].path, p->input) == 0) {
            VEC_PUSH(cr->problems, xasprintf("%s (inline event): %s", cr->inl.v[i].shown, p->msg));
            return;
        }
    }
    const char *shown = p->input;
    if (p->line)
        VEC_PUSH(cr->problems, xasprintf("%s:%" PRIu64 ": %s (byte %" PRIu64 ")", shown, p->line,
                                         p->msg, p->offset));
    else
        VEC_PUSH(cr->problems, xasprintf("%s: %s", shown, p->msg));
}

/* After an event: why each expected rule that did not fire on it did not. */
static void explain_misses(struct case_run *cr, const struct event *ev)
{
    for (size_t i = 0; i < cr->expect.n; i++) {
        struct expect *e = &cr->expect.v[i];
        if (!e->def || !e->in_ruleset || e->count == 0 || e->nexplained >= MAX_EXPLAINED)
            continue;
        bool fired = false;
        for (size_t j = 0; j < cr->matched.n; j++)
            fired |= cr->matched.v[j] == e->def;
        if (fired)
            continue;
        if (!cr->cur_where)
            cr->cur_where = event_where(cr, ev);
        char *excerpt = event_excerpt(ev);
        char *why = ruleset_explain_false(cr->rs, e->def, ev);
        sb_printf(&e->explained, "        %sevent #%" PRIu64 " at %s%s\n          %s%s%s\n",
                  c_bold, ev->num, cr->cur_where, c_reset, c_dim, excerpt, c_reset);
        if (why)
            sb_printf(&e->explained, "          false: %s%s%s\n", c_yellow, why, c_reset);
        else if (cr->matched.n)
            sb_printf(&e->explained,
                      "          the condition is true, but rule_matching: first gave the event "
                      "to the earlier rule '%s'\n",
                      cr->matched.v[0]->name);
        else
            sb_printf(&e->explained, "          the condition is true on this event\n");
        free(why);
        free(excerpt);
        e->nexplained++;
    }
}

/* Parses the `expect:` value. */
static bool parse_expect(struct case_run *cr, const struct ynode *n)
{
    struct cases_file *cf = cr->cf;
    if (!n) {
        cf_error(cf, NULL, "a case needs 'expect:' (rule names with counts, or none)");
        return false;
    }
    if (n->kind == YN_NULL)
        return true;
    if (n->kind == YN_SCALAR) {
        if (strcmp(n->scalar.text, "none") == 0)
            return true;
        struct expect e = {.rule = n->scalar.text, .node = n, .count = 1};
        VEC_PUSH(cr->expect, e);
        return true;
    }
    if (n->kind == YN_MAP) { /* {Rule name: count, ...} */
        for (size_t i = 0; i < n->n; i++) {
            const char *rule = scalar_text(n->keys[i]);
            const char *cnt = scalar_text(n->items[i]);
            char *end = NULL;
            unsigned long long c = cnt ? strtoull(cnt, &end, 10) : 0;
            if (!rule || !cnt || !*cnt || *end || cnt[0] == '-') {
                cf_error(cf, n->items[i], "expected 'Rule name: count' (a count >= 0)");
                return false;
            }
            struct expect e = {.rule = rule, .node = n->keys[i], .count = c};
            VEC_PUSH(cr->expect, e);
        }
        return true;
    }
    /* a list of rule names or {rule, count, output_fields, output} */
    static const char *const known[] = {"rule", "count", "output_fields", "output", NULL};
    for (size_t i = 0; i < n->n; i++) {
        const struct ynode *it = n->items[i];
        struct expect e = {.node = it, .count = 1};
        if (it->kind == YN_SCALAR) {
            e.rule = it->scalar.text;
        } else if (it->kind == YN_MAP) {
            if (!check_keys(cf, it, "an expected alert", known))
                return false;
            e.rule = scalar_text(ynode_get(it, "rule"));
            if (!e.rule) {
                cf_error(cf, it, "an expected alert needs 'rule: NAME'");
                return false;
            }
            const struct ynode *c = ynode_get(it, "count");
            if (c) {
                const char *ct = scalar_text(c);
                char *end = NULL;
                e.count = ct ? strtoull(ct, &end, 10) : 0;
                if (!ct || !*ct || *end || ct[0] == '-') {
                    cf_error(cf, c, "count is a number >= 0");
                    return false;
                }
            }
            e.fields = ynode_get(it, "output_fields");
            if (e.fields && e.fields->kind != YN_MAP) {
                cf_error(cf, e.fields, "output_fields is a mapping of field: value");
                return false;
            }
            e.output = ynode_get(it, "output");
            if (e.output && e.output->kind != YN_SCALAR) {
                cf_error(cf, e.output, "output is the expected message text");
                return false;
            }
        } else {
            cf_error(cf, it, "an expected alert is a rule name or {rule: NAME, count: N}");
            return false;
        }
        VEC_PUSH(cr->expect, e);
    }
    /* the same rule twice: add the counts up, keep the checks of the first */
    for (size_t i = 0; i < cr->expect.n; i++)
        for (size_t j = i + 1; j < cr->expect.n; j++)
            if (strcmp(cr->expect.v[i].rule, cr->expect.v[j].rule) == 0) {
                cf_error(cf, cr->expect.v[j].node, "rule '%s' is expected twice in this case",
                         cr->expect.v[j].rule);
                return false;
            }
    return true;
}

/* Compares an expected YAML value with a JSON value of output_fields. */
static bool value_matches(const struct ynode *want, json_ref got)
{
    enum json_kind k = json_kind(got);
    if (!want || want->kind == YN_NULL)
        return k == JSON_NULL;
    if (want->kind == YN_SEQ) {
        if (k != JSON_ARRAY || json_array_size(got) != want->n)
            return false;
        for (size_t i = 0; i < want->n; i++) {
            json_ref el;
            if (!json_array_at(got, i, &el) || !value_matches(want->items[i], el))
                return false;
        }
        return true;
    }
    if (want->kind != YN_SCALAR)
        return false;
    const char *s;
    size_t len;
    if (k == JSON_STRING) {
        json_get_string(got, &s, &len);
    } else if (k == JSON_NULL) {
        return false;
    } else {
        s = json_to_text(got, &len);
    }
    return len == want->scalar.len && memcmp(s, want->scalar.text, len) == 0;
}

static void describe_yaml(struct strbuf *sb, const struct ynode *n)
{
    if (!n || n->kind == YN_NULL) {
        sb_puts(sb, "null");
    } else if (n->kind == YN_SCALAR) {
        sb_putc(sb, '"');
        sb_json_escape(sb, n->scalar.text, n->scalar.len);
        sb_putc(sb, '"');
    } else {
        yaml_to_json(sb, n);
    }
}

/* Checks output_fields and output of one alert against an expectation;
 * appends what differs. */
static void check_alert_details(struct json_parser *jp, const struct expect *e,
                                const struct alert_rec *a, struct strbuf *why)
{
    struct json_stream *js = json_stream_open(jp, a->json, strlen(a->json));
    json_ref doc;
    size_t at;
    const char *err;
    if (json_stream_next(js, &doc, &at, &err) != JSON_NEXT_DOC) {
        sb_printf(why, "          the alert is not valid JSON: %s\n", a->json);
        json_stream_close(js);
        return;
    }
    json_ref fields = {0}, out = {0};
    bool has_fields = json_object_get(doc, "output_fields", 13, &fields);
    if (e->fields) {
        for (size_t i = 0; i < e->fields->n; i++) {
            const char *name = scalar_text(e->fields->keys[i]);
            if (!name)
                continue;
            json_ref got;
            struct strbuf w = {0};
            describe_yaml(&w, e->fields->items[i]);
            if (!has_fields || !json_object_get(fields, name, strlen(name), &got)) {
                sb_printf(why, "          output field %s: expected %s, but the output has no %%%s\n",
                          name, w.s, name);
            } else if (!value_matches(e->fields->items[i], got)) {
                size_t len;
                const char *t = json_to_text(got, &len);
                sb_printf(why, "          output field %s: expected %s, got %s%.*s%s\n", name,
                          w.s, c_yellow, (int)len, t, c_reset);
            }
            sb_free(&w);
        }
    }
    if (e->output && json_object_get(doc, "output", 6, &out)) {
        const char *s;
        size_t len;
        json_get_string(out, &s, &len);
        /* "<time>: <Priority> <message>": the message follows the priority */
        const char *prio = priority_name(a->rule->priority);
        const char *p = strstr(s, ": ");
        const char *msg = s;
        size_t plen = strlen(prio);
        if (p && strncmp(p + 2, prio, plen) == 0 && p[2 + plen] == ' ')
            msg = p + 3 + plen;
        size_t mlen = len - (size_t)(msg - s);
        if (mlen != e->output->scalar.len || memcmp(msg, e->output->scalar.text, mlen) != 0)
            sb_printf(why, "          output: expected \"%s\"\n                       got \"%s%.*s%s\"\n",
                      e->output->scalar.text, c_yellow, (int)mlen, msg, c_reset);
    }
    json_stream_close(js);
}

/* The text line of a JSON alert ("output"), for the report. */
static char *alert_text(struct json_parser *jp, const char *json)
{
    struct json_stream *js = json_stream_open(jp, json, strlen(json));
    json_ref doc, out;
    size_t at;
    const char *err;
    char *res = NULL;
    if (json_stream_next(js, &doc, &at, &err) == JSON_NEXT_DOC &&
        json_object_get(doc, "output", 6, &out)) {
        const char *s;
        size_t len;
        if (json_get_string(out, &s, &len))
            res = xstrndup(s, len);
    }
    json_stream_close(js);
    return res ? res : xstrdup(json);
}

static const char *closest_rule(const struct program *p, const char *name)
{
    const char *best = NULL;
    unsigned bestd = 6;
    for (size_t i = 0; i < p->nrules; i++) {
        unsigned d = edit_distance(name, p->rules[i]->name, 5);
        if (d < bestd) {
            bestd = d;
            best = p->rules[i]->name;
        }
    }
    return best;
}

/* Paths and inline events of `events:`, in order. */
static bool collect_events(struct case_run *cr, const struct ynode *n, struct str_vec *paths)
{
    struct cases_file *cf = cr->cf;
    if (!n) {
        cf_error(cf, NULL, "a case needs 'events:' (file paths or inline events)");
        return false;
    }
    const struct ynode *one[1] = {n};
    const struct ynode *const *items = one;
    size_t count = 1;
    if (n->kind == YN_SEQ) {
        items = (const struct ynode *const *)n->items;
        count = n->n;
    }
    for (size_t i = 0; i < count; i++) {
        const struct ynode *it = items[i];
        if (it->kind == YN_SCALAR) {
            char *p = resolve_path(cf, it);
            if (!p)
                return false;
            VEC_PUSH(*paths, p);
            continue;
        }
        if (it->kind != YN_MAP && it->kind != YN_SEQ) {
            cf_error(cf, it, "an event is a file path or an inline event (a mapping)");
            return false;
        }
        struct test_state *ts = cr->ts;
        if (!ts->tmpdir) {
            const char *base = getenv("TMPDIR");
            char *tmpl = xasprintf("%s/stoop-test-XXXXXX", base && *base ? base : "/tmp");
            if (!mkdtemp(tmpl)) {
                cf_error(cf, it, "cannot make a temporary directory: %s", strerror(errno));
                free(tmpl);
                return false;
            }
            ts->tmpdir = tmpl;
        }
        char *path = xasprintf("%s/inline-%u.json", ts->tmpdir, ++ts->ntmp);
        FILE *f = fopen(path, "w");
        if (!f) {
            cf_error(cf, it, "cannot write %s: %s", path, strerror(errno));
            free(path);
            return false;
        }
        struct strbuf sb = {0};
        yaml_to_json(&sb, it);
        sb_putc(&sb, '\n');
        fwrite(sb.s, 1, sb.len, f);
        fclose(f);
        sb_free(&sb);
        struct inline_src s = {path, xasprintf("%s:%u", cf->path, node_line(cf, it))};
        VEC_PUSH(cr->inl, s);
        VEC_PUSH(*paths, xstrdup(path));
    }
    return true;
}

static bool parse_count(struct cases_file *cf, const struct ynode *n, uint64_t *out)
{
    const char *t = scalar_text(n);
    char *end = NULL;
    if (!t || !*t || t[0] == '-' || (*out = strtoull(t, &end, 10), *end)) {
        cf_error(cf, n, "expected a count (a number >= 0)");
        return false;
    }
    return true;
}

/* Options that a case may set and that otherwise come from the file. */
struct case_settings {
    const struct ynode *rules, *extra_rules, *source, *rule_matching, *min_priority,
        *disable_rules, *enable_tags;
};

static void settings_from(struct case_settings *s, const struct ynode *map, bool top)
{
    const struct ynode *v;
    if ((v = ynode_get(map, "rules")))
        s->rules = v;
    if (!top && (v = ynode_get(map, "extra_rules")))
        s->extra_rules = v;
    if ((v = ynode_get(map, "source")))
        s->source = v;
    if ((v = ynode_get(map, "rule_matching")))
        s->rule_matching = v;
    if ((v = ynode_get(map, "min_priority")))
        s->min_priority = v;
    if ((v = ynode_get(map, "disable_rules")))
        s->disable_rules = v;
    if ((v = ynode_get(map, "enable_tags")))
        s->enable_tags = v;
}

/* A scalar or a list of scalars. */
static bool string_list(struct cases_file *cf, const struct ynode *n, struct cstr_vec *out)
{
    if (!n)
        return true;
    if (n->kind == YN_SCALAR) {
        VEC_PUSH(*out, n->scalar.text);
        return true;
    }
    if (n->kind != YN_SEQ) {
        cf_error(cf, n, "expected a name or a list of names");
        return false;
    }
    for (size_t i = 0; i < n->n; i++) {
        if (n->items[i]->kind != YN_SCALAR) {
            cf_error(cf, n->items[i], "expected a name");
            return false;
        }
        VEC_PUSH(*out, n->items[i]->scalar.text);
    }
    return true;
}

static bool rule_paths(struct cases_file *cf, const struct ynode *n, struct str_vec *out)
{
    if (!n)
        return true;
    if (n->kind == YN_SCALAR) {
        char *p = resolve_path(cf, n);
        if (!p)
            return false;
        VEC_PUSH(*out, p);
        return true;
    }
    if (n->kind != YN_SEQ) {
        cf_error(cf, n, "rules is a path or a list of paths");
        return false;
    }
    for (size_t i = 0; i < n->n; i++)
        if (!rule_paths(cf, n->items[i], out))
            return false;
    return true;
}

static void case_run_free(struct case_run *cr)
{
    for (size_t i = 0; i < cr->expect.n; i++)
        sb_free(&cr->expect.v[i].explained);
    VEC_FREE(cr->expect);
    for (size_t i = 0; i < cr->alerts.n; i++) {
        free(cr->alerts.v[i].where);
        free(cr->alerts.v[i].json);
    }
    VEC_FREE(cr->alerts);
    for (size_t i = 0; i < cr->inl.n; i++) {
        unlink(cr->inl.v[i].path);
        free(cr->inl.v[i].path);
        free(cr->inl.v[i].shown);
    }
    VEC_FREE(cr->inl);
    for (size_t i = 0; i < cr->problems.n; i++)
        free(cr->problems.v[i]);
    VEC_FREE(cr->problems);
    VEC_FREE(cr->matched);
    free(cr->cur_where);
    if (cr->rs)
        ruleset_free(cr->rs);
}

static const char *plural(uint64_t n)
{
    return n == 1 ? "" : "s";
}

/* Runs one case; prints its report. Returns true if it passed. */
static bool run_case(struct test_state *ts, struct cases_file *cf, const struct ynode *c,
                     const struct case_settings *top, const char *name)
{
    static const char *const known[] = {
        "name",          "events",       "expect",        "malformed",   "rules",
        "extra_rules",   "source",       "rule_matching", "min_priority", "disable_rules",
        "enable_tags",   "description",  NULL};
    struct case_run cr = {.ts = ts, .cf = cf};
    struct strbuf report = {0};
    sb_append(&report, "", 0);
    bool pass = true, setup_ok = true;
    unsigned line = node_line(cf, c);
    struct case_settings s = *top;
    struct str_vec rpaths = {0}, epaths = {0};
    struct cstr_vec disable = {0}, tags = {0};
    uint64_t want_malformed = 0, events = 0;
    struct event_reader *er = NULL;
    struct json_parser *jp = NULL;

    if (!check_keys(cf, c, "a case", known)) {
        setup_ok = false;
        goto report;
    }
    settings_from(&s, c, false);
    if (!s.rules) {
        cf_error(cf, c, "no rules to load: give 'rules:' at the top of the file or in the case");
        setup_ok = false;
        goto report;
    }
    if (!rule_paths(cf, s.rules, &rpaths) || !rule_paths(cf, s.extra_rules, &rpaths) ||
        !string_list(cf, s.disable_rules, &disable) ||
        !string_list(cf, s.enable_tags, &tags)) {
        setup_ok = false;
        goto report;
    }
    const struct ynode *mal = ynode_get(c, "malformed");
    if (mal && !parse_count(cf, mal, &want_malformed)) {
        setup_ok = false;
        goto report;
    }
    enum rule_matching mode = MATCH_FIRST;
    if (s.rule_matching) {
        const char *m = scalar_text(s.rule_matching);
        if (m && strcmp(m, "all") == 0)
            mode = MATCH_ALL;
        else if (!m || strcmp(m, "first") != 0) {
            cf_error(cf, s.rule_matching, "rule_matching is first or all");
            setup_ok = false;
            goto report;
        }
    }
    enum priority minp = PRIO_DEBUG;
    if (s.min_priority && !priority_parse(scalar_text(s.min_priority) ? scalar_text(s.min_priority) : "", &minp)) {
        cf_error(cf, s.min_priority, "unknown priority '%s'", scalar_text(s.min_priority) ? scalar_text(s.min_priority) : "");
        setup_ok = false;
        goto report;
    }
    if (!parse_expect(&cr, ynode_get(c, "expect")) || !collect_events(&cr, ynode_get(c, "events"), &epaths)) {
        setup_ok = false;
        goto report;
    }

    struct loaded *l = load_rules(ts, rpaths.v, rpaths.n);
    if (!l->ok) {
        sb_printf(&report, "      the rules did not load (the errors are above)\n");
        pass = false;
        goto report;
    }
    const char *source = s.source ? scalar_text(s.source) : program_only_source(&l->p);
    const struct source_plugin *sp = source ? source_plugin_find(source) : NULL;
    if (!sp) {
        if (source)
            cf_error(cf, s.source, "no source '%s' (k8s_audit, aws_cloudtrail, github, okta, json)",
                     source);
        else
            cf_error(cf, c, "the rules use several sources: say which with 'source:'");
        setup_ok = false;
        goto report;
    }
    struct rule_selection sel = {.min_priority = minp,
                                 .disable_patterns = disable.v,
                                 .ndisable = disable.n,
                                 .enable_tags = tags.v,
                                 .nenable_tags = tags.n};
    cr.rs = ruleset_new(&l->p, sp->name, &sel);
    cr.aopts = (struct alert_opts){.json = true, .hostname = run_hostname()};
    for (size_t i = 0; i < cr.expect.n; i++) {
        struct expect *e = &cr.expect.v[i];
        e->def = program_find_rule(&l->p, e->rule);
        for (size_t j = 0; e->def && j < ruleset_size(cr.rs); j++)
            e->in_ruleset |= ruleset_rule(cr.rs, j) == e->def;
    }

    struct input_opts iopts = {.report = on_problem, .report_ctx = &cr};
    er = event_reader_open(sp, (const char *const *)epaths.v, epaths.n, &iopts, cr.aopts.hostname);
    struct event ev;
    while (event_reader_next(er, &ev)) {
        events++;
        cr.matched.n = 0;
        free(cr.cur_where);
        cr.cur_where = NULL;
        cr.cur = &ev;
        ruleset_eval(cr.rs, &ev, mode, on_match, &cr);
        explain_misses(&cr, &ev);
    }

    /* ---- compare ---- */
    jp = json_parser_new((size_t)64 << 20);
    for (size_t i = 0; i < cr.alerts.n; i++)
        for (size_t j = 0; j < cr.expect.n; j++)
            if (cr.alerts.v[i].rule == cr.expect.v[j].def)
                cr.expect.v[j].got++;
    for (size_t i = 0; i < cr.expect.n; i++) {
        struct expect *e = &cr.expect.v[i];
        if (!e->def) {
            const char *best = closest_rule(&l->p, e->rule);
            sb_printf(&report, "      %sno rule '%s'%s in the loaded rules", c_red, e->rule, c_reset);
            if (best)
                sb_printf(&report, " (did you mean '%s'?)", best);
            sb_printf(&report, "  [%s:%u]\n", cf->path, node_line(cf, e->node));
            pass = false;
            continue;
        }
        if (e->got != e->count) {
            pass = false;
            sb_printf(&report, "      %sexpected '%s' ×%" PRIu64 ", got ×%" PRIu64 "%s", c_red,
                      e->rule, e->count, e->got, c_reset);
            const struct source_file *rf = span_valid(e->def->name_span)
                                               ? source_get(&l->p.src, e->def->name_span.file)
                                               : NULL;
            if (rf) {
                unsigned rl, rc;
                source_line_col(rf, e->def->name_span.start, &rl, &rc);
                sb_printf(&report, "  %s(rule at %s:%u)%s", c_dim, rf->path, rl, c_reset);
            }
            sb_putc(&report, '\n');
            if (!e->in_ruleset) {
                const char *why = strcmp(e->def->source, sp->name) != 0
                                      ? "it is a rule of another source"
                                  : !e->def->compiled_ok ? "it did not compile"
                                  : e->def->priority > minp ? "its priority is below min_priority"
                                                            : "it is disabled (enabled: false, or "
                                                              "disable_rules)";
                sb_printf(&report, "        the rule never ran: %s\n", why);
            } else if (e->got < e->count) {
                sb_puts(&report, e->explained.s ? e->explained.s : "");
                if (events == 0)
                    sb_puts(&report, "        no events were read\n");
            } else {
                size_t shown = 0;
                for (size_t j = 0; j < cr.alerts.n && shown < MAX_SHOWN; j++) {
                    if (cr.alerts.v[j].rule != e->def)
                        continue;
                    sb_printf(&report, "        fired on %s\n", cr.alerts.v[j].where);
                    shown++;
                }
            }
        }
        if (e->fields || e->output) {
            for (size_t j = 0; j < cr.alerts.n; j++) {
                if (cr.alerts.v[j].rule != e->def)
                    continue;
                struct strbuf why = {0};
                check_alert_details(jp, e, &cr.alerts.v[j], &why);
                if (why.len) {
                    pass = false;
                    sb_printf(&report, "      %salert of '%s' differs%s on %s:\n%s", c_red,
                              e->rule, c_reset, cr.alerts.v[j].where, why.s);
                }
                sb_free(&why);
            }
        }
    }
    /* alerts of rules that were not expected */
    for (size_t i = 0; i < cr.alerts.n; i++) {
        const struct rule_def *r = cr.alerts.v[i].rule;
        bool expected = false, seen = false;
        for (size_t j = 0; j < cr.expect.n; j++)
            expected |= cr.expect.v[j].def == r && cr.expect.v[j].count > 0;
        for (size_t j = 0; j < i; j++)
            seen |= cr.alerts.v[j].rule == r;
        if (expected || seen)
            continue;
        uint64_t n = 0;
        for (size_t j = i; j < cr.alerts.n; j++)
            n += cr.alerts.v[j].rule == r;
        pass = false;
        sb_printf(&report, "      %sunexpected alert%s of '%s'%s (%s) ×%" PRIu64 "\n", c_red,
                  plural(n), r->name, c_reset, priority_name(r->priority), n);
        size_t shown = 0;
        for (size_t j = i; j < cr.alerts.n && shown < MAX_SHOWN; j++) {
            if (cr.alerts.v[j].rule != r)
                continue;
            char *text = alert_text(jp, cr.alerts.v[j].json);
            sb_printf(&report, "        %s%s%s\n          %s\n", c_bold, cr.alerts.v[j].where,
                      c_reset, text);
            free(text);
            shown++;
        }
        if (n > shown)
            sb_printf(&report, "        (and %" PRIu64 " more)\n", n - shown);
    }
    if (cr.problems.n != want_malformed) {
        pass = false;
        sb_printf(&report, "      %s%zu input problem%s reported, %" PRIu64 " expected%s%s\n", c_red,
                  cr.problems.n, plural(cr.problems.n), want_malformed, c_reset,
                  want_malformed ? "" : " (say 'malformed: N' if the events are bad on purpose)");
        for (size_t i = 0; i < cr.problems.n; i++)
            sb_printf(&report, "        %s\n", cr.problems.v[i]);
    }
    if (events == 0 && cr.problems.n == 0) {
        pass = false;
        sb_printf(&report, "      %sno events were read%s: the case tests nothing\n", c_red, c_reset);
    }

report:
    if (!setup_ok) {
        pass = false;
        sb_printf(&report, "      the case could not be run (see the error above)\n");
    }
    if (pass) {
        ts->passed++;
        printf("%sPASS%s  %s  %s(%" PRIu64 " event%s, %zu alert%s)%s\n", c_green, c_reset, name,
               c_dim, events, plural(events), cr.alerts.n, plural(cr.alerts.n), c_reset);
        if (ts->o.verbose) {
            for (size_t i = 0; i < cr.alerts.n; i++) {
                if (!jp)
                    break;
                char *text = alert_text(jp, cr.alerts.v[i].json);
                printf("        %s\n", text);
                free(text);
            }
            for (size_t i = 0; i < cr.problems.n; i++)
                printf("        (malformed, as expected) %s\n", cr.problems.v[i]);
        }
    } else {
        ts->failed++;
        printf("%sFAIL%s  %s%s%s  %s(%s:%u)%s\n%s", c_red, c_reset, c_bold, name, c_reset, c_dim,
               cf->path, line, c_reset, report.s);
    }
    fflush(stdout);
    sb_free(&report);
    if (er)
        event_reader_close(er);
    if (jp)
        json_parser_free(jp);
    for (size_t i = 0; i < rpaths.n; i++)
        free(rpaths.v[i]);
    VEC_FREE(rpaths);
    for (size_t i = 0; i < epaths.n; i++)
        free(epaths.v[i]);
    VEC_FREE(epaths);
    VEC_FREE(disable);
    VEC_FREE(tags);
    case_run_free(&cr);
    return pass;
}

/* Runs every case of one file. Returns false if the file could not be used. */
static bool run_file(struct test_state *ts, const char *path)
{
    struct cases_file cf = {.path = path};
    char *text;
    size_t len;
    if (!(text = read_file(path, &len))) {
        fprintf(stderr, "stoop test: cannot read '%s': %s\n", path, strerror(errno));
        return false;
    }
    char *slash = strrchr(path, '/');
    cf.dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
    if (slash && slash == path)
        cf.dir[0] = '/', cf.dir[1] = '\0';
    uint32_t fid = source_add(&cf.src, path, text, len);
    cf.docs = yaml_read(&cf.src, fid, &cf.diags, &cf.ndocs);
    bool ok = true, ran = false;
    const struct ynode *root = cf.docs && cf.ndocs ? cf.docs[0] : NULL;
    if (!cf.docs) {
        fflush(stdout);
        struct diag_render_opts ro = {DIAG_FMT_TEXT, false};
        diag_render(stderr, &cf.diags, &cf.src, &ro);
        ok = false;
        goto done;
    }
    if (cf.ndocs != 1 || !root || root->kind != YN_MAP) {
        cf_error(&cf, root,
                 "a cases file is one YAML mapping with 'rules:' and 'cases:' (see "
                 "docs/stoop-test.md)");
        ok = false;
        goto done;
    }
    static const char *const known[] = {"rules",        "source",        "rule_matching",
                                        "min_priority", "disable_rules", "enable_tags",
                                        "cases",        "description",   NULL};
    if (!check_keys(&cf, root, "the cases file", known)) {
        ok = false;
        goto done;
    }
    const struct ynode *cases = ynode_get(root, "cases");
    if (!cases || cases->kind != YN_SEQ || cases->n == 0) {
        cf_error(&cf, cases ? cases : root, "'cases:' is a list of cases");
        ok = false;
        goto done;
    }
    struct case_settings top = {0};
    settings_from(&top, root, true);
    printf("%s%s%s\n", c_bold, path, c_reset);
    ran = true;
    size_t before_fail = ts->failed, before_pass = ts->passed;
    for (size_t i = 0; i < cases->n; i++) {
        const struct ynode *c = cases->items[i];
        if (c->kind != YN_MAP) {
            cf_error(&cf, c, "a case is a mapping (name, events, expect)");
            ts->failed++;
            continue;
        }
        const char *name = scalar_text(ynode_get(c, "name"));
        char fallback[32];
        if (!name) {
            snprintf(fallback, sizeof fallback, "case %zu", i + 1);
            name = fallback;
        }
        if (ts->o.case_pattern && fnmatch(ts->o.case_pattern, name, 0) != 0)
            continue;
        run_case(ts, &cf, c, &top, name);
    }
    size_t p = ts->passed - before_pass, f = ts->failed - before_fail;
    printf("%s: %zu passed, %zu failed\n\n", path, p, f);
done:
    if (cf.errors)
        ok = false;
    if (!ran) {
        fflush(stderr);
        printf("%s: %scould not be used%s (the errors are above)\n\n", path, c_red, c_reset);
    }
    for (size_t i = 0; cf.docs && i < cf.ndocs; i++)
        ynode_free(cf.docs[i]);
    free(cf.docs);
    diag_list_free(&cf.diags);
    source_set_free(&cf.src);
    free(cf.dir);
    return ok;
}

int cmd_test(int argc, char **argv)
{
    struct test_state ts = {0};
    int color = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            test_usage(stdout);
            return 0;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            ts.o.verbose = true;
        } else if (strcmp(a, "--color") == 0) {
            color = 1;
        } else if (strcmp(a, "--no-color") == 0) {
            color = 0;
        } else if ((strcmp(a, "--case") == 0 || strcmp(a, "-k") == 0) && i + 1 < argc) {
            ts.o.case_pattern = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "stoop test: unknown or incomplete option '%s'\n\n", a);
            test_usage(stderr);
            VEC_FREE(ts.o.files);
            return 2;
        } else {
            VEC_PUSH(ts.o.files, a);
        }
    }
    if (ts.o.files.n == 0) {
        test_usage(stderr);
        return 2;
    }
    if (color < 0)
        color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    set_colors(color == 1);

    bool files_ok = true;
    for (size_t i = 0; i < ts.o.files.n; i++)
        files_ok &= run_file(&ts, ts.o.files.v[i]);

    if (ts.o.files.n > 1)
        printf("%s%zu passed, %zu failed%s\n", ts.failed || !files_ok ? c_red : c_green, ts.passed,
               ts.failed, c_reset);
    for (size_t i = 0; i < ts.programs.n; i++) {
        program_free(&ts.programs.v[i]->p);
        free(ts.programs.v[i]->key);
        free(ts.programs.v[i]);
    }
    VEC_FREE(ts.programs);
    if (ts.tmpdir) {
        rmdir(ts.tmpdir);
        free(ts.tmpdir);
    }
    VEC_FREE(ts.o.files);
    if (!files_ok)
        return 2;
    return ts.failed ? 1 : 0;
}
