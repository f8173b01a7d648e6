/* extract.h: the field extractor of stoop's synthetic syscall source
 * (decode.c describes the event format, extract.c the field lookup). */
#ifndef STOOP_SYSCALL_EXTRACT_H
#define STOOP_SYSCALL_EXTRACT_H

#include <stdbool.h>

#include "../source.h" /* plugins/source.h, not compiler/source.h */

/* The extractor is also declared in plugins/extractors.h (the source table
 * uses that); this header adds what is particular to the source. */

/* Extracts one field of the syscall table (f->info must point into it) from
 * ev->root, one synthetic event: evt.type and evt.dir from the event, the
 * generic evt.* class (evt.num, evt.time...) through generic_extract, the
 * rest from the event's "fields" object. Strings live in document or arena
 * memory and are NUL-terminated. out->n == 0 means "not extracted" (a
 * missing key, or a value of the wrong JSON type). Returns false only when
 * f is not a field of the table (out->n is then 0 too). */
bool syscall_extract(const struct event *ev, const struct field_ref *f, struct arena *a,
                     struct fvalues *out);

/* True if f is a row of plugins/syscall/fields.def. */
bool syscall_field_known(const struct field_info *f);

/* The event-table entry of an event's "evt.type", or NULL when it has no
 * string evt.type or names no known event (decode.c). */
const struct event_info *syscall_event_info(json_ref ev);

#endif
