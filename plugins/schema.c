/* schema.c: the field tables of every event source (plugins/<source>/fields.def),
 * the syscall event table (plugins/syscall/events.def) and their lookups. */
#include "schema.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- field tables ---- */

#define FIELD(n, t, f, p, d) {.name = (n), .type = (t), .flags = (f), .desc = (d), .path = (p)},

static const struct field_info generic_fields[] = {
#include "generic/fields.def"
};
static const struct field_info json_fields[] = {
#include "json/fields.def"
};
static const struct field_info syscall_fields[] = {
#include "syscall/fields.def"
};
static const struct field_info k8s_audit_fields[] = {
#include "k8s_audit/fields.def"
};
static const struct field_info cloudtrail_fields[] = {
#include "aws_cloudtrail/fields.def"
};
static const struct field_info github_fields[] = {
#include "github/fields.def"
};
static const struct field_info okta_fields[] = {
#include "okta/fields.def"
};

#undef FIELD

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Tables that are only ever offered as extras (never searched recursively). */
static const struct source_schema generic_table = {
    .name = "generic", .plugin = NULL, .fields = generic_fields, .nfields = COUNT(generic_fields),
};
static const struct source_schema json_table = {
    .name = "json", .plugin = "json", .fields = json_fields, .nfields = COUNT(json_fields),
};

/* Plugin sources: the generic evt.* class, then the json plugin's fields. */
static const struct source_schema *const plugin_extra[] = {&generic_table, &json_table};
static const struct source_schema *const generic_only[] = {&generic_table};
/* The json plugin declares no event sources, so Falco offers its fields to
 * syscall rules too (falco-fields.md 6). */
static const struct source_schema *const json_only[] = {&json_table};

static const struct source_schema syscall_source = {
    .name = "syscall", .plugin = NULL,
    .fields = syscall_fields, .nfields = COUNT(syscall_fields),
    .extra = json_only, .nextra = COUNT(json_only),
};
static const struct source_schema k8s_audit_source = {
    .name = "k8s_audit", .plugin = "k8saudit",
    .fields = k8s_audit_fields, .nfields = COUNT(k8s_audit_fields),
    .extra = plugin_extra, .nextra = COUNT(plugin_extra),
};
static const struct source_schema cloudtrail_source = {
    .name = "aws_cloudtrail", .plugin = "cloudtrail",
    .fields = cloudtrail_fields, .nfields = COUNT(cloudtrail_fields),
    .extra = plugin_extra, .nextra = COUNT(plugin_extra),
};
static const struct source_schema github_source = {
    .name = "github", .plugin = "github",
    .fields = github_fields, .nfields = COUNT(github_fields),
    .extra = plugin_extra, .nextra = COUNT(plugin_extra),
};
static const struct source_schema okta_source = {
    .name = "okta", .plugin = "okta",
    .fields = okta_fields, .nfields = COUNT(okta_fields),
    .extra = plugin_extra, .nextra = COUNT(plugin_extra),
};
/* The json plugin's fields on their own (plus the generic class), so that
 * `stoopc fields --source json` can list them. */
static const struct source_schema json_source = {
    .name = "json", .plugin = "json",
    .fields = json_fields, .nfields = COUNT(json_fields),
    .extra = generic_only, .nextra = COUNT(generic_only),
};

static const struct source_schema *const all_sources[] = {
    &syscall_source, &k8s_audit_source, &cloudtrail_source, &github_source, &okta_source, &json_source,
};

const struct source_schema *const *schema_sources(size_t *n)
{
    if (n)
        *n = COUNT(all_sources);
    return all_sources;
}

const struct source_schema *schema_source(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < COUNT(all_sources); i++)
        if (strcmp(all_sources[i]->name, name) == 0)
            return all_sources[i];
    return NULL;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ull;
    }
    return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
    return fnv(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

uint64_t schema_hash(void)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < COUNT(all_sources); i++) {
        const struct source_schema *s = all_sources[i];
        h = fnv_str(h, s->name);
        for (size_t t = 0; t <= s->nextra; t++) {
            const struct source_schema *tab = t == 0 ? s : s->extra[t - 1];
            h = fnv_str(h, tab->name);
            for (size_t f = 0; f < tab->nfields; f++) {
                uint32_t tf[2] = {(uint32_t)tab->fields[f].type, tab->fields[f].flags};
                h = fnv_str(h, tab->fields[f].name);
                h = fnv(h, tf, sizeof tf);
            }
        }
    }
    for (size_t c = 0; c < schema_event_count(); c++)
        h = fnv_str(h, schema_event(c)->name);
    return h;
}

/* Table i of a source: 0 is the source itself, then each extra table. */
static const struct source_schema *table_at(const struct source_schema *s, size_t i)
{
    return i == 0 ? s : s->extra[i - 1];
}

const struct field_info *schema_lookup(const struct source_schema *s, const char *name,
                                       const char **dotted)
{
    if (dotted)
        *dotted = NULL;
    if (!s || !name)
        return NULL;
    size_t ntables = 1 + s->nextra;
    /* An exact match of the full name always wins (evt.args, evt.type). */
    for (size_t t = 0; t < ntables; t++) {
        const struct source_schema *tab = table_at(s, t);
        for (size_t i = 0; i < tab->nfields; i++)
            if (strcmp(tab->fields[i].name, name) == 0)
                return &tab->fields[i];
    }
    /* Longest prefix among dotted-argument fields: "<field>.<non-empty rest>".
     * Any other partial match fails (proc.namex is not proc.name). */
    const struct field_info *best = NULL;
    size_t bestlen = 0;
    for (size_t t = 0; t < ntables; t++) {
        const struct source_schema *tab = table_at(s, t);
        for (size_t i = 0; i < tab->nfields; i++) {
            const struct field_info *f = &tab->fields[i];
            if (!(f->flags & FF_ARG_DOTTED))
                continue;
            size_t len = strlen(f->name);
            if (len > bestlen && strncmp(name, f->name, len) == 0 && name[len] == '.' &&
                name[len + 1] != '\0') {
                best = f;
                bestlen = len;
            }
        }
    }
    if (best && dotted)
        *dotted = name + bestlen + 1;
    return best;
}

/* ---- field names for "did you mean" ---- */

struct name_cache {
    const struct source_schema *src;
    const char **names;
    size_t n;
};
static VEC(struct name_cache) name_caches;

const char *const *schema_field_names(const struct source_schema *s, size_t *n)
{
    if (n)
        *n = 0;
    if (!s)
        return NULL;
    for (size_t i = 0; i < name_caches.n; i++) {
        if (name_caches.v[i].src == s) {
            if (n)
                *n = name_caches.v[i].n;
            return name_caches.v[i].names;
        }
    }
    size_t total = 0, ntables = 1 + s->nextra;
    for (size_t t = 0; t < ntables; t++)
        total += table_at(s, t)->nfields;
    const char **names = xcalloc(total + 1, sizeof(*names));
    size_t k = 0;
    for (size_t t = 0; t < ntables; t++) {
        const struct source_schema *tab = table_at(s, t);
        for (size_t i = 0; i < tab->nfields; i++)
            if (!(tab->fields[i].flags & FF_HIDDEN))
                names[k++] = tab->fields[i].name;
    }
    names[k] = NULL;
    struct name_cache c = {s, names, k};
    VEC_PUSH(name_caches, c);
    if (n)
        *n = k;
    return names;
}

/* ---- built-in plugins ---- */

/* Versions: the plugin versions falco-fields.md was extracted from where
 * it names one, otherwise the highest version the official rules files
 * require (peer/rules required_plugin_versions). */
static const struct builtin_plugin builtin_plugins[] = {
    {"k8saudit", "0.18.0", "k8s_audit"},
    {"k8saudit-eks", "0.12.0", "k8s_audit"},
    {"k8saudit-gke", "0.9.0", "k8s_audit"},
    {"k8saudit-aks", "0.6.0", "k8s_audit"},
    {"k8saudit-ovh", "0.6.0", "k8s_audit"},
    {"cloudtrail", "0.17.1", "aws_cloudtrail"},
    {"github", "0.10.1", "github"},
    {"okta", "0.12.0", "okta"},
    {"json", "0.7.4", NULL},
    {"container", "0.4.0", NULL},
};

const struct builtin_plugin *schema_builtin_plugins(size_t *n)
{
    if (n)
        *n = COUNT(builtin_plugins);
    return builtin_plugins;
}

const struct builtin_plugin *schema_builtin_plugin(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < COUNT(builtin_plugins); i++)
        if (strcmp(builtin_plugins[i].name, name) == 0)
            return &builtin_plugins[i];
    return NULL;
}

/* ---- event table ---- */

/* Dense codes: the position in events.def. */
enum {
#define EVENT(id, cat, dirs, plist) EVC_##id,
#include "syscall/events.def"
#undef EVENT
    EVC_COUNT
};

/* Per-event parameter name and type arrays (evp_<name>, evt_<name>). */
#define P(n, t) #n,
#define EVENT(id, cat, dirs, plist) static const char *const evp_##id[] = {plist NULL};
#include "syscall/events.def"
#undef EVENT
#undef P

#define P(n, t) FT_##t,
#define EVENT(id, cat, dirs, plist) static const enum field_type evt_##id[] = {plist FT_COUNT};
#include "syscall/events.def"
#undef EVENT
#undef P

static const struct event_info events[EVC_COUNT] = {
#define EVENT(id, cat, d, plist)                                                                    \
    [EVC_##id] = {.name = #id, .code = EVC_##id, .params = evp_##id, .category = cat, .dirs = d,    \
                  .param_types = evt_##id},
#include "syscall/events.def"
#undef EVENT
};

_Static_assert(EVC_COUNT <= UINT16_MAX, "event codes must fit uint16_t");

/* Event indexes sorted by name, built on first use. */
static uint16_t *events_by_name;

static int cmp_event_idx(const void *a, const void *b)
{
    return strcmp(events[*(const uint16_t *)a].name, events[*(const uint16_t *)b].name);
}

static void build_event_index(void)
{
    if (events_by_name)
        return;
    uint16_t *idx = xmalloc(EVC_COUNT * sizeof(*idx));
    for (size_t i = 0; i < EVC_COUNT; i++)
        idx[i] = (uint16_t)i;
    qsort(idx, EVC_COUNT, sizeof(*idx), cmp_event_idx);
    events_by_name = idx;
}

const struct event_info *schema_event_by_name(const char *name)
{
    if (!name)
        return NULL;
    build_event_index();
    size_t lo = 0, hi = EVC_COUNT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, events[events_by_name[mid]].name);
        if (c == 0)
            return &events[events_by_name[mid]];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

size_t schema_event_count(void)
{
    return EVC_COUNT;
}

const struct event_info *schema_event(size_t code)
{
    return code < EVC_COUNT ? &events[code] : NULL;
}

bool schema_event_param_type(const char *param, enum field_type *out)
{
    if (!param)
        return false;
    for (size_t e = 0; e < EVC_COUNT; e++) {
        for (size_t i = 0; events[e].params[i]; i++) {
            if (strcmp(events[e].params[i], param) == 0) {
                if (out)
                    *out = events[e].param_types[i];
                return true;
            }
        }
    }
    return false;
}

bool schema_event_param_exists(const char *param)
{
    return schema_event_param_type(param, NULL);
}
