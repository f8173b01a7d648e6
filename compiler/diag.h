/* diag.h: diagnostics are data. Passes record them here and go on; one
 * printer (diag_render.c) renders them as text, JSON or SARIF. Nothing in
 * the compiler prints a diagnostic where it is found. */
#ifndef STOOP_DIAG_H
#define STOOP_DIAG_H

#include <stdbool.h>
#include <stdio.h>

#include "source.h"

enum diag_severity { SEV_ERROR, SEV_WARNING, SEV_NOTE };

enum diag_code {
#define DIAG_CODE(e, name, sev, shortdesc, longdesc) e,
#include "codes.def"
#undef DIAG_CODE
    DIAG_CODE_COUNT
};

struct diag_code_info {
    const char *name;      /* "LOAD_ERR_COMPILE_CONDITION" */
    enum diag_severity severity;
    const char *shortdesc; /* Falco's short string */
    const char *longdesc;  /* Falco's long description */
};
const struct diag_code_info *diag_code_info(enum diag_code code);
/* Looks a code up by name; returns false if unknown. */
bool diag_code_by_name(const char *name, enum diag_code *out);

#define DIAG_MAX_SECONDARY 3
#define DIAG_MAX_HINTS 3

struct diag_secondary {
    struct span span;
    char *label; /* short note shown under the ~~~ marker, may be NULL */
};

struct diag {
    enum diag_severity severity;
    enum diag_code code;
    char *message;
    struct span primary;      /* may be span_none() for whole-run problems */
    struct diag_secondary secondary[DIAG_MAX_SECONDARY];
    unsigned nsecondary;
    char *hints[DIAG_MAX_HINTS]; /* "did you mean 'proc.name'?" etc. */
    unsigned nhints;
    char *context; /* e.g. "in macro 'm', used by rule 'r'"; may be NULL */
    char *item;    /* name of the rule/macro/list the diagnostic is about, or NULL */
};

struct diag_list {
    struct diag *v;
    size_t n, cap;
    size_t nerrors, nwarnings;
};

/* Records a diagnostic with the code's default severity; returns it so the
 * caller can add secondary spans, hints and context. The pointer is valid
 * until the next diag_* call on the same list. */
struct diag *diag_add(struct diag_list *dl, enum diag_code code, struct span primary,
                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void diag_secondary(struct diag *d, struct span span, const char *label);
void diag_hint(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_context(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_item(struct diag *d, const char *item);
/* Adds "did you mean 'x'?" for the candidate closest to `word`, if any is
 * close enough. candidates is NULL-terminated or has ncand entries. */
void diag_did_you_mean(struct diag *d, const char *word, const char *const *candidates,
                       size_t ncand);
/* Sorts by file, then position, keeping the recording order for ties. */
void diag_sort(struct diag_list *dl);
void diag_list_free(struct diag_list *dl);

enum diag_format { DIAG_FMT_TEXT, DIAG_FMT_JSON, DIAG_FMT_SARIF };

struct diag_render_opts {
    enum diag_format format;
    bool color;
};

/* Renders every diagnostic of dl. Text: `file:line:col: error[CODE]: msg`,
 * the source line and a ^~~~ marker, then notes and hints. JSON: see
 * docs/diagnostics.md. SARIF 2.1.0: one run, one result per diagnostic. */
void diag_render(FILE *out, const struct diag_list *dl, const struct source_set *src,
                 const struct diag_render_opts *opts);

/* Prints every code with its severity and descriptions: a markdown table
 * (docs/diagnostics.md embeds it) or plain text (for a --codes option). */
void diag_print_code_table(FILE *out, bool markdown);

#endif
