/* extract.h: the okta.* field extractor of the okta source
 * (falco-fields.md section 5, as the okta plugin's okta.go does it). */
#ifndef STOOP_OKTA_EXTRACT_H
#define STOOP_OKTA_EXTRACT_H

#include <stdbool.h>

#include "../source.h" /* plugins/source.h, not compiler/source.h */

/* The extractor is also declared in plugins/extractors.h (the source table
 * uses that); this header adds what is particular to the source. */

/* Extracts one field of the okta table (f->info must point into it) from
 * ev->root, one System Log LogEvent. Strings are NUL-terminated, in
 * document or arena memory; okta.security.asnumber and the countlast
 * fields are numbers (fvalue.as.u). out->n == 0 means "not extracted".
 * Returns false only when f is not a field of the table.
 *
 * Not thread-safe across threads sharing a run: the per-event decode and the
 * MFA counters are thread-local state (one run per thread). */
bool okta_extract(const struct event *ev, const struct field_ref *f, struct arena *a,
                  struct fvalues *out);

/* True if f is a row of plugins/okta/fields.def. */
bool okta_field_known(const struct field_info *f);

/* Forgets the MFA counters of okta.mfa.*.countlast and the cached decode of
 * the last event: call it when a run starts (the extractor also does it by
 * itself when evt.num goes back, i.e. a new run begins at 1) and to free the
 * memory at the end. */
void okta_extract_reset(void);

/* The plugin's configured `organization`, the value of okta.org ("" until
 * set). The string is copied; NULL means "". */
void okta_extract_set_org(const char *org);

#endif
