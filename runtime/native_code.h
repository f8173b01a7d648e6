/* native_code.h: native code for a loaded program, whichever way it was
 * made: a ruleset shared object (ruleset_load.c), one compiled behind the
 * scenes and cached (native_cache.c), or stoopc's JIT (compiler/jit.c).
 * The event loop (run.c) binds it to a source's ruleset. */
#ifndef STOOP_NATIVE_CODE_H
#define STOOP_NATIVE_CODE_H

#include <stdbool.h>
#include <stddef.h>

#include "eval.h"

struct native_code {
    void *impl;
    const char *what; /* for messages: "ruleset rules.so", "JIT" */
    /* The entry of one source; NULL and *err (caller frees) if none. */
    native_eval_fn (*entry)(void *impl, const char *source, char **err);
    const char *const *slot_keys;
    size_t nslots;
    uint32_t nmemo;
    const struct native_guard *guards;
    size_t nguards;
    void (*free)(void *impl);
};

/* Makes rs run the native code of its source. */
bool native_code_bind(const struct native_code *nc, struct ruleset *rs, const char *source,
                      char **err);
void native_code_free(struct native_code *nc);

/* Whether `run -r path` means a ruleset shared object (stoopc compile)
 * rather than rules files: an ELF file, or a name ending in .so.
 * ruleset_open then says what is wrong if it is not a stoop ruleset. */
bool ruleset_file_looks_native(const char *path);

/* Opens a ruleset shared object: checks its manifest (format, native ABI,
 * field schemas), loads the rules files it embeds into p (which must be
 * freshly initialised; NULL to skip, when p was loaded from the same
 * files), maps the code and fills *out. False and *err (caller frees)
 * with a message that says what is wrong with which file. */
bool ruleset_open(const char *path, struct program *p, struct native_code *out, char **err);

/* ruleset_open's checks on a file's bytes (`name` for messages), without
 * mapping any code: for fuzzing the manifest reader. */
bool ruleset_check_image(const char *name, const char *img, size_t len, struct program *p,
                         char **err);

/* `stoop run -r rules.yaml`: native code for a program loaded from rules
 * files, compiled by stoopc into a cache keyed by the content of every
 * loaded file (native_cache.c explains where and how). */
bool native_cache_prepare(const struct program *p, const char *const *paths, size_t npaths,
                          struct native_code *out, char **err);

#endif
