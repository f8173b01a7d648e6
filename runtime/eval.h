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
#include "source.h"

enum rule_matching { MATCH_FIRST, MATCH_ALL };

/* Which rules run (5.2): rules of the source, at least as severe as
 * min_priority, enabled by their flag unless a selection overrides it. */
struct rule_selection {
    enum priority min_priority;          /* PRIO_DEBUG: all */
    const char *const *disable_patterns; /* rule-name globs ('*' wildcard) */
    size_t ndisable;
    const char *const *enable_tags;      /* enable every rule with one of these tags */
    size_t nenable_tags;
};

struct ruleset; /* opaque: the rules of one source, prepared for evaluation */

/* Prepares the compiled rules of `source` for evaluation. Rules that did not
 * compile are left out (the front end reported them). */
struct ruleset *ruleset_new(const struct program *p, const char *source,
                            const struct rule_selection *sel);
void ruleset_free(struct ruleset *rs);
size_t ruleset_size(const struct ruleset *rs);

/* Evaluates the rules on one event, in Falco's order; calls on_match for the
 * first matching rule (MATCH_FIRST) or each matching rule (MATCH_ALL).
 * Every field is extracted at most once per event. Returns the number of
 * matches. */
typedef void (*match_fn)(void *ctx, const struct rule_def *rule, const struct event *ev,
                         struct ruleset *rs);
size_t ruleset_eval(struct ruleset *rs, const struct event *ev, enum rule_matching mode,
                    match_fn on_match, void *ctx);

/* The memoised value of a field for the event being evaluated (used by the
 * alert formatter for output fields, so they are extracted once too). */
const struct fvalues *ruleset_field(struct ruleset *rs, const struct event *ev,
                                    const struct operand *field);

/* Explains a non-match for `stoop test`: a short description of the first
 * check of the rule's condition that was false (or NULL). Caller frees. */
char *ruleset_explain_false(struct ruleset *rs, const struct rule_def *rule,
                            const struct event *ev);

#endif
