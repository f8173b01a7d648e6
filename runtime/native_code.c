/* native_code.c: binding native code to a ruleset (native_code.h). */
#include <stdlib.h>

#include "native_code.h"
#include "util.h"

bool native_code_bind(const struct native_code *nc, struct ruleset *rs, const char *source,
                      char **err)
{
    native_eval_fn fn = nc->entry(nc->impl, source, err);
    if (!fn)
        return false;
    struct native_binding b = {
        .eval = fn,
        .nmemo = nc->nmemo,
        .slot_keys = nc->slot_keys,
        .nslots = nc->nslots,
        .guards = nc->guards,
        .nguards = nc->nguards,
    };
    return ruleset_set_native(rs, &b);
}

void native_code_free(struct native_code *nc)
{
    if (nc->free)
        nc->free(nc->impl);
    nc->impl = NULL;
    nc->free = NULL;
}
