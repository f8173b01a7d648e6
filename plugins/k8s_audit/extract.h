/* extract.h: the ka.* field extractor of the k8s_audit source
 * (falco-fields.md section 2, quirks of sections 8 and 8.1). */
#ifndef STOOP_K8S_AUDIT_EXTRACT_H
#define STOOP_K8S_AUDIT_EXTRACT_H

#include <stdbool.h>

#include "../source.h" /* plugins/source.h, not compiler/source.h */

/* Extracts one ka.* field (f->info must point into the k8s_audit table of
 * schema.h) from ev->root. Values are strings (every ka.* field is CHARBUF)
 * in arena or document memory; a list field gives one fvalue per element.
 * out->n == 0 means "not extracted": a missing path, an event without
 * auditID, an empty list, or an error the plugin reports (wrong JSON type,
 * malformed requestURI...). Returns false only when f is not a field of the
 * k8s_audit table (out->n is then 0 too). */
bool k8s_audit_extract(const struct event *ev, const struct field_ref *f, struct arena *a,
                       struct fvalues *out);

/* True if f names a field of the k8s_audit table this extractor knows
 * (every row of plugins/k8s_audit/fields.def). */
bool k8s_audit_field_known(const struct field_info *f);

#endif
