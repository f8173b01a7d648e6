/* program.h: what the front end builds.
 *
 * read_yaml.c turns a file into a tree of `struct ynode`s with spans;
 * collect_items.c applies each item to the `struct program` with Falco's
 * define / append / override semantics (falco-language.md 1); then
 * pipeline.c compiles the program: desugar exceptions, substitute lists,
 * parse, resolve macros, check types, infer event types. The result, rules
 * with typed condition trees and outputs per source, is what the
 * interpreter runs and code generation compiles. */
#ifndef STOOP_PROGRAM_H
#define STOOP_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"
#include "source.h"
#include "types.h"

struct source_schema;

/* ---- YAML tree (read_yaml.c) ---- */

enum ynode_kind { YN_NULL, YN_SCALAR, YN_SEQ, YN_MAP };

struct ynode {
    enum ynode_kind kind;
    struct span span; /* the node's text in the file */
    /* YN_SCALAR: the decoded value, and the same text mapped back to the
     * file byte by byte wherever the YAML style allows it. */
    struct mapped_text scalar;
    bool plain; /* an unquoted plain scalar (so `yes`/`null` may be special) */
    /* YN_SEQ: items; YN_MAP: keys[i] -> items[i], in document order. */
    struct ynode **items;
    struct ynode **keys;
    size_t n;
};

/* Parses every YAML document of a file. Returns the documents (each a
 * ynode, YN_NULL for empty ones) or NULL after reporting
 * LOAD_ERR_YAML_PARSE. Never reads past the file; never crashes on bad
 * input. */
struct ynode **yaml_read(struct source_set *src, uint32_t file, struct diag_list *dl,
                         size_t *ndocs);
void ynode_free(struct ynode *n);
/* Mapping lookup by key text; NULL if absent. */
const struct ynode *ynode_get(const struct ynode *map, const char *key);

/* ---- Items (collect_items.c) ---- */

struct list_item {
    char *text;
    struct span span;
};

struct list_def {
    char *name;
    struct span name_span; /* the value of `list:` of the first definition */
    struct list_item *items;
    size_t nitems;
    int index;      /* counter at first definition */
    int visibility; /* counter at latest define/append/override */
    bool used;
};

struct macro_def {
    char *name;
    struct span name_span;
    struct mapped_text cond; /* condition text, appends included */
    int index, visibility;
    bool used;
    /* Compile state (pipeline.c). */
    struct expr *ast;   /* parsed, lists substituted; NULL if it failed */
    bool checked;       /* its references were checked (resolve_macros.c) */
    bool resolved;      /* ... and all exist, are visible and loop-free */
    bool resolving;     /* being checked: loop detection */
};

/* A value of an exception tuple: a scalar, or a list of scalars. */
struct exc_value {
    char *text; /* scalar text; NULL for a list */
    struct span span;
    struct exc_value *items;
    size_t n;
};

struct exception_def {
    char *name;
    struct span span;
    struct list_item *fields; /* one entry when fields_is_list is false */
    size_t nfields;
    bool fields_is_list;
    struct list_item *comps; /* after defaulting (1.8): same count as fields */
    size_t ncomps;
    bool comps_is_list;
    /* values: sequence of tuples (fields_is_list) or of scalars */
    struct exc_value *values;
    size_t nvalues;
    /* Came from `override: {exceptions: replace}`: Falco skips the 1.8
     * defaulting and validation for these (comps may be missing). */
    bool unchecked;
};

struct rule_def {
    char *name;
    struct span name_span;
    uint32_t file;           /* file of the first definition */
    struct mapped_text cond; /* appends included, exceptions not yet desugared */
    struct mapped_text output;
    struct mapped_text desc;
    enum priority priority;
    char *source; /* "syscall" by default */
    struct span source_span;
    bool enabled;
    char **tags; /* sorted, unique */
    size_t ntags;
    struct exception_def *exceptions;
    size_t nexceptions;
    bool warn_evttypes;
    bool skip_if_unknown_filter;
    bool capture;
    uint64_t capture_duration; /* ms as written */
    int index, visibility;

    /* Compile results (pipeline.c); rebuilt by every compile. */
    const struct source_schema *schema; /* NULL: unknown source */
    struct mapped_text full_cond;      /* desugared, lists substituted */
    struct expr *ast;                  /* typed tree; NULL if compilation failed */
    struct output_format output_fmt;
    bool compiled_ok;  /* no errors in condition or output */
    bool dropped;      /* skip-if-unknown-filter dropped it */
    /* Syscall rules: inferred event codes (schema_event codes), sorted. */
    uint16_t *evttypes;
    size_t nevttypes;
    bool evttypes_all; /* no restriction */
    char **macros_used, **lists_used; /* names, in first-use order */
    size_t nmacros_used, nlists_used;
};

struct plugin_req {
    char *name;
    char *version;
    struct span span;
};

struct plugin_req_group {
    struct plugin_req *alts; /* first entry = the requirement, the rest alternatives */
    size_t n;
};

struct program {
    struct source_set src;
    struct diag_list diags;
    int counter; /* Falco's global define/append/override counter */
    struct list_def **lists;
    size_t nlists, caplists;
    struct macro_def **macros;
    size_t nmacros, capmacros;
    struct rule_def **rules; /* in order of first definition = matching order */
    size_t nrules, caprules;
    char *required_engine_version; /* highest seen, or NULL */
    struct plugin_req_group *plugin_reqs;
    size_t nplugin_reqs, capplugin_reqs;
    struct program_index *index; /* name lookup, kept in sync lazily (program.c) */
};

void program_init(struct program *p);
void program_free(struct program *p);
struct list_def *program_find_list(const struct program *p, const char *name);
struct macro_def *program_find_macro(const struct program *p, const char *name);
struct rule_def *program_find_rule(const struct program *p, const char *name);
/* The rule compiled to a typed tree and was not dropped: it can run. */
bool rule_is_compiled(const struct rule_def *r);
/* The one source the compiled rules use, or NULL (none, or several). */
const char *program_only_source(const struct program *p);
/* Append an item (taking ownership) at the end of its array. */
void program_add_list(struct program *p, struct list_def *l);
void program_add_macro(struct program *p, struct macro_def *m);
void program_add_rule(struct program *p, struct rule_def *r);

/* Frees the definition parts of a rule (cond, output, desc, source, tags,
 * exceptions), leaving name, index and compile results alone. */
void rule_def_clear(struct rule_def *r);
void exception_def_free(struct exception_def *e);
void exc_value_free(struct exc_value *v);

/* Frees the compile-result members of a rule (ast, output_fmt, full_cond,
 * evttypes, macros_used, lists_used) if set, leaving the definition
 * intact. Implemented in pipeline.c; program_free calls it. */
void rule_compile_results_free(struct rule_def *r);

/* Reads one file (already added to p->src) and applies its items in order.
 * Every problem becomes a diagnostic; returns false if the file had errors. */
bool collect_file(struct program *p, uint32_t file);

/* Builds the condition text Falco compiles for a rule: "(" cond ")" plus
 * one " and not (...)" per exception (1.8). */
struct mapped_text exceptions_desugar(const struct rule_def *r);

/* The compile-time exception checks of 1.8 that need no schema: comps
 * operators (and the single-field comps rule), tuple length vs fields,
 * single-field values that are lists. Records LOAD_ERR_VALIDATE errors in
 * p->diags; returns false if there were any. */
bool exceptions_validate(struct program *p, struct rule_def *r);

/* append_precedence.c: STOOP_APPEND_PRECEDENCE when `added` starts with
 * 'and' and `base` has a top-level 'or' (kind: "macro" or "rule"). */
void warn_append_precedence(struct diag_list *dl, const struct mapped_text *base,
                            const struct mapped_text *added, const char *kind, const char *item);

/* The engine version stoop reports (compatible with Falco 0.44). */
#define STOOP_ENGINE_VERSION "0.62.0"

#endif
