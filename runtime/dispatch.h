/* dispatch.h: selecting the rules an event can match by their guards
 * (dispatch.c). */
#ifndef STOOP_DISPATCH_H
#define STOOP_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "native_abi.h"

struct dispatch;

/* Guard kinds looked up per event at most (native_abi.h); guards of
 * further kinds are treated as absent. */
#define DISPATCH_MAX_FIELDS NATIVE_MAX_GUARD_KINDS
/* Fewer enabled rules than this run without the index (eval.c). */
#define DISPATCH_MIN_RULES 64

/* order[0..norder): program rule indexes in evaluation order (kept, not
 * copied); guards of rules not in it are ignored. */
struct dispatch *dispatch_new(const struct native_guard *guards, size_t nguards,
                              const uint32_t *order, size_t norder, uint32_t nrules);
void dispatch_free(struct dispatch *d);

/* Writes to out (room for norder) the program rule indexes an event can
 * match, in evaluation order; `slot` gives a native slot's value. */
size_t dispatch_select(struct dispatch *d, const struct fvalues *(*slot)(void *ctx, uint32_t),
                       void *ctx, uint32_t *out);

#endif
