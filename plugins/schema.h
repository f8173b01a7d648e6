/* schema.h: the field schemas of the event sources, as data.
 *
 * Each source's table lives in plugins/<source>/fields.def (X-macro rows,
 * see plugins/README.md for the row format). This header is the lookup API
 * the checker, `stoopc fields`, the runtime extractors and the schema hash
 * a ruleset is checked against use.
 * It lives in plugins/ because both the compiler and the runtime use it. */
#ifndef STOOP_SCHEMA_H
#define STOOP_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types.h"

/* Field flags (libsinsp EPF_* and stoop's own). */
#define FF_ARG_REQUIRED   0x0001u /* needs [arg] (or a dotted suffix) */
#define FF_ARG_ALLOWED    0x0002u /* may take [arg] */
#define FF_ARG_INDEX      0x0004u /* argument may be an unsigned index */
#define FF_ARG_KEY        0x0008u /* argument may be a free-text key */
#define FF_ARG_DOTTED     0x0010u /* argument is a dotted suffix: evt.arg.<name> */
#define FF_IS_LIST        0x0020u /* extracts zero or more values */
#define FF_NO_RHS         0x0040u /* cannot be used with val() / on the right */
#define FF_NO_TRANSFORMER 0x0080u
#define FF_FILTER_ONLY    0x0100u /* not meant for outputs */
#define FF_DEPRECATED     0x0200u
#define FF_HIDDEN         0x0400u /* TABLE_ONLY / PRINT_ONLY in libsinsp */
#define FF_ANCESTOR       0x0800u /* proc.a*: true if any ancestor matches */

struct field_info {
    const char *name;  /* "ka.user.name" */
    enum field_type type;
    unsigned flags;    /* FF_* */
    const char *desc;  /* one-line description */
    /* For JSON sources: the path the field reads (informational for now;
     * the extractors of the runtime use it). NULL for syscall fields. */
    const char *path;
};

struct source_schema {
    const char *name;     /* "k8s_audit" */
    const char *plugin;   /* Falco plugin that provides it ("k8saudit"), or NULL */
    const struct field_info *fields;
    size_t nfields;
    /* Other field tables offered to this source (the generic evt.* class,
     * json.*); searched after `fields`, one level deep (the extras of an
     * extra table are not searched). */
    const struct source_schema *const *extra;
    size_t nextra;
};

/* All known sources: syscall, k8s_audit, aws_cloudtrail, github, okta, json. */
const struct source_schema *const *schema_sources(size_t *n);
const struct source_schema *schema_source(const char *name);

/* A hash of every field table (names, types, flags, extra tables) and the
 * syscall event table: native code bakes field types and slot identities
 * in, so a ruleset built against other schemas must not run. */
uint64_t schema_hash(void);

/* Looks up a field name as written (without [arg]) for a source, with
 * libsinsp's longest-prefix rule for dotted arguments: "evt.arg.flags"
 * finds evt.arg (FF_ARG_DOTTED) and sets *dotted to "flags" (pointer into
 * name). Returns NULL if the source has no such field. */
const struct field_info *schema_lookup(const struct source_schema *s, const char *name,
                                       const char **dotted);

/* Every field name of a source (and its extra tables), for "did you mean".
 * Returns a static NULL-terminated array owned by the schema module. */
const char *const *schema_field_names(const struct source_schema *s, size_t *n);

/* Plugins whose requirements stoop satisfies with built-in sources, with
 * the version stoop stands in for (required_plugin_versions, 1.3). */
struct builtin_plugin {
    const char *name;
    const char *version;
    const char *source; /* event source it provides ("k8s_audit"), NULL for
                         * extractor-only plugins (json, container) */
};
const struct builtin_plugin *schema_builtin_plugins(size_t *n);
/* The built-in plugin of that name, or NULL. */
const struct builtin_plugin *schema_builtin_plugin(const char *name);

/* Syscall event table (plugins/syscall/events.def). */
enum event_category { EC_SYSCALL, EC_TRACEPOINT, EC_PLUGIN, EC_META };
#define ED_ENTER 1u /* Falco lists an enter form (">") of the event */
#define ED_EXIT  2u /* ... an exit form ("<") */
struct event_info {
    const char *name;    /* "open" */
    uint16_t code;       /* stoop's dense event code (0..n-1), enter and exit share it */
    const char *const *params; /* parameter names of the enter and exit forms, NULL-terminated */
    /* Additions: */
    enum event_category category;
    unsigned dirs;       /* ED_ENTER | ED_EXIT */
    const enum field_type *param_types; /* parallel to params (FT_DYN for DYNAMIC) */
};
const struct event_info *schema_event_by_name(const char *name);
size_t schema_event_count(void);
const struct event_info *schema_event(size_t code);
/* True if some event has a parameter of that name (evt.arg.<name>). */
bool schema_event_param_exists(const char *param);
/* Type of the parameter in the first event (file order) that has it, the
 * type of evt.rawarg.<param>; false if no event has it. */
bool schema_event_param_type(const char *param, enum field_type *out);

#endif
