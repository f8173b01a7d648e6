/* decode.h: the event sources (their decoders and timestamps), and the
 * helpers they share. source_plugin_find() (plugins/sources.c) is how the
 * rest of stoop reaches them. */
#ifndef STOOP_DECODE_H
#define STOOP_DECODE_H

#include "source.h"

extern const struct source_plugin k8s_audit_source;
extern const struct source_plugin aws_cloudtrail_source;
extern const struct source_plugin github_source;
extern const struct source_plugin okta_source;
extern const struct source_plugin json_source;
extern const struct source_plugin syscall_source; /* synthetic events (syscall/decode.c) */

/* RFC 3339 date-time, as Go's time.Parse(time.RFC3339Nano) reads it:
 * YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM), fields range-checked
 * (day within its month), no locale or time zone database involved.
 * Fractions beyond nanoseconds are truncated. Fails for times before 1970. */
bool rfc3339_parse(const char *s, size_t n, uint64_t *ns_out);
/* The same, reading the string member `key` of object `obj`. */
bool json_member_time(json_ref obj, const char *key, uint64_t *ns_out);

#endif
