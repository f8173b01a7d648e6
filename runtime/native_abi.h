/* native_abi.h: the contract between native code (compiler/generate_code.c
 * lowers the rules to it; JIT or a ruleset shared object carries it) and
 * the runtime that calls it (runtime/eval.c).
 *
 * Native code evaluates conditions only. Field values, transformers and
 * the per-event memo stay in the runtime's ruleset (eval.c), so a field is
 * extracted at most once per event whichever engine asks, and alerts are
 * formatted by the same code. Checks the generator does not lower inline
 * (modifiers, list-valued fields, field-vs-field, regex, pmatch) call back
 * into the interpreter's node for that check, so both engines share one
 * definition of every operator.
 *
 * Any change to this file or to struct fvalue/fvalues (plugins/source.h)
 * must bump STOOP_NATIVE_ABI: the runtime refuses rulesets built for
 * another ABI. */
#ifndef STOOP_NATIVE_ABI_H
#define STOOP_NATIVE_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../plugins/source.h"

#define STOOP_NATIVE_ABI 3

/* A slot's value as last fetched: valid while gen == native_ctx.gen. */
struct native_slot_value {
    uint64_t gen;
    struct fvalues v;
};

struct native_ctx {
    void *rt; /* the runtime's struct ruleset */
    /* The memoised value of slot `slot` (never NULL; n == 0: not extracted). */
    const struct fvalues *(*slot)(void *rt, uint32_t slot);
    /* Evaluates check number `check` (preorder over the rule's typed tree,
     * through macro bodies) of rule `rule` (index in the program's rules)
     * with the interpreter. */
    bool (*check)(void *rt, uint32_t rule, uint32_t check);
    /* Event generation (changes with every event): slot values in `cache`
     * carry it. */
    uint64_t gen;
    /* The memo of shared macros: memo[i] == memo_gen * 2 + result when
     * computed in this evaluation (memo_gen changes with every evaluation
     * of the rules, also of the same event). */
    uint64_t *memo;
    uint64_t memo_gen;
    /* Per native slot: the value slot() returned for this event, so a
     * second use costs a compare, not a call. */
    struct native_slot_value *cache;
};

/* A guard: a necessary condition of a rule the code generator found (a
 * top-level conjunct `field = "c"` or `field in ("a", "b")` on a string
 * field): the rule can only match when the first value of native slot
 * `slot` is one of `values`. The runtime indexes rules by their guards
 * (runtime/dispatch.c) and evaluates only the rules an event can match. */
struct native_guard {
    uint32_t rule; /* index in the program's rules */
    uint32_t slot;
    char **values; /* may hold any byte; lens gives each length */
    size_t *lens;
    size_t nvalues;
    /* Optional second conjunct, on another field (nvalues2 == 0: none):
     * the rule can only match when slot2's first value is also one of
     * values2. The runtime then indexes the pair of values. */
    uint32_t slot2;
    char **values2;
    size_t *lens2;
    size_t nvalues2;
};

/* Kinds of guard (a field, or a pair of fields) a module may use: the
 * runtime looks each up once per event. */
#define NATIVE_MAX_GUARD_KINDS 8

/* Frees what a guard owns (the generator and the manifest reader both
 * build guards). */
static inline void native_guard_clear(struct native_guard *g)
{
    for (size_t v = 0; v < g->nvalues; v++)
        free(g->values[v]);
    free(g->values);
    free(g->lens);
    for (size_t v = 0; v < g->nvalues2; v++)
        free(g->values2[v]);
    free(g->values2);
    free(g->lens2);
}

/* A constant string set, as the generator lays it out for a long `in`
 * list: an open-addressing table of `mask + 1` entries (s == NULL: empty)
 * hashed with native_strtab_hash and `seed`, chosen so that most values
 * sit in their home entry (a perfect hash when the search finds one). */
struct native_strtab_entry {
    const char *s;
    uint64_t len;
};

static inline uint64_t native_strtab_hash(const char *s, size_t n, uint64_t seed)
{
    uint64_t h = 0xcbf29ce484222325ull ^ (seed * 0x9e3779b97f4a7c15ull);
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h ^ (h >> 29);
}

/* Per source: evaluates the rules order[0..n) (indexes in the program's
 * rules) in that order, writes the matching ones to matched[] and stops
 * after the first unless `all`. Returns the number of matches. */
typedef uint32_t (*native_eval_fn)(struct native_ctx *c, const uint32_t *order, uint32_t n,
                                   uint32_t all, uint32_t *matched);

/* The entry of each source a module has rules for; the memo size, slot
 * keys and guards travel beside the code (the manifest, or the JIT's
 * native_module). */
#define NATIVE_SYM_EVAL_PREFIX "stoop_eval_" /* + source name ("stoop_eval_k8s_audit") */
/* Shared objects only: the manifest (JSON text, NUL-terminated) in its own
 * ELF section, so a loader can read it without running the object. */
#define NATIVE_MANIFEST_SECTION ".stoop_manifest"
#define NATIVE_SYM_MANIFEST "stoop_manifest"

#endif
