/* passes.h: the compile passes after collection, in pipeline order, and
 * the state they share. pipeline.c calls them; each lives in the file named
 * for it. */
#ifndef STOOP_PASSES_H
#define STOOP_PASSES_H

#include "program.h"
#include "util.h"

struct source_schema;

/* A list's items after Falco's one-level list-in-list expansion (1.7). */
struct list_expansion {
    const char **items; /* borrowed from list_def items */
    struct span *spans;
    size_t n;
};

struct compile_ctx {
    struct program *p;
    struct diag_list *dl;
    struct strmap list_by_name;  /* name -> (list position + 1) as uintptr_t */
    struct strmap macro_by_name; /* name -> struct macro_def * */
    struct list_expansion *expanded; /* per p->lists entry */
    /* Positions of the (rare, invalid) list names containing delimiters,
     * which cannot be found as words. */
    size_t *odd_lists;
    size_t nodd_lists;
    /* macro name -> struct name_set * of the lists substituted in its text */
    struct strmap macro_lists;
    /* The rule being compiled (for "used by rule" context), or NULL. */
    const struct rule_def *rule;
};

/* A small ordered set of names. */
struct name_set {
    char **v;
    size_t n;
};
void name_set_add(struct name_set *s, const char *name);
void name_set_free(struct name_set *s);

/* resolve_lists.c: one-level list-in-list expansion, then Falco's textual
 * substitution of list names in a condition (2.9), with stoop's warnings
 * where the substitution is surprising. `owner` names the macro or rule. */
void lists_expand(struct compile_ctx *cc);
void lists_substitute(struct compile_ctx *cc, struct mapped_text *text, const char *owner,
                      struct name_set *used);
void lists_expansion_free(struct compile_ctx *cc);

/* resolve_macros.c: fills EXPR_MACRO_REF bodies. For a macro, only macros
 * with index < its visibility are visible; for rules, every macro. Returns
 * false after recording an error (undefined macro, reference loop). */
bool macros_resolve_macro(struct compile_ctx *cc, struct macro_def *m);
bool macros_resolve_rule(struct compile_ctx *cc, struct rule_def *r);

/* check_types.c: resolves fields against the rule's schema, types every
 * operand, converts constants, emits condition warnings. Returns false if
 * the rule has errors. Also compiles the output format. */
bool check_rule_condition(struct compile_ctx *cc, struct rule_def *r);
bool check_rule_output(struct compile_ctx *cc, struct rule_def *r);
/* Validates exception field names against the schema (1.8). */
bool check_exception_fields(struct compile_ctx *cc, struct rule_def *r);

/* infer_evttypes.c: event-type inference for syscall rules (5.3), with
 * LOAD_NO_EVTTYPE and STOOP_NEVER_TRUE. */
void infer_evttypes(struct compile_ctx *cc, struct rule_def *r);

/* Runs every pass over the program loaded so far. Called after each file,
 * as Falco recompiles everything after each load. */
void compile_program(struct program *p);

#endif
