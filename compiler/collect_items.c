/* collect_items.c: applies the items of one rules file to the program with
 * Falco 0.44's semantics (falco-language.md 1): document shape, item kinds,
 * decode_val rules, required engine/plugin versions, lists, macros, rules
 * with define / legacy append / override / enabled-only, exceptions, and
 * the global index/visibility counter.
 *
 * Unlike Falco, which stops at the first error of a file, every problem is
 * recorded and the broken item is skipped, so one run shows all of them. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"
#include "util.h"

#define ERROR_OVERRIDE_APPEND                                                                      \
    "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. "    \
    "'condition: append') under 'override' instead."
#define WARNING_APPEND                                                                             \
    "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under "         \
    "'override' instead."
#define WARNING_ENABLED                                                                            \
    "The standalone 'enabled' key usage is deprecated. The correct approach requires also a "     \
    "'replace' entry under the 'override' key (i.e. 'enabled: replace')."
#define ERROR_NO_PREVIOUS_MACRO                                                                    \
    "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists"
#define ERROR_NO_PREVIOUS_LIST                                                                     \
    "List uses 'append' or 'override.items: append' but no list by that name already exists"
#define ERROR_NO_PREVIOUS_RULE_APPEND                                                              \
    "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists"
#define ERROR_NO_PREVIOUS_RULE_REPLACE                                                             \
    "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists"

/* ---- context and diagnostics ---- */

struct cx {
    struct program *p;
    struct diag_list *dl;
    uint32_t file;
    const struct ynode *item;     /* the item mapping */
    const struct ynode *kind_key; /* its `rule:`/`macro:`/... key */
    const char *name;             /* item name once decoded */
};

static struct diag *vreport(struct cx *c, enum diag_code code, struct span sp, const char *fmt,
                            va_list ap)
{
    char *msg = xvasprintf(fmt, ap);
    if (!span_valid(sp))
        sp = c->kind_key ? c->kind_key->span : c->item ? c->item->span : span_none();
    struct diag *d = diag_add(c->dl, code, sp, "%s", msg);
    free(msg);
    if (c->name)
        diag_item(d, c->name);
    return d;
}

static struct diag *report(struct cx *c, enum diag_code code, struct span sp, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static struct diag *report(struct cx *c, enum diag_code code, struct span sp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct diag *d = vreport(c, code, sp, fmt, ap);
    va_end(ap);
    return d;
}

/* ---- YAML helpers ---- */

static const char *key_text(const struct ynode *k)
{
    if (k && (k->kind == YN_SCALAR || k->kind == YN_NULL) && k->scalar.text)
        return k->scalar.text;
    return "";
}

/* First matching key wins (yaml-cpp's lookup). */
static const struct ynode *get_pair(const struct ynode *map, const char *key,
                                    const struct ynode **keynode)
{
    if (keynode)
        *keynode = NULL;
    if (!map || map->kind != YN_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++) {
        const struct ynode *k = map->keys[i];
        if (k && k->kind == YN_SCALAR && strcmp(k->scalar.text, key) == 0) {
            if (keynode)
                *keynode = k;
            return map->items[i];
        }
    }
    return NULL;
}

static bool has_key(const struct ynode *map, const char *key)
{
    return get_pair(map, key, NULL) != NULL;
}

/* Where "Item has no mapping for key" points: the item's kind key, or the
 * first key of a nested mapping. */
static struct span missing_span(struct cx *c, const struct ynode *map)
{
    if (map == c->item && c->kind_key)
        return c->kind_key->span;
    if (map->n && map->keys[0])
        return map->keys[0]->span;
    return map->span;
}

enum dres { D_ABSENT, D_OK, D_ERR };

/* Falco's decode_val / decode_optional_val for scalars. */
static enum dres dec_scalar(struct cx *c, const struct ynode *map, const char *key, bool optional,
                            const struct ynode **out)
{
    const struct ynode *k;
    const struct ynode *v = get_pair(map, key, &k);
    *out = NULL;
    if (!v) {
        if (optional)
            return D_ABSENT;
        report(c, LOAD_ERR_YAML_VALIDATE, missing_span(c, map), "Item has no mapping for key '%s'",
               key);
        return D_ERR;
    }
    if (v->kind == YN_NULL) {
        report(c, LOAD_ERR_YAML_VALIDATE, k->span, "Mapping for key '%s' is empty", key);
        return D_ERR;
    }
    if (v->kind != YN_SCALAR) {
        report(c, LOAD_ERR_YAML_VALIDATE, v->span, "Value is not a scalar value");
        return D_ERR;
    }
    if (v->scalar.len == 0) {
        report(c, LOAD_ERR_YAML_VALIDATE, v->span, "Value must be non-empty");
        return D_ERR;
    }
    *out = v;
    return D_OK;
}

static bool all_of(const char *s, int (*pred)(int))
{
    for (; *s; s++)
        if (!pred((unsigned char)*s))
            return false;
    return true;
}

static int is_lower_c(int ch)
{
    return ch >= 'a' && ch <= 'z';
}

static int is_upper_c(int ch)
{
    return ch >= 'A' && ch <= 'Z';
}

/* yaml-cpp's convert<bool>: y/n yes/no true/false on/off, in lower case,
 * upper case or capitalised. */
static bool parse_yaml_bool(const char *s, bool *out)
{
    if (*s && !all_of(s, is_lower_c)) {
        if (!is_upper_c((unsigned char)s[0]) ||
            !(all_of(s + 1, is_lower_c) || all_of(s + 1, is_upper_c)))
            return false;
    }
    static const char *const names[][2] = {{"y", "n"}, {"yes", "no"}, {"true", "false"}, {"on", "off"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(s, names[i][0]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(s, names[i][1]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

/* yaml-cpp's stream conversion to an unsigned integer: base detected from
 * the prefix (0x hex, 0 octal), trailing blanks allowed, no minus sign. */
static bool parse_yaml_uint(const char *s, uint64_t max, uint64_t *out)
{
    if (!(isdigit((unsigned char)s[0]) || (s[0] == '+' && isdigit((unsigned char)s[1]))))
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s)
        return false;
    while (isspace((unsigned char)*end))
        end++;
    if (*end || v > max)
        return false;
    *out = v;
    return true;
}

static enum dres dec_bool(struct cx *c, const struct ynode *map, const char *key, bool optional,
                          bool *out)
{
    const struct ynode *v;
    enum dres r = dec_scalar(c, map, key, optional, &v);
    if (r != D_OK)
        return r;
    if (!parse_yaml_bool(v->scalar.text, out)) {
        report(c, LOAD_ERR_YAML_VALIDATE, v->span, "Can't decode YAML scalar value");
        return D_ERR;
    }
    return D_OK;
}

static enum dres dec_uint(struct cx *c, const struct ynode *map, const char *key, bool optional,
                          uint64_t max, uint64_t *out)
{
    const struct ynode *v;
    enum dres r = dec_scalar(c, map, key, optional, &v);
    if (r != D_OK)
        return r;
    if (!parse_yaml_uint(v->scalar.text, max, out)) {
        report(c, LOAD_ERR_YAML_VALIDATE, v->span, "Can't decode YAML scalar value");
        return D_ERR;
    }
    return D_OK;
}

/* Falco's decode_seq: a sequence of scalars. */
static enum dres dec_seq(struct cx *c, const struct ynode *map, const char *key, bool optional,
                         const struct ynode **out)
{
    const struct ynode *k;
    const struct ynode *v = get_pair(map, key, &k);
    *out = NULL;
    if (!v) {
        if (optional)
            return D_ABSENT;
        report(c, LOAD_ERR_YAML_VALIDATE, missing_span(c, map), "Item has no mapping for key '%s'",
               key);
        return D_ERR;
    }
    if (v->kind != YN_SEQ) {
        report(c, LOAD_ERR_YAML_VALIDATE, v->kind == YN_NULL ? k->span : v->span,
               "Value is not a sequence");
        return D_ERR;
    }
    enum dres r = D_OK;
    for (size_t i = 0; i < v->n; i++) {
        if (v->items[i]->kind != YN_SCALAR) {
            report(c, LOAD_ERR_YAML_VALIDATE, v->items[i]->span, "sequence value is not scalar");
            r = D_ERR;
        }
    }
    *out = v;
    return r;
}

static struct mapped_text mt_of(const struct ynode *v)
{
    return mtext_clone(&v->scalar);
}

/* Bytes [a, b) of t as a new mapped text. */
static struct mapped_text mtext_sub(const struct mapped_text *t, size_t a, size_t b)
{
    struct mapped_text out;
    mtext_init(&out);
    for (size_t i = 0; i < t->npieces; i++) {
        const struct text_piece *pc = &t->pieces[i];
        size_t ps = pc->at, pe = (size_t)pc->at + pc->len;
        size_t s = ps > a ? ps : a, e = pe < b ? pe : b;
        if (s >= e)
            continue;
        if (pc->exact)
            mtext_append_exact(&out, t->text + s, e - s,
                               (struct span){pc->origin.file, pc->origin.start + (uint32_t)(s - ps),
                                             pc->origin.start + (uint32_t)(e - ps)});
        else
            mtext_append_synth(&out, t->text + s, e - s, pc->origin);
    }
    return out;
}

static bool is_trim_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

static struct mapped_text mtext_trimmed(const struct mapped_text *t)
{
    size_t a = 0, b = t->len;
    while (a < b && is_trim_space(t->text[a]))
        a++;
    while (b > a && is_trim_space(t->text[b - 1]))
        b--;
    return mtext_sub(t, a, b);
}

/* old + " " + new, the blank attributed to the appended text. */
static void mtext_concat(struct mapped_text *old, const struct mapped_text *add,
                         struct span blank_origin)
{
    mtext_append_synth(old, " ", 1, blank_origin);
    mtext_append_mtext(old, add);
}

/* ---- unknown / duplicate keys ---- */

static bool in_set(const char *k, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(*set, k) == 0)
            return true;
    return false;
}

static void check_keys(struct cx *c, const char *const *expected)
{
    const struct ynode *m = c->item;
    for (size_t i = 0; i < m->n; i++) {
        const struct ynode *k = m->keys[i];
        const char *kt = key_text(k);
        if (!in_set(kt, expected))
            report(c, LOAD_UNKNOWN_KEY, k->span, "Unknown key '%s'. The key will be ignored.", kt);
        if (k->kind != YN_SCALAR)
            continue;
        for (size_t j = 0; j < i; j++) {
            if (m->keys[j]->kind == YN_SCALAR && strcmp(m->keys[j]->scalar.text, kt) == 0) {
                struct diag *d = report(c, STOOP_DUPLICATE_KEY, k->span,
                                        "Duplicate key '%s' in item: Falco (yaml-cpp) uses the first value and ignores this one",
                                        kt);
                diag_secondary(d, m->keys[j]->span, "first definition");
                break;
            }
        }
    }
}

static const char *const KEYS_ENGINE[] = {"required_engine_version", NULL};
static const char *const KEYS_PLUGINS[] = {"required_plugin_versions", NULL};
static const char *const KEYS_LIST[] = {"list", "items", "append", "override", NULL};
static const char *const KEYS_MACRO[] = {"macro", "condition", "append", "override", NULL};
static const char *const KEYS_RULE[] = {"rule", "condition", "output", "desc", "priority", "source",
                                        "enabled", "capture", "capture_duration", "warn_evttypes",
                                        "skip-if-unknown-filter", "tags", "exceptions", "override",
                                        "append", NULL};

/* ---- versions ---- */

struct semver {
    uint32_t major, minor, patch;
};

/* sscanf("%u") semantics: leading white space, optional sign, digits. */
static bool scan_u32(const char **sp, uint32_t *out)
{
    const char *s = *sp;
    while (isspace((unsigned char)*s))
        s++;
    bool neg = false;
    if (*s == '+' || *s == '-') {
        neg = *s == '-';
        s++;
    }
    if (!isdigit((unsigned char)*s))
        return false;
    uint64_t v = 0;
    while (isdigit((unsigned char)*s)) {
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > UINT32_MAX)
            v = UINT32_MAX + (uint64_t)1; /* saturate, keeps "invalid" out of UB */
        s++;
    }
    uint32_t r = (uint32_t)v;
    *out = neg ? (uint32_t)(0u - r) : r;
    *sp = s;
    return true;
}

/* libsinsp's sinsp_version: valid iff sscanf("%u.%u.%u") reads 3 numbers. */
static bool semver_parse(const char *s, struct semver *v)
{
    if (!scan_u32(&s, &v->major) || *s++ != '.')
        return false;
    if (!scan_u32(&s, &v->minor) || *s++ != '.')
        return false;
    return scan_u32(&s, &v->patch);
}

static int semver_cmp(struct semver a, struct semver b)
{
    if (a.major != b.major)
        return a.major < b.major ? -1 : 1;
    if (a.minor != b.minor)
        return a.minor < b.minor ? -1 : 1;
    if (a.patch != b.patch)
        return a.patch < b.patch ? -1 : 1;
    return 0;
}

static void item_engine_version(struct cx *c)
{
    const struct ynode *v;
    struct semver req = {0, 0, 0};
    /* Falco first tries an unsigned integer N (meaning 0.N.0), then a
     * semver string. */
    const struct ynode *raw = get_pair(c->item, "required_engine_version", NULL);
    uint64_t n;
    if (raw && raw->kind == YN_SCALAR && raw->scalar.len &&
        parse_yaml_uint(raw->scalar.text, UINT32_MAX, &n)) {
        v = raw;
        req.minor = (uint32_t)n;
    } else {
        if (dec_scalar(c, c->item, "required_engine_version", false, &v) != D_OK)
            return;
        if (!semver_parse(v->scalar.text, &req)) {
            report(c, LOAD_ERR_YAML_VALIDATE, v->span,
                   "Unable to parse engine version '%s' as a semver string. Expected \"x.y.z\" semver format.",
                   v->scalar.text);
            return;
        }
    }
    struct semver cur;
    semver_parse(STOOP_ENGINE_VERSION, &cur);
    if (cur.major != req.major || semver_cmp(cur, req) < 0) {
        report(c, LOAD_ERR_VALIDATE, v->span,
               "Rules require engine version %u.%u.%u, but engine version is %u.%u.%u", req.major,
               req.minor, req.patch, cur.major, cur.minor, cur.patch);
        return;
    }
    struct semver old;
    if (!c->p->required_engine_version || !semver_parse(c->p->required_engine_version, &old) ||
        semver_cmp(old, req) < 0) {
        free(c->p->required_engine_version);
        c->p->required_engine_version = xasprintf("%u.%u.%u", req.major, req.minor, req.patch);
    }
}

static bool plugin_req_decode(struct cx *c, const struct ynode *m, struct plugin_req *out)
{
    const struct ynode *name, *ver;
    enum dres a = dec_scalar(c, m, "name", false, &name);
    enum dres b = dec_scalar(c, m, "version", false, &ver);
    if (a != D_OK || b != D_OK)
        return false;
    out->name = xstrdup(name->scalar.text);
    out->version = xstrdup(ver->scalar.text);
    out->span = ver->span;
    return true;
}

static void plugin_group_free(struct plugin_req_group *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->alts[i].name);
        free(g->alts[i].version);
    }
    free(g->alts);
}

static void item_plugin_versions(struct cx *c)
{
    const struct ynode *k;
    const struct ynode *seq = get_pair(c->item, "required_plugin_versions", &k);
    if (seq->kind != YN_SEQ) {
        report(c, LOAD_ERR_YAML_VALIDATE, seq->kind == YN_NULL ? k->span : seq->span,
               "Value of required_plugin_versions must be a sequence");
        return;
    }
    for (size_t i = 0; i < seq->n; i++) {
        const struct ynode *e = seq->items[i];
        if (e->kind != YN_MAP) {
            report(c, LOAD_ERR_YAML_VALIDATE, e->span, "Plugin version must be a mapping");
            continue;
        }
        VEC(struct plugin_req) alts = {0};
        bool ok = true;
        struct plugin_req r = {0};
        if (plugin_req_decode(c, e, &r))
            VEC_PUSH(alts, r);
        else
            ok = false;
        const struct ynode *ak;
        const struct ynode *av = get_pair(e, "alternatives", &ak);
        if (av) {
            if (av->kind != YN_SEQ) {
                report(c, LOAD_ERR_YAML_VALIDATE, av->kind == YN_NULL ? ak->span : av->span,
                       "Value of plugin version alternatives must be a sequence");
                ok = false;
            } else {
                for (size_t j = 0; j < av->n; j++) {
                    const struct ynode *alt = av->items[j];
                    if (alt->kind != YN_MAP) {
                        report(c, LOAD_ERR_YAML_VALIDATE, alt->span,
                               "Plugin version alternative must be a mapping");
                        ok = false;
                        continue;
                    }
                    struct plugin_req ar = {0};
                    if (plugin_req_decode(c, alt, &ar))
                        VEC_PUSH(alts, ar);
                    else
                        ok = false;
                }
            }
        }
        /* The collector's checks. */
        for (size_t j = 0; ok && j < alts.n; j++) {
            struct semver sv;
            if (!semver_parse(alts.v[j].version, &sv)) {
                report(c, LOAD_ERR_VALIDATE, alts.v[j].span,
                       "Invalid required version '%s' for plugin '%s'", alts.v[j].version,
                       alts.v[j].name);
                ok = false;
                break;
            }
            for (size_t q = 0; q < j; q++) {
                if (strcmp(alts.v[q].name, alts.v[j].name) == 0) {
                    report(c, LOAD_ERR_VALIDATE, alts.v[j].span,
                           "Defined multiple alternative version requirements for plugin '%s'",
                           alts.v[j].name);
                    ok = false;
                    break;
                }
            }
        }
        struct plugin_req_group g = {alts.v, alts.n};
        if (!ok || !alts.n) {
            plugin_group_free(&g);
            continue;
        }
        struct program *p = c->p;
        if (p->nplugin_reqs == p->capplugin_reqs) {
            p->capplugin_reqs = p->capplugin_reqs ? 2 * p->capplugin_reqs : 4;
            p->plugin_reqs = xrealloc(p->plugin_reqs, p->capplugin_reqs * sizeof *p->plugin_reqs);
        }
        p->plugin_reqs[p->nplugin_reqs++] = g;
    }
}

/* ---- append / override keys ---- */

struct ovr {
    const char *append[8];
    const char *replace[16];
    size_t nappend, nreplace;
    const struct ynode *node; /* the override mapping */
    const struct ynode *key;  /* the `override` key */
};

static bool ovr_has(const char *const *set, size_t n, const char *k)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(set[i], k) == 0)
            return true;
    return false;
}

static bool ovr_any(const struct ovr *o)
{
    return o->nappend || o->nreplace;
}

/* The override key node for `key` (for spans). */
static struct span ovr_key_span(const struct ovr *o, const char *key)
{
    const struct ynode *k;
    if (o->node && get_pair(o->node, key, &k))
        return k->span;
    return o->key ? o->key->span : span_none();
}

/* Falco's decode_overrides. Returns false after reporting errors. */
static bool dec_overrides(struct cx *c, const char *const *appendable,
                          const char *const *replaceable, struct ovr *o)
{
    memset(o, 0, sizeof *o);
    const struct ynode *v = get_pair(c->item, "override", &o->key);
    if (!v || v->kind == YN_NULL || v->kind == YN_SCALAR)
        return true; /* yaml-cpp iterates nothing */
    if (v->kind != YN_MAP) {
        report(c, LOAD_ERR_YAML_VALIDATE, v->span, "Value of override must be a mapping");
        return false;
    }
    o->node = v;
    bool ok = true;
    for (size_t i = 0; i < v->n; i++) {
        const struct ynode *k = v->keys[i], *op = v->items[i];
        const char *key = k->kind == YN_NULL ? "null" : key_text(k);
        const char *ops = op->kind == YN_SCALAR ? op->scalar.text : op->kind == YN_NULL ? "null" : "";
        if (strcmp(ops, "append") == 0) {
            if (!in_set(key, appendable)) {
                report(c, LOAD_ERR_YAML_VALIDATE, k->span,
                       "Key '%s' cannot be appended to, use 'replace' instead", key);
                ok = false;
            } else if (!ovr_has(o->append, o->nappend, key) && o->nappend < 8) {
                o->append[o->nappend++] = key;
            }
        } else if (strcmp(ops, "replace") == 0) {
            if (!in_set(key, replaceable)) {
                report(c, LOAD_ERR_YAML_VALIDATE, k->span, "Key '%s' cannot be replaced", key);
                ok = false;
            } else if (!ovr_has(o->replace, o->nreplace, key) && o->nreplace < 16) {
                o->replace[o->nreplace++] = key;
            }
        } else {
            report(c, LOAD_ERR_YAML_VALIDATE, op->kind == YN_NULL ? k->span : op->span,
                   "Invalid override operation for key '%s': '%s'. Allowed values are: append replace ",
                   key, ops);
            ok = false;
        }
    }
    return ok;
}

/* Legacy `append:` flag; warns when true. */
static bool dec_append_flag(struct cx *c, bool *append)
{
    *append = false;
    enum dres r = dec_bool(c, c->item, "append", true, append);
    if (r == D_ERR)
        return false;
    if (*append) {
        const struct ynode *k;
        get_pair(c->item, "append", &k);
        report(c, LOAD_DEPRECATED_ITEM, k->span, WARNING_APPEND);
    }
    return true;
}

/* ---- names ---- */

static bool macro_name_valid(const char *s)
{
    if (!isalpha((unsigned char)*s))
        return false;
    for (s++; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

static bool list_name_valid(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (strchr("()\"'=, \t\n\v\f\r", *s))
            return false;
    return true;
}

/* ---- lists ---- */

/* The part lists and macros share: the name (checked against Falco's name
 * pattern, a warning only), the legacy append flag and the override
 * mapping, which may only name `key`. Returns false after an error. */
static bool item_head(struct cx *c, const char *kind, const char *key,
                      bool (*name_valid)(const char *), enum diag_code invalid_code,
                      const char *invalid_msg, const struct ynode **namev, bool *append)
{
    if (dec_scalar(c, c->item, kind, false, namev) != D_OK)
        return false;
    c->name = (*namev)->scalar.text;
    if (!name_valid(c->name))
        report(c, invalid_code, (*namev)->span, "%s", invalid_msg);
    if (!dec_append_flag(c, append))
        return false;
    const char *const only[] = {key, NULL};
    struct ovr o;
    if (!dec_overrides(c, only, only, &o))
        return false;
    if (*append && ovr_any(&o)) {
        report(c, LOAD_ERR_YAML_VALIDATE, o.key->span, ERROR_OVERRIDE_APPEND);
        return false;
    }
    *append = *append || ovr_has(o.append, o.nappend, key);
    return true;
}

static void item_list(struct cx *c)
{
    const struct ynode *namev;
    bool append;
    if (!item_head(c, "list", "items", list_name_valid, LOAD_INVALID_LIST_NAME,
                   "List has an invalid name. List names should match a regular expression: "
                   "([^()\"'[:space:]=,]+)",
                   &namev, &append))
        return;
    const char *name = namev->scalar.text;
    const struct ynode *seq;
    if (dec_seq(c, c->item, "items", false, &seq) != D_OK)
        return;

    struct program *p = c->p;
    struct list_def *prev = program_find_list(p, name);
    if (append && !prev) {
        report(c, LOAD_ERR_VALIDATE, namev->span, ERROR_NO_PREVIOUS_LIST);
        return;
    }
    struct list_def *l = prev;
    if (!l) {
        l = xcalloc(1, sizeof *l);
        l->name = xstrdup(name);
        l->name_span = namev->span;
        l->index = p->counter;
        program_add_list(p, l);
    } else if (!append) {
        for (size_t i = 0; i < l->nitems; i++)
            free(l->items[i].text);
        l->nitems = 0;
    }
    l->items = xrealloc(l->items, (l->nitems + seq->n + 1) * sizeof *l->items);
    for (size_t i = 0; i < seq->n; i++)
        l->items[l->nitems++] =
            (struct list_item){xstrdup(seq->items[i]->scalar.text), seq->items[i]->span};
    l->visibility = p->counter++;
}

/* ---- macros ---- */

static void item_macro(struct cx *c)
{
    const struct ynode *namev;
    bool append;
    if (!item_head(c, "macro", "condition", macro_name_valid, LOAD_INVALID_MACRO_NAME,
                   "Macro has an invalid name. Macro names should match a regular expression: "
                   "([a-zA-Z]+[a-zA-Z0-9_]*)",
                   &namev, &append))
        return;
    const char *name = namev->scalar.text;
    const struct ynode *cond;
    if (dec_scalar(c, c->item, "condition", false, &cond) != D_OK)
        return;

    struct program *p = c->p;
    struct macro_def *prev = program_find_macro(p, name);
    if (append) {
        if (!prev) {
            report(c, LOAD_ERR_VALIDATE, namev->span, ERROR_NO_PREVIOUS_MACRO);
            return;
        }
        struct mapped_text add = mt_of(cond);
        warn_append_precedence(&p->diags, &prev->cond, &add, "macro", name);
        mtext_concat(&prev->cond, &add, (struct span){c->file, cond->span.start, cond->span.start});
        mtext_free(&add);
        prev->visibility = p->counter++;
        return;
    }
    if (prev) {
        mtext_free(&prev->cond);
        prev->cond = mt_of(cond);
        prev->visibility = p->counter++;
        return;
    }
    struct macro_def *m = xcalloc(1, sizeof *m);
    m->name = xstrdup(name);
    m->name_span = namev->span;
    m->cond = mt_of(cond);
    m->index = m->visibility = p->counter++;
    program_add_macro(p, m);
}

/* ---- exceptions ---- */

struct exc_entry {
    bool present;
    bool is_list;
    VEC(struct list_item) items;
};

/* Falco's decode_exception_info_entry for fields / comps. */
static bool dec_exc_entry(struct cx *c, const struct ynode *ex, const char *key, bool required,
                          struct exc_entry *out)
{
    memset(out, 0, sizeof *out);
    const struct ynode *k;
    const struct ynode *v = get_pair(ex, key, &k);
    if (!v) {
        if (!required)
            return true;
        report(c, LOAD_ERR_YAML_VALIDATE, missing_span(c, ex), "Item has no mapping for key '%s'",
               key);
        return false;
    }
    if (v->kind == YN_NULL) {
        report(c, LOAD_ERR_YAML_VALIDATE, k->span, "Mapping for key '%s' is empty", key);
        return false;
    }
    out->present = true;
    if (v->kind == YN_SCALAR) {
        if (!v->scalar.len) {
            report(c, LOAD_ERR_YAML_VALIDATE, v->span, "Value must be non-empty");
            return false;
        }
        out->is_list = false;
        struct list_item li = {xstrdup(v->scalar.text), v->span};
        VEC_PUSH(out->items, li);
    } else if (v->kind == YN_SEQ) {
        out->is_list = true;
        for (size_t i = 0; i < v->n; i++) {
            const struct ynode *e = v->items[i];
            if (e->kind == YN_NULL || (e->kind == YN_SCALAR && !e->scalar.len)) {
                report(c, LOAD_ERR_YAML_VALIDATE, e->span, "Value must be non-empty");
                return false;
            }
            /* A nested list decodes to an empty item in Falco. */
            struct list_item li = {xstrdup(e->kind == YN_SCALAR ? e->scalar.text : ""), e->span};
            VEC_PUSH(out->items, li);
        }
    }
    return true;
}

/* An exception value (scalar, or list, recursively). */
static bool dec_exc_value(struct cx *c, const struct ynode *v, struct exc_value *out)
{
    memset(out, 0, sizeof *out);
    out->span = v->span;
    if (v->kind == YN_NULL || (v->kind == YN_SCALAR && !v->scalar.len)) {
        report(c, LOAD_ERR_YAML_VALIDATE, v->span, "Value must be non-empty");
        return false;
    }
    if (v->kind == YN_SCALAR) {
        out->text = xstrdup(v->scalar.text);
        return true;
    }
    if (v->kind != YN_SEQ) { /* a mapping decodes to an empty scalar in Falco */
        out->text = xstrdup("");
        return true;
    }
    out->items = xcalloc(v->n ? v->n : 1, sizeof *out->items);
    for (size_t i = 0; i < v->n; i++) {
        if (!dec_exc_value(c, v->items[i], &out->items[i])) {
            out->n = i + 1;
            return false;
        }
        out->n = i + 1;
    }
    out->n = v->n;
    return true;
}

struct exc_vec {
    bool present; /* a non-null `exceptions:` */
    VEC(struct exception_def) v;
};

static void exc_vec_free(struct exc_vec *e)
{
    for (size_t i = 0; i < e->v.n; i++)
        exception_def_free(&e->v.v[i]);
    VEC_FREE(e->v);
}

/* Falco's read_rule_exceptions. `append`: fields optional, warn when
 * values are missing. */
static bool read_exceptions(struct cx *c, bool append, struct exc_vec *out)
{
    memset(out, 0, sizeof *out);
    const struct ynode *exs = get_pair(c->item, "exceptions", NULL);
    if (!exs || exs->kind == YN_NULL)
        return true;
    if (exs->kind != YN_SEQ) {
        report(c, LOAD_ERR_YAML_VALIDATE, exs->span, "Rule exceptions must be a sequence");
        return false;
    }
    out->present = true;
    bool ok = true;
    for (size_t i = 0; i < exs->n; i++) {
        const struct ynode *ex = exs->items[i];
        if (ex->kind != YN_MAP) {
            report(c, LOAD_ERR_YAML_VALIDATE, ex->span, "Rule exception must be a mapping");
            ok = false;
            continue;
        }
        const struct ynode *namev;
        if (dec_scalar(c, ex, "name", false, &namev) != D_OK) {
            ok = false;
            continue;
        }
        for (size_t j = 0; j < out->v.n; j++) {
            if (strcmp(out->v.v[j].name, namev->scalar.text) == 0) {
                report(c, LOAD_EXCEPTION_NAME_NOT_UNIQUE, namev->span,
                       "Multiple definitions of exception '%s' in the same rule",
                       namev->scalar.text);
                break;
            }
        }
        struct exc_entry fields, comps;
        bool fok = dec_exc_entry(c, ex, "fields", !append, &fields);
        bool cok = dec_exc_entry(c, ex, "comps", false, &comps);
        struct exception_def e = {0};
        e.name = xstrdup(namev->scalar.text);
        e.span = ex->span;
        e.fields = fields.items.v;
        e.nfields = fields.items.n;
        e.fields_is_list = fields.is_list;
        e.comps = comps.items.v;
        e.ncomps = comps.items.n;
        e.comps_is_list = comps.is_list;
        bool vok = true;
        const struct ynode *vk;
        const struct ynode *vals = get_pair(ex, "values", &vk);
        if (vals) {
            if (vals->kind != YN_SEQ) {
                report(c, LOAD_ERR_YAML_VALIDATE, vals->kind == YN_NULL ? vk->span : vals->span,
                       "Rule exception values must be a sequence");
                vok = false;
            } else {
                e.values = xcalloc(vals->n ? vals->n : 1, sizeof *e.values);
                for (size_t j = 0; j < vals->n; j++) {
                    e.nvalues = j + 1;
                    if (!dec_exc_value(c, vals->items[j], &e.values[j])) {
                        vok = false;
                        break;
                    }
                }
            }
        } else if (append) {
            report(c, LOAD_APPEND_NO_VALUES, namev->span,
                   "Overriding/appending exception with no values");
        }
        VEC_PUSH(out->v, e);
        if (!fok || !cok || !vok)
            ok = false;
    }
    return ok;
}

/* The collector's validate_exception_info, minus what needs the schema
 * (field names) and what exceptions_validate() does at compile time
 * (operator spellings). Defaults comps. */
static bool validate_exception(struct cx *c, struct exception_def *e)
{
    if (e->fields_is_list) {
        if (e->ncomps == 0) {
            free(e->comps);
            e->comps_is_list = true;
            e->ncomps = e->nfields;
            e->comps = xcalloc(e->nfields ? e->nfields : 1, sizeof *e->comps);
            for (size_t i = 0; i < e->nfields; i++)
                e->comps[i] = (struct list_item){xstrdup("="), e->fields[i].span};
        }
        if (e->nfields != e->ncomps) {
            report(c, LOAD_ERR_VALIDATE, e->span, "Fields and comps lists must have equal length");
            return false;
        }
    } else {
        if (e->ncomps == 0) {
            free(e->comps);
            e->comps_is_list = false;
            e->ncomps = 1;
            e->comps = xcalloc(1, sizeof *e->comps);
            e->comps[0] = (struct list_item){xstrdup("in"),
                                             e->nfields ? e->fields[0].span : e->span};
        }
        if (e->comps_is_list) {
            report(c, LOAD_ERR_VALIDATE, e->comps[0].span, "Fields and comps must both be strings");
            return false;
        }
    }
    return true;
}

/* ---- rules ---- */

/* What an append / override item brings. */
struct rule_update {
    bool has_cond, has_output, has_desc, has_tags, has_exc, has_prio, has_enabled, has_warn,
        has_skip, has_capture, has_capdur;
    const struct ynode *cond, *output, *desc;
    VEC(char *) tags;
    struct exc_vec exc;
    enum priority prio;
    bool enabled, warn, skip, capture;
    uint64_t capdur;
};

static void rule_update_free(struct rule_update *u)
{
    for (size_t i = 0; i < u->tags.n; i++)
        free(u->tags.v[i]);
    VEC_FREE(u->tags);
    exc_vec_free(&u->exc);
}

static bool update_has_any(const struct rule_update *u)
{
    return u->has_cond || u->has_output || u->has_desc || u->has_tags || u->has_exc ||
           u->has_prio || u->has_enabled || u->has_warn || u->has_skip || u->has_capture ||
           u->has_capdur;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and removes duplicates in place; returns the new count. */
static size_t sort_unique(char **v, size_t n)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, cmp_str);
    size_t w = 1;
    for (size_t i = 1; i < n; i++) {
        if (strcmp(v[i], v[w - 1]) == 0)
            free(v[i]);
        else
            v[w++] = v[i];
    }
    return w;
}

static enum dres dec_tags(struct cx *c, struct rule_update *u)
{
    const struct ynode *seq;
    enum dres r = dec_seq(c, c->item, "tags", true, &seq);
    if (r != D_OK)
        return r;
    for (size_t i = 0; i < seq->n; i++)
        VEC_PUSH(u->tags, xstrdup(seq->items[i]->scalar.text));
    u->has_tags = true;
    return D_OK;
}

static enum dres dec_priority(struct cx *c, enum priority *out)
{
    const struct ynode *v;
    enum dres r = dec_scalar(c, c->item, "priority", false, &v);
    if (r != D_OK)
        return r;
    if (!priority_parse(v->scalar.text, out)) {
        report(c, LOAD_ERR_YAML_VALIDATE, v->span, "Invalid priority");
        return D_ERR;
    }
    return D_OK;
}

/* Decodes key `k` of a rule update item. Returns false on error. */
static bool update_decode_key(struct cx *c, const char *k, bool append, struct rule_update *u)
{
    if (strcmp(k, "condition") == 0) {
        u->has_cond = dec_scalar(c, c->item, k, false, &u->cond) == D_OK;
        return u->has_cond;
    }
    if (strcmp(k, "output") == 0) {
        u->has_output = dec_scalar(c, c->item, k, false, &u->output) == D_OK;
        return u->has_output;
    }
    if (strcmp(k, "desc") == 0) {
        u->has_desc = dec_scalar(c, c->item, k, false, &u->desc) == D_OK;
        return u->has_desc;
    }
    if (strcmp(k, "tags") == 0)
        return dec_tags(c, u) != D_ERR;
    if (strcmp(k, "exceptions") == 0) {
        bool ok = read_exceptions(c, append, &u->exc);
        u->has_exc = u->exc.present;
        if (!append)
            for (size_t i = 0; i < u->exc.v.n; i++)
                u->exc.v.v[i].unchecked = true;
        return ok;
    }
    if (strcmp(k, "priority") == 0) {
        u->has_prio = dec_priority(c, &u->prio) == D_OK;
        return u->has_prio;
    }
    if (strcmp(k, "enabled") == 0) {
        u->has_enabled = dec_bool(c, c->item, k, false, &u->enabled) == D_OK;
        return u->has_enabled;
    }
    if (strcmp(k, "warn_evttypes") == 0) {
        u->has_warn = dec_bool(c, c->item, k, false, &u->warn) == D_OK;
        return u->has_warn;
    }
    if (strcmp(k, "skip-if-unknown-filter") == 0) {
        u->has_skip = dec_bool(c, c->item, k, false, &u->skip) == D_OK;
        return u->has_skip;
    }
    if (strcmp(k, "capture") == 0) {
        u->has_capture = dec_bool(c, c->item, k, false, &u->capture) == D_OK;
        return u->has_capture;
    }
    if (strcmp(k, "capture_duration") == 0) {
        u->has_capdur = dec_uint(c, c->item, k, false, UINT64_MAX, &u->capdur) == D_OK;
        return u->has_capdur;
    }
    return true;
}

/* Source of an append/override item: only a non-empty explicit one counts. */
static bool check_update_source(struct cx *c, const struct rule_def *prev)
{
    const struct ynode *sv = get_pair(c->item, "source", NULL);
    if (sv && sv->kind == YN_SCALAR && sv->scalar.len && strcmp(sv->scalar.text, prev->source) != 0) {
        struct diag *d = report(c, LOAD_ERR_VALIDATE, sv->span,
                                "Rule has been re-defined with a different source");
        diag_secondary(d, prev->source_span, "original source");
        return false;
    }
    return true;
}

static struct exception_def *find_exception(struct exception_def *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            return &v[i];
    return NULL;
}

static struct span blank_before(const struct ynode *v)
{
    return (struct span){v->span.file, v->span.start, v->span.start};
}

/* The collector's append(rule_update_info). */
static bool rule_apply_append(struct cx *c, const struct ynode *namev, struct rule_update *u)
{
    struct program *p = c->p;
    struct rule_def *prev = program_find_rule(p, c->name);
    if (!prev) {
        report(c, LOAD_ERR_VALIDATE, namev->span, ERROR_NO_PREVIOUS_RULE_APPEND);
        return false;
    }
    if (!update_has_any(u)) {
        report(c, LOAD_ERR_VALIDATE, namev->span,
               "Appended rule must have exceptions or condition property");
        return false;
    }
    if (!check_update_source(c, prev))
        return false;
    /* Validate the exceptions first so nothing is half-applied. */
    bool ok = true;
    for (size_t i = 0; i < u->exc.v.n; i++) {
        struct exception_def *ex = &u->exc.v.v[i];
        struct exception_def *old = find_exception(prev->exceptions, prev->nexceptions, ex->name);
        bool earlier_new = false;
        for (size_t j = 0; j < i && !old; j++)
            if (strcmp(u->exc.v.v[j].name, ex->name) == 0)
                earlier_new = true;
        if (!old && !earlier_new) {
            if (ex->nfields == 0) {
                report(c, LOAD_ERR_VALIDATE, ex->span,
                       "Rule exception must have fields property with a list of fields");
                ok = false;
            } else if (ex->nvalues == 0) {
                report(c, LOAD_ERR_VALIDATE, ex->span,
                       "Rule exception must have values property with a list of values");
                ok = false;
            } else if (!validate_exception(c, ex)) {
                ok = false;
            }
        } else {
            if (ex->nfields) {
                report(c, LOAD_ERR_VALIDATE, ex->fields[0].span,
                       "Can not append exception fields to existing exception, only values");
                ok = false;
            } else if (ex->ncomps) {
                report(c, LOAD_ERR_VALIDATE, ex->comps[0].span,
                       "Can not append exception comps to existing exception, only values");
                ok = false;
            }
        }
    }
    if (!ok)
        return false;

    if (u->has_cond) {
        struct mapped_text add = mt_of(u->cond);
        warn_append_precedence(&c->p->diags, &prev->cond, &add, "rule", prev->name);
        mtext_concat(&prev->cond, &add, blank_before(u->cond));
        mtext_free(&add);
    }
    if (u->has_output) {
        struct mapped_text add = mt_of(u->output);
        mtext_concat(&prev->output, &add, blank_before(u->output));
        mtext_free(&add);
    }
    if (u->has_desc) {
        struct mapped_text add = mt_of(u->desc);
        mtext_concat(&prev->desc, &add, blank_before(u->desc));
        mtext_free(&add);
    }
    if (u->has_tags) {
        prev->tags = xrealloc(prev->tags, (prev->ntags + u->tags.n + 1) * sizeof *prev->tags);
        for (size_t i = 0; i < u->tags.n; i++)
            prev->tags[prev->ntags++] = u->tags.v[i];
        u->tags.n = 0;
        prev->ntags = sort_unique(prev->tags, prev->ntags);
    }
    for (size_t i = 0; i < u->exc.v.n; i++) {
        struct exception_def *ex = &u->exc.v.v[i];
        struct exception_def *old = find_exception(prev->exceptions, prev->nexceptions, ex->name);
        if (!old) {
            prev->exceptions =
                xrealloc(prev->exceptions, (prev->nexceptions + 1) * sizeof *prev->exceptions);
            prev->exceptions[prev->nexceptions++] = *ex;
            memset(ex, 0, sizeof *ex);
            continue;
        }
        old->values = xrealloc(old->values, (old->nvalues + ex->nvalues + 1) * sizeof *old->values);
        if (ex->nvalues)
            memcpy(old->values + old->nvalues, ex->values, ex->nvalues * sizeof *ex->values);
        old->nvalues += ex->nvalues;
        free(ex->values);
        ex->values = NULL;
        ex->nvalues = 0;
    }
    prev->visibility = p->counter++;
    return true;
}

static void set_mtext(struct mapped_text *dst, const struct ynode *v)
{
    mtext_free(dst);
    *dst = mt_of(v);
}

/* The collector's selective_replace. */
static bool rule_apply_replace(struct cx *c, const struct ynode *namev, struct rule_update *u)
{
    struct program *p = c->p;
    struct rule_def *prev = program_find_rule(p, c->name);
    if (!prev) {
        report(c, LOAD_ERR_VALIDATE, namev->span, ERROR_NO_PREVIOUS_RULE_REPLACE);
        return false;
    }
    if (!update_has_any(u)) {
        report(c, LOAD_ERR_VALIDATE, namev->span,
               "The rule must have at least one field that can be replaced");
        return false;
    }
    if (!check_update_source(c, prev))
        return false;
    if (u->has_cond)
        set_mtext(&prev->cond, u->cond);
    if (u->has_output)
        set_mtext(&prev->output, u->output);
    if (u->has_desc)
        set_mtext(&prev->desc, u->desc);
    if (u->has_tags) {
        for (size_t i = 0; i < prev->ntags; i++)
            free(prev->tags[i]);
        free(prev->tags);
        prev->tags = u->tags.v;
        prev->ntags = sort_unique(u->tags.v, u->tags.n);
        memset(&u->tags, 0, sizeof u->tags);
    }
    if (u->has_exc) {
        for (size_t i = 0; i < prev->nexceptions; i++)
            exception_def_free(&prev->exceptions[i]);
        free(prev->exceptions);
        prev->exceptions = u->exc.v.v;
        prev->nexceptions = u->exc.v.n;
        memset(&u->exc.v, 0, sizeof u->exc.v);
    }
    if (u->has_prio)
        prev->priority = u->prio;
    if (u->has_enabled)
        prev->enabled = u->enabled;
    if (u->has_warn)
        prev->warn_evttypes = u->warn;
    if (u->has_skip)
        prev->skip_if_unknown_filter = u->skip;
    if (u->has_capture)
        prev->capture = u->capture;
    if (u->has_capdur)
        prev->capture_duration = u->capdur;
    prev->visibility = p->counter++;
    return true;
}

static const char *const RULE_APPENDABLE[] = {"condition", "output", "desc", "tags", "exceptions",
                                              NULL};
static const char *const RULE_REPLACEABLE[] = {"condition",     "output",
                                               "desc",          "priority",
                                               "tags",          "exceptions",
                                               "enabled",       "warn_evttypes",
                                               "skip-if-unknown-filter", "capture",
                                               "capture_duration", NULL};
/* Falco's decode order within each override kind. */
static const char *const APPEND_ORDER[] = {"condition", "exceptions", "output", "desc", "tags", NULL};
static const char *const REPLACE_ORDER[] = {"condition", "exceptions", "output", "desc", "tags",
                                            "priority", "enabled", "warn_evttypes",
                                            "skip-if-unknown-filter", "capture",
                                            "capture_duration", NULL};

static void rule_override(struct cx *c, const struct ynode *namev, const struct ovr *o)
{
    /* Keys present in the item that could be overridden. */
    const char *expected[16];
    size_t nexp = 0;
    for (const char *const *k = RULE_REPLACEABLE; *k; k++)
        if (has_key(c->item, *k))
            expected[nexp++] = *k;
    bool ok = true;
    struct rule_update ua = {0}, ur = {0};
    for (int pass = 0; pass < 2; pass++) {
        const char *const *order = pass == 0 ? APPEND_ORDER : REPLACE_ORDER;
        const char *const *set = pass == 0 ? o->append : o->replace;
        size_t nset = pass == 0 ? o->nappend : o->nreplace;
        const char *kind = pass == 0 ? "append" : "replace";
        for (const char *const *k = order; *k; k++) {
            if (!ovr_has(set, nset, *k))
                continue;
            size_t at = nexp;
            for (size_t i = 0; i < nexp; i++)
                if (expected[i] && strcmp(expected[i], *k) == 0)
                    at = i;
            if (at == nexp) {
                report(c, LOAD_ERR_YAML_VALIDATE, ovr_key_span(o, *k),
                       "An %s override for '%s' was specified but '%s' is not defined", kind, *k,
                       *k);
                ok = false;
                continue;
            }
            expected[at] = NULL;
            if (!update_decode_key(c, *k, pass == 0, pass == 0 ? &ua : &ur))
                ok = false;
        }
    }
    for (size_t i = 0; i < nexp; i++) {
        if (!expected[i])
            continue;
        const struct ynode *k;
        get_pair(c->item, expected[i], &k);
        report(c, LOAD_ERR_YAML_VALIDATE, k->span,
               "Unexpected key '%s': no corresponding entry under 'override' is defined.",
               expected[i]);
        ok = false;
    }
    if (ok && o->nappend)
        ok = rule_apply_append(c, namev, &ua);
    if (ok && o->nreplace)
        rule_apply_replace(c, namev, &ur);
    rule_update_free(&ua);
    rule_update_free(&ur);
}

static void rule_legacy_append(struct cx *c, const struct ynode *namev)
{
    struct rule_update u = {0};
    bool ok = true;
    if (has_key(c->item, "condition"))
        ok = update_decode_key(c, "condition", true, &u) && ok;
    if (has_key(c->item, "exceptions"))
        ok = update_decode_key(c, "exceptions", true, &u) && ok;
    if (ok)
        rule_apply_append(c, namev, &u);
    rule_update_free(&u);
}

static void rule_enabled_only(struct cx *c, const struct ynode *namev)
{
    bool enabled;
    if (dec_bool(c, c->item, "enabled", false, &enabled) != D_OK)
        return;
    const struct ynode *k;
    get_pair(c->item, "enabled", &k);
    report(c, LOAD_DEPRECATED_ITEM, k->span, WARNING_ENABLED);
    struct rule_def *prev = program_find_rule(c->p, c->name);
    if (!prev) {
        report(c, LOAD_ERR_VALIDATE, namev->span,
               "Rule has 'enabled' key but no rule by that name already exists");
        return;
    }
    prev->enabled = enabled;
}

static void rule_define(struct cx *c, const struct ynode *namev)
{
    bool ok = true;
    const struct ynode *cond, *output, *desc, *src = NULL;
    enum priority prio = PRIO_DEBUG;
    ok = dec_scalar(c, c->item, "condition", false, &cond) == D_OK && ok;
    ok = dec_scalar(c, c->item, "output", false, &output) == D_OK && ok;
    ok = dec_scalar(c, c->item, "desc", false, &desc) == D_OK && ok;
    ok = dec_priority(c, &prio) == D_OK && ok;
    ok = dec_scalar(c, c->item, "source", true, &src) != D_ERR && ok;
    bool enabled = true, warn = true, skip = false, capture = false;
    uint64_t capdur = 0;
    ok = dec_bool(c, c->item, "enabled", true, &enabled) != D_ERR && ok;
    ok = dec_bool(c, c->item, "warn_evttypes", true, &warn) != D_ERR && ok;
    ok = dec_bool(c, c->item, "skip-if-unknown-filter", true, &skip) != D_ERR && ok;
    ok = dec_bool(c, c->item, "capture", true, &capture) != D_ERR && ok;
    ok = dec_uint(c, c->item, "capture_duration", true, UINT64_MAX, &capdur) != D_ERR && ok;
    struct rule_update u = {0};
    ok = dec_tags(c, &u) != D_ERR && ok;
    ok = read_exceptions(c, false, &u.exc) && ok;
    if (!ok) {
        rule_update_free(&u);
        return;
    }
    /* The collector's define: source, then the exceptions. */
    const char *source = src ? src->scalar.text : "syscall";
    struct program *p = c->p;
    struct rule_def *prev = program_find_rule(p, c->name);
    if (prev && strcmp(prev->source, source) != 0) {
        struct diag *d = report(c, LOAD_ERR_VALIDATE, src ? src->span : namev->span,
                                "Rule has been re-defined with a different source");
        diag_secondary(d, prev->source_span, "original source");
        rule_update_free(&u);
        return;
    }
    for (size_t i = 0; i < u.exc.v.n; i++) {
        struct exception_def *ex = &u.exc.v.v[i];
        if (ex->nfields == 0) { /* `fields: []` */
            report(c, LOAD_ERR_VALIDATE, ex->span,
                   "Rule exception item must have fields property with a list of fields");
            ok = false;
        } else if (!validate_exception(c, ex)) {
            ok = false;
        }
    }
    if (!ok) {
        rule_update_free(&u);
        return;
    }
    struct rule_def *r = prev;
    if (!r) {
        r = xcalloc(1, sizeof *r);
        r->name = xstrdup(c->name);
        r->name_span = namev->span;
        r->file = c->file;
        r->index = p->counter;
        program_add_rule(p, r);
    } else {
        rule_def_clear(r);
    }
    r->cond = mt_of(cond);
    struct mapped_text out_raw = mt_of(output);
    r->output = mtext_trimmed(&out_raw);
    mtext_free(&out_raw);
    r->desc = mt_of(desc);
    r->priority = prio;
    r->source = xstrdup(source);
    r->source_span = src ? src->span : namev->span;
    r->enabled = enabled;
    r->warn_evttypes = warn;
    r->skip_if_unknown_filter = skip;
    r->capture = capture;
    r->capture_duration = capdur;
    r->ntags = sort_unique(u.tags.v, u.tags.n);
    r->tags = u.tags.v;
    memset(&u.tags, 0, sizeof u.tags);
    r->exceptions = u.exc.v.v;
    r->nexceptions = u.exc.v.n;
    memset(&u.exc.v, 0, sizeof u.exc.v);
    r->visibility = p->counter++;
    rule_update_free(&u);
}

static void item_rule(struct cx *c)
{
    const struct ynode *namev;
    if (dec_scalar(c, c->item, "rule", false, &namev) != D_OK)
        return;
    c->name = namev->scalar.text;
    bool append;
    if (!dec_append_flag(c, &append))
        return;
    struct ovr o;
    if (!dec_overrides(c, RULE_APPENDABLE, RULE_REPLACEABLE, &o))
        return;
    if (append && ovr_any(&o)) {
        report(c, LOAD_ERR_YAML_VALIDATE, o.key->span, ERROR_OVERRIDE_APPEND);
        return;
    }
    if (ovr_any(&o))
        rule_override(c, namev, &o);
    else if (append)
        rule_legacy_append(c, namev);
    else if (!has_key(c->item, "condition") && !has_key(c->item, "output") &&
             !has_key(c->item, "desc") && !has_key(c->item, "priority"))
        rule_enabled_only(c, namev);
    else
        rule_define(c, namev);
}

/* ---- items and documents ---- */

static void read_item(struct program *p, uint32_t file, const struct ynode *item)
{
    struct cx c = {p, &p->diags, file, item, NULL, NULL};
    if (item->kind != YN_MAP) {
        report(&c, LOAD_ERR_YAML_VALIDATE, item->span,
               "Unexpected element type. Each element should be a yaml associative array.");
        return;
    }
    static const char *const kinds[] = {"required_engine_version", "required_plugin_versions",
                                        "list", "macro", "rule"};
    static const char *const *const keysets[] = {KEYS_ENGINE, KEYS_PLUGINS, KEYS_LIST, KEYS_MACRO,
                                                 KEYS_RULE};
    for (size_t i = 0; i < 5; i++) {
        const struct ynode *k;
        if (!get_pair(item, kinds[i], &k))
            continue;
        c.kind_key = k;
        /* The name (if any) first, so key warnings carry it. */
        if (i >= 2) {
            const struct ynode *nv = get_pair(item, kinds[i], NULL);
            if (nv->kind == YN_SCALAR && nv->scalar.len)
                c.name = nv->scalar.text;
        }
        check_keys(&c, keysets[i]);
        c.name = NULL;
        switch (i) {
        case 0: item_engine_version(&c); break;
        case 1: item_plugin_versions(&c); break;
        case 2: item_list(&c); break;
        case 3: item_macro(&c); break;
        default: item_rule(&c); break;
        }
        return;
    }
    report(&c, LOAD_UNKNOWN_ITEM, item->n ? item->keys[0]->span : item->span,
           "Unknown top level item");
}

bool collect_file(struct program *p, uint32_t file)
{
    size_t errors_before = p->diags.nerrors;
    size_t ndocs = 0;
    struct ynode **docs = yaml_read(&p->src, file, &p->diags, &ndocs);
    if (!docs)
        return false;
    for (size_t d = 0; d < ndocs; d++) {
        const struct ynode *doc = docs[d];
        struct cx c = {p, &p->diags, file, NULL, NULL, NULL};
        if (doc->kind == YN_NULL)
            continue;
        if (doc->kind == YN_SCALAR) {
            report(&c, LOAD_ERR_YAML_VALIDATE, doc->span, "Rules content is not yaml");
            continue;
        }
        if (doc->kind != YN_SEQ) {
            report(&c, LOAD_ERR_YAML_VALIDATE, doc->span,
                   "Rules content is not yaml array of objects");
            continue;
        }
        for (size_t i = 0; i < doc->n; i++)
            if (doc->items[i]->kind != YN_NULL)
                read_item(p, file, doc->items[i]);
    }
    for (size_t d = 0; d < ndocs; d++)
        ynode_free(docs[d]);
    free(docs);
    return p->diags.nerrors == errors_before;
}
