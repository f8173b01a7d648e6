/* emit.h: ruleset shared objects and their manifest (emit.c). */
#ifndef STOOP_EMIT_H
#define STOOP_EMIT_H

#include "native.h"

/* The manifest's JSON part (emit.c explains the layout). Caller frees. */
char *manifest_json(const struct program *p, const struct native_module *nm, size_t *len);

/* Adds the manifest to nm->mod (generated and optimised from p), emits an
 * object for tm and links it into out_path (atomically replaced). */
bool emit_shared_object(const struct program *p, struct native_module *nm, LLVMTargetMachineRef tm,
                        const char *out_path, char **err);

#endif
