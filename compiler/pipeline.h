/* pipeline.h: the front end in one call. Loads rules files in order, as
 * Falco loads `-r` files into one engine, and compiles the program after
 * each file (so a rule that needs a macro from a later file fails as it
 * does in Falco); every diagnostic of every file lands in p->diags. */
#ifndef STOOP_PIPELINE_H
#define STOOP_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "program.h"

/* A path that is a directory loads its regular files in name order, as
 * Falco does for a rules_files directory.
 * Returns false if a file could not be read (LOAD_ERR_FILE_READ recorded);
 * the other files are still loaded. Check p->diags.nerrors for errors. */
bool pipeline_load(struct program *p, const char *const *paths, size_t npaths);

/* Same, for in-memory content (tests, fuzzing). `name` is the file name
 * shown in diagnostics. Takes a copy of the bytes. */
void pipeline_load_buffers(struct program *p, const char *const *names, const char *const *data,
                           const size_t *lens, size_t n);

#endif
