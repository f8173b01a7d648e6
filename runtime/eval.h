/* eval.h: the reference interpreter. It evaluates the checked condition
 * trees of the front end (compiler/program.h) directly, with Falco's
 * semantics (falco-language.md 2.4 and 5), over events of one source. It is
 * the semantic reference native code must match, and its baseline. */
#ifndef STOOP_EVAL_H
#define STOOP_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program.h"
#include "../plugins/source.h" /* not compiler/source.h, which the include path finds first */
#include "native_abi.h"

enum rule_matching { MATCH_FIRST, MATCH_ALL };

/* Which rules run (5.2): rules of the source, at least as severe as
 * min_priority, enabled by their flag unless a selection overrides it.
 *
 * Order of application, as Falco applies its `rules:` selection entries
 * one after another on the engine's ordered list of enabled rules:
 *   1. rules of the source that compiled (compiled_ok, not dropped) and are
 *      at least as severe as min_priority are candidates; the others can
 *      never run, whatever the selection says;
 *   2. the candidates whose `enabled` flag is true are enabled, in rule
 *      order (order of first definition across the loaded files);
 *   3. each disable pattern, in the given order, disables every enabled
 *      rule whose full name matches it ('*' matches any run of
 *      characters, every other character itself; no '?' or classes);
 *   4. each enable tag, in the given order, enables every candidate having
 *      that tag (also rules with `enabled: false`, also rules a pattern of
 *      step 3 disabled). As in Falco, a rule enabled here that was not
 *      already enabled is appended at the END of the evaluation order
 *      (candidates enabled by one tag are appended in rule order); a rule
 *      already enabled keeps its place.
 * So `--disable-rule '*' --enable-tag k8s` runs exactly the rules tagged
 * k8s, and a disable pattern cannot take back a rule a tag enables. */
struct rule_selection {
    enum priority min_priority;          /* PRIO_DEBUG: all */
    const char *const *disable_patterns; /* rule-name globs ('*' wildcard) */
    size_t ndisable;
    const char *const *enable_tags;      /* enable every rule with one of these tags */
    size_t nenable_tags;
};

struct ruleset; /* opaque: the rules of one source, prepared for evaluation */

/* Prepares the compiled rules of `source` for evaluation. Rules that did not
 * compile are left out (the front end reported them). The ruleset points
 * into `p` (rules, trees, compiled regexes): `p` must outlive it. Every
 * distinct field reference of the candidate rules' conditions and outputs
 * (field + argument + dotted suffix, or a whole transformer expression) gets
 * a slot, extracted lazily at most once per event into a per-event arena.
 * A ruleset is not thread-safe (one per thread); ruleset_new JIT-compiles
 * the program's regexes, so make the rulesets of one program one at a time. */
struct ruleset *ruleset_new(const struct program *p, const char *source,
                            const struct rule_selection *sel);
void ruleset_free(struct ruleset *rs);
/* Number of enabled rules, and the i-th of them in evaluation order. */
size_t ruleset_size(const struct ruleset *rs);
const struct rule_def *ruleset_rule(const struct ruleset *rs, size_t i);

/* Where field values come from: by default source_extract() with the
 * source's plugin (source_plugin_find(source); no plugin: nothing is ever
 * extracted). Tests and native code may install another extractor with the
 * same contract (false or n == 0: not extracted; values valid until the
 * arena is reset, once per event). Numeric values go in as.u (unsigned
 * types), as.i (signed types), a DOUBLE's bits in as.u; FF_ANCESTOR fields
 * used without an argument (proc.aname) extract every ancestor, and a
 * comparison is true if it holds for any of them. */
typedef bool (*ruleset_extract_fn)(void *ctx, const struct event *ev, const struct field_ref *f,
                                   struct arena *a, struct fvalues *out);
void ruleset_set_extractor(struct ruleset *rs, ruleset_extract_fn fn, void *ctx);

/* Number of slots, and how many field extractions ran since the ruleset was
 * made (for tests and statistics). */
size_t ruleset_nslots(const struct ruleset *rs);
uint64_t ruleset_extractions(const struct ruleset *rs);

/* Evaluates the rules on one event, in Falco's order; calls on_match for the
 * first matching rule (MATCH_FIRST) or each matching rule (MATCH_ALL).
 * Every field is extracted at most once per event. Returns the number of
 * matches. */
typedef void (*match_fn)(void *ctx, const struct rule_def *rule, const struct event *ev,
                         struct ruleset *rs);
size_t ruleset_eval(struct ruleset *rs, const struct event *ev, enum rule_matching mode,
                    match_fn on_match, void *ctx);

/* Evaluates the rules again on the event last evaluated, keeping the field
 * values already extracted (a shared macro is still evaluated again): for
 * measuring the rule logic apart from extraction (bench_runtime). */
size_t ruleset_eval_warm(struct ruleset *rs, const struct event *ev, enum rule_matching mode,
                         match_fn on_match, void *ctx);

/* The memoised value of a field for the event being evaluated (used by the
 * alert formatter for output fields, so they are extracted once too).
 * `field` is an OPND_FIELD or OPND_TRANSFORM operand, typically a token of a
 * rule's output_fmt. Never NULL: n == 0 when the value is missing. Valid
 * until the next event is evaluated. Called with an event other than the
 * one last evaluated, it starts that event (fresh extraction); events are
 * told apart by address, num, root, input and offset, so a caller reusing
 * one struct event must change num (or offset) from one event to the next.
 * ruleset_eval always starts a new event. */
const struct fvalues *ruleset_field(struct ruleset *rs, const struct event *ev,
                                    const struct operand *field);

/* Native code for the rules of this ruleset's source: `eval` (that source's
 * entry in a module generated from the same program), the module's memo
 * size and its slot keys (operand_value_key of each native slot, in the
 * module's numbering), and its rule guards: with guards, each event runs
 * only the rules dispatch.c selects. From then on ruleset_eval runs the native code;
 * field values, outputs and explanations still come from the ruleset. */
struct native_binding {
    native_eval_fn eval;
    uint32_t nmemo;
    const char *const *slot_keys;
    size_t nslots;
    const struct native_guard *guards; /* rule guards, for the dispatch index */
    size_t nguards;
};
bool ruleset_set_native(struct ruleset *rs, const struct native_binding *b);

/* Explains a non-match for `stoop test`: a short description of the first
 * check of the rule's condition that was false (or NULL when the rule
 * matches, or is not a compiled rule of this ruleset's source; it need not
 * be enabled). Examples:
 *   ka.verb = create: ka.verb is "get"
 *   ka.user.name exists: not extracted
 *   not ka.target.namespace in (kube-system, default) (in macro 'ns'): ka.target.namespace is "default"
 * Caller frees. */
char *ruleset_explain_false(struct ruleset *rs, const struct rule_def *rule,
                            const struct event *ev);

#endif
