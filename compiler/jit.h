/* jit.h: in-process native code for a program (ORC LLJIT). */
#ifndef STOOP_JIT_H
#define STOOP_JIT_H

#include "native.h"
#include "../runtime/native_abi.h"

struct jit_ruleset;

/* Generates, verifies, optimises and JIT-compiles every compiled rule of p.
 * NULL and *err (caller frees) on failure. p must outlive nothing: the code
 * holds no pointer into it. */
struct jit_ruleset *jit_compile(const struct program *p, const struct codegen_opts *o, char **err);
/* The entry of one source; NULL and *err if the program has no rule of it. */
native_eval_fn jit_entry(struct jit_ruleset *j, const char *source, char **err);
/* Slot keys and memo size, for ruleset_set_native. */
const struct native_module *jit_module(const struct jit_ruleset *j);
void jit_free(struct jit_ruleset *j);

#endif
