/* extract.h: the github.* field extractor of the github source
 * (falco-fields.md section 4, as the github plugin's extract.go does it). */
#ifndef STOOP_GITHUB_EXTRACT_H
#define STOOP_GITHUB_EXTRACT_H

#include <stdbool.h>

#include "../source.h" /* plugins/source.h, not compiler/source.h */

/* The extractor is also declared in plugins/extractors.h (the source table
 * uses that); this header adds what is particular to the source. */

/* Extracts one field of the github table (f->info must point into it) from
 * ev->root, one webhook payload with the plugin's keys (webhook_type, and
 * files / workflow_miner_detections when present). Every field is a
 * NUL-terminated string in document or arena memory; most are "" rather
 * than absent when their key is missing. out->n == 0 means "not
 * extracted". Returns false only when f is not a field of the table. */
bool github_extract(const struct event *ev, const struct field_ref *f, struct arena *a,
                    struct fvalues *out);

/* True if f is a row of plugins/github/fields.def. */
bool github_field_known(const struct field_info *f);

#endif
