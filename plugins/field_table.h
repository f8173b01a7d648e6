/* field_table.h: maps the rows of a source's schema table (schema.h) to an
 * extractor's handler entries, once, so extraction finds a field's handler
 * by pointer arithmetic instead of comparing names per event. Each entry
 * is a struct whose first member is the field name (const char *). */
#ifndef STOOP_FIELD_TABLE_H
#define STOOP_FIELD_TABLE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "schema.h"

struct field_table {
    const char *source;  /* schema source name */
    const void *entries; /* array of handler entries */
    size_t nentries, entry_size;
    /* Built on first use. */
    _Atomic(const void **) by_row; /* schema row -> entry or NULL */
    const struct field_info *rows;
    size_t nrows;
    pthread_mutex_t lock;
};

#define FIELD_TABLE_INIT(source, entries)                                                    \
    {                                                                                         \
        (source), (entries), sizeof(entries) / sizeof((entries)[0]), sizeof((entries)[0]),    \
            NULL, NULL, 0, PTHREAD_MUTEX_INITIALIZER                                          \
    }

/* The entry for a field of the table's source, or NULL (another table's
 * field, or one without a handler). Thread-safe. */
const void *field_table_entry(struct field_table *t, const struct field_info *fi);

#endif
