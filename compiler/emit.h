/* emit.h: ruleset shared objects and their manifest (emit.c). */
#ifndef STOOP_EMIT_H
#define STOOP_EMIT_H

#include "native.h"

/* The manifest's JSON part (emit.c explains the layout). Caller frees. */
char *manifest_json(const struct program *p, const struct native_module *nm, size_t *len);

/* Adds the manifest to the first partition of nm (generated from p, not
 * yet optimised), verifies, optimises and emits every partition for `cpu`
 * (native_target_machine) on parallel threads, and links the objects into
 * out_path (atomically replaced). *link_seconds: the link's share. */
bool emit_shared_object(const struct program *p, struct native_module *nm, const char *cpu,
                        const char *out_path, double *link_seconds, char **err);

#endif
