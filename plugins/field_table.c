/* field_table.c: see field_table.h. */
#include "field_table.h"

#include <stdint.h>
#include <string.h>

#include "util.h"

static const void **build(struct field_table *t)
{
    const struct source_schema *s = schema_source(t->source);
    if (!s)
        return NULL;
    const void **by_row = xcalloc(s->nfields ? s->nfields : 1, sizeof *by_row);
    for (size_t i = 0; i < s->nfields; i++) {
        for (size_t j = 0; j < t->nentries; j++) {
            const char *entry = (const char *)t->entries + j * t->entry_size;
            if (strcmp(s->fields[i].name, *(const char *const *)entry) == 0) {
                by_row[i] = entry;
                break;
            }
        }
    }
    t->rows = s->fields;
    t->nrows = s->nfields;
    return by_row;
}

const void *field_table_entry(struct field_table *t, const struct field_info *fi)
{
    const void **by_row = atomic_load_explicit(&t->by_row, memory_order_acquire);
    if (!by_row) {
        pthread_mutex_lock(&t->lock);
        by_row = atomic_load_explicit(&t->by_row, memory_order_relaxed);
        if (!by_row) {
            by_row = build(t);
            atomic_store_explicit(&t->by_row, by_row, memory_order_release);
        }
        pthread_mutex_unlock(&t->lock);
    }
    if (!fi || !by_row)
        return NULL;
    uintptr_t p = (uintptr_t)fi, b = (uintptr_t)t->rows;
    if (p < b || p >= b + t->nrows * sizeof *t->rows)
        return NULL;
    return by_row[(p - b) / sizeof *t->rows];
}
