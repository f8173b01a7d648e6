/* alert.h: alerts in Falco's formats (falco-language.md 3.2, 3.3;
 * ecosystem.md 3.1): the text line `time: Priority output` and the JSON
 * object falcosidekick and the rest of Falco's tooling parse. */
#ifndef STOOP_ALERT_H
#define STOOP_ALERT_H

#include <stdbool.h>
#include <stdio.h>

#include "eval.h"

struct alert_opts {
    bool json;
    const char *hostname; /* FALCO_HOSTNAME overrides gethostname() */
    bool time_iso8601;    /* time_format_iso_8601 */
};

/* Writes one alert line for `rule` matching `ev` (output fields come
 * memoised from the ruleset). */
void alert_write(FILE *out, const struct alert_opts *opts, struct ruleset *rs,
                 const struct rule_def *rule, const struct event *ev);

#endif
