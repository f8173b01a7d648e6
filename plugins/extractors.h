/* extractors.h: the field extractors of each source, with the signature of
 * source_plugin.extract (source.h). plugins/<source>/extract.c implement
 * them; plugins/sources.c wires them into the source table. */
#ifndef STOOP_EXTRACTORS_H
#define STOOP_EXTRACTORS_H

#include "source.h"

/* The sources' own tables (falco-fields.md 2 to 5, 7). */
bool k8s_audit_extract(const struct event *ev, const struct field_ref *f, struct arena *a,
                       struct fvalues *out);
bool aws_cloudtrail_extract(const struct event *ev, const struct field_ref *f, struct arena *a,
                            struct fvalues *out);
bool github_extract(const struct event *ev, const struct field_ref *f, struct arena *a,
                    struct fvalues *out);
bool okta_extract(const struct event *ev, const struct field_ref *f, struct arena *a,
                  struct fvalues *out);
/* The syscall table, evt.* included (source_plugin.extracts_evt), for
 * stoop's synthetic syscall events (plugins/syscall). */
bool syscall_extract(const struct event *ev, const struct field_ref *f, struct arena *a,
                     struct fvalues *out);

/* Offered to every source: the generic evt.* class (plugins/generic,
 * falco-fields.md 1) and the json plugin's json.* / jevt.* (plugins/json,
 * falco-fields.md 6). `sp` is the event's source. */
bool generic_extract(const struct source_plugin *sp, const struct event *ev,
                     const struct field_ref *f, struct arena *a, struct fvalues *out);
bool json_extract(const struct event *ev, const struct field_ref *f, struct arena *a,
                  struct fvalues *out);

#endif
