/* diag.c: recording diagnostics (rendering is in diag_render.c). */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct diag_code_info code_table[DIAG_CODE_COUNT] = {
#define DIAG_CODE(e, name, sev, shortdesc, longdesc) [e] = {name, sev, shortdesc, longdesc},
#include "codes.def"
#undef DIAG_CODE
};

const struct diag_code_info *diag_code_info(enum diag_code code)
{
    if ((unsigned)code >= DIAG_CODE_COUNT)
        BUG("bad diagnostic code %d", (int)code);
    return &code_table[code];
}

bool diag_code_by_name(const char *name, enum diag_code *out)
{
    for (int i = 0; i < DIAG_CODE_COUNT; i++) {
        if (strcmp(code_table[i].name, name) == 0) {
            *out = (enum diag_code)i;
            return true;
        }
    }
    return false;
}

struct diag *diag_add(struct diag_list *dl, enum diag_code code, struct span primary,
                      const char *fmt, ...)
{
    if (dl->n == dl->cap) {
        dl->cap = dl->cap ? 2 * dl->cap : 16;
        dl->v = xrealloc(dl->v, dl->cap * sizeof *dl->v);
    }
    struct diag *d = &dl->v[dl->n++];
    memset(d, 0, sizeof *d);
    d->code = code;
    d->severity = diag_code_info(code)->severity;
    d->primary = primary;
    va_list ap;
    va_start(ap, fmt);
    d->message = xvasprintf(fmt, ap);
    va_end(ap);
    if (d->severity == SEV_ERROR)
        dl->nerrors++;
    else if (d->severity == SEV_WARNING)
        dl->nwarnings++;
    return d;
}

void diag_secondary(struct diag *d, struct span span, const char *label)
{
    if (d->nsecondary == DIAG_MAX_SECONDARY || !span_valid(span))
        return;
    d->secondary[d->nsecondary].span = span;
    d->secondary[d->nsecondary].label = label ? xstrdup(label) : NULL;
    d->nsecondary++;
}

void diag_hint(struct diag *d, const char *fmt, ...)
{
    if (d->nhints == DIAG_MAX_HINTS)
        return;
    va_list ap;
    va_start(ap, fmt);
    d->hints[d->nhints++] = xvasprintf(fmt, ap);
    va_end(ap);
}

void diag_context(struct diag *d, const char *fmt, ...)
{
    free(d->context);
    va_list ap;
    va_start(ap, fmt);
    d->context = xvasprintf(fmt, ap);
    va_end(ap);
}

void diag_item(struct diag *d, const char *item)
{
    free(d->item);
    d->item = item ? xstrdup(item) : NULL;
}

void diag_did_you_mean(struct diag *d, const char *word, const char *const *candidates,
                       size_t ncand)
{
    /* Allow roughly one edit per three characters, at most 3. */
    size_t wl = strlen(word);
    unsigned limit = wl < 3 ? 1 : wl / 3 > 3 ? 3 : (unsigned)(wl / 3);
    unsigned best = limit + 1;
    const char *best_word = NULL;
    for (size_t i = 0; ncand ? i < ncand : candidates[i] != NULL; i++) {
        if (strcmp(candidates[i], word) == 0)
            continue;
        unsigned dist = edit_distance(word, candidates[i], limit);
        if (dist < best) {
            best = dist;
            best_word = candidates[i];
        }
    }
    if (best_word)
        diag_hint(d, "did you mean '%s'?", best_word);
}

static int diag_cmp(const void *pa, const void *pb)
{
    const struct diag *a = pa, *b = pb;
    if (a->primary.file != b->primary.file)
        return a->primary.file < b->primary.file ? -1 : 1;
    if (a->primary.start != b->primary.start)
        return a->primary.start < b->primary.start ? -1 : 1;
    return 0;
}

void diag_sort(struct diag_list *dl)
{
    /* Stable: insertion sort over an index (lists are short). */
    for (size_t i = 1; i < dl->n; i++) {
        struct diag tmp = dl->v[i];
        size_t j = i;
        while (j > 0 && diag_cmp(&dl->v[j - 1], &tmp) > 0) {
            dl->v[j] = dl->v[j - 1];
            j--;
        }
        dl->v[j] = tmp;
    }
}

void diag_list_free(struct diag_list *dl)
{
    for (size_t i = 0; i < dl->n; i++) {
        struct diag *d = &dl->v[i];
        free(d->message);
        free(d->context);
        free(d->item);
        for (unsigned k = 0; k < d->nsecondary; k++)
            free(d->secondary[k].label);
        for (unsigned k = 0; k < d->nhints; k++)
            free(d->hints[k]);
    }
    free(dl->v);
    memset(dl, 0, sizeof *dl);
}
