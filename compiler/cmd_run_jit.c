/* cmd_run_jit.c: `stoopc run`: the runtime's `run` with native code made
 * in process by the JIT (jit.c) instead of a cached shared object. */
#include <stdlib.h>

#include "commands.h"
#include "jit.h"
#include "native_code.h"
#include "stoop_commands.h"
#include "util.h"

static native_eval_fn jit_entry_of(void *impl, const char *source, char **err)
{
    return jit_entry(impl, source, err);
}

static void jit_free_impl(void *impl)
{
    jit_free(impl);
}

static bool jit_prepare(const struct program *p, const char *const *paths, size_t npaths,
                        struct native_code *out, char **err)
{
    (void)paths;
    (void)npaths;
    struct codegen_opts co;
    codegen_opts_default(&co);
    struct jit_ruleset *j = jit_compile(p, &co, err);
    if (!j)
        return false;
    const struct native_module *nm = jit_module(j);
    *out = (struct native_code){.impl = j,
                                .what = "JIT",
                                .entry = jit_entry_of,
                                .slot_keys = (const char *const *)nm->slot_keys,
                                .nslots = nm->nslots,
                                .nmemo = nm->nmemo,
                                .guards = nm->guards,
                                .nguards = nm->nguards,
                                .free = jit_free_impl};
    return true;
}

static const struct run_engine jit_engine = {"jit", jit_prepare};

int cmd_run_jit(int argc, char **argv)
{
    return run_main("stoopc", argc, argv, &jit_engine);
}
