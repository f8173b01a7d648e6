/* source.h: what an event source plugs in: how its inputs split into
 * events, each event's timestamp, and how each of its fields is extracted
 * (falco-fields.md). The runtime's ruleset (runtime/eval.c) calls
 * extractors through this interface only, for the interpreter and for
 * native code alike (native code reads the runtime's memoised values). */
#ifndef STOOP_SOURCE_PLUGIN_H
#define STOOP_SOURCE_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "schema.h"

/* One event of a JSON source. */
struct event {
    json_ref root;         /* the event object (an audit Event, a CloudTrail record...) */
    uint64_t num;          /* evt.num: 1 for the first event of a run */
    uint64_t ts_ns;        /* event time, ns since the epoch (0 if it has none) */
    const char *source;    /* "k8s_audit" */
    const char *hostname;  /* for evt.hostname */
    const char *input;     /* file name, or "-" for stdin */
    size_t offset;         /* byte offset of its document in the input */
    uint64_t first_ts_ns;  /* ts_ns of the run's first event (evt.reltime) */
};

/* Bump allocator for extracted values; reset once per event. */
struct arena {
    char *buf;
    size_t len, cap;
    struct arena_block *more; /* full buffers retired until the next reset */
};
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_reset(struct arena *a);
void arena_free(struct arena *a);

/* One extracted value; the member used follows the field's type class. */
struct fvalue {
    const char *str; /* strings and bytes (arena or document memory) */
    size_t len;
    union {
        uint64_t u;
        int64_t i;
        bool b;
        struct {
            uint8_t family; /* 4 or 6 */
            uint8_t addr[16];
        } ip;
    } as;
};

/* The result of extracting one field from one event. `n == 0` means "not
 * extracted" (falco-fields.md 8.1: an empty list and an extraction error
 * count as missing; every comparison is then false). */
struct fvalues {
    struct fvalue *v; /* arena memory */
    size_t n;
};

/* Output helpers for extractors (arena.c): set `out` to exactly one value,
 * zeroed, and return it; or to one string, kept as is (document memory,
 * NUL-terminated) or copied into the arena. */
struct fvalue *fvalues_one(struct arena *a, struct fvalues *out);
void fvalues_set_str(struct arena *a, struct fvalues *out, const char *s, size_t n);
void fvalues_set_copy(struct arena *a, struct fvalues *out, const char *s, size_t n);

/* A field as used by the rules: its schema entry and its argument. */
struct field_ref {
    const struct field_info *info;
    const char *arg;     /* [arg] text, NULL if none */
    bool has_index;      /* arg is an unsigned integer */
    uint64_t index;
    const char *dotted;  /* evt.arg.<x>-style suffix, NULL if none */
};

struct source_plugin {
    const char *name; /* event source name, "k8s_audit" */
    /* Turns one JSON document of an input into events: calls emit() once per
     * event (an EventList gives one per item, a CloudTrail file one per
     * record). Returns false and sets *why (static text) when the document
     * has the wrong shape: it is then counted as skipped. */
    bool (*decode)(json_ref doc, void (*emit)(void *ctx, json_ref event), void *ctx,
                   const char **why);
    /* The event's own time (stageTimestamp, eventTime, published...), or 0. */
    uint64_t (*timestamp)(json_ref event);
    /* Extracts a field of this source's own table (not evt.* or json.*,
     * which plugins/generic and plugins/json extract for every source). */
    bool (*extract)(const struct event *ev, const struct field_ref *f, struct arena *a,
                    struct fvalues *out);
    /* Optional (NULL keeps every event): whether an event decode emitted is
     * dropped, as Falco's plugin drops it (a k8s audit Event without a
     * readable stageTimestamp, a CloudTrail record without eventTime...).
     * Sets *why (static text); *quiet when the drop is deliberate filtering
     * (CloudTrail Insight records) to count but not report. */
    bool (*reject)(json_ref event, const char **why, bool *quiet);
    /* True when the source's own table holds the evt.* fields too (syscall:
     * evt.type, evt.dir...): source_extract then gives evt.* to `extract`,
     * which hands the generic class (evt.num, evt.time...) to
     * generic_extract itself. False: evt.* is generic_extract's alone. */
    bool extracts_evt;
};

/* All sources with inputs: k8s_audit, aws_cloudtrail, github, okta, json,
 * syscall (synthetic events, plugins/syscall/decode.c). */
const struct source_plugin *source_plugin_find(const char *name);

/* Extracts any field offered to ev's source: the generic evt.* class, the
 * json plugin's json.* / jevt.* fields, then the source's own. */
bool source_extract(const struct source_plugin *sp, const struct event *ev,
                    const struct field_ref *f, struct arena *a, struct fvalues *out);

#endif
