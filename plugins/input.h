/* input.h: reading the inputs of a run and turning them into events.
 *
 * An input is a file, "-" for stdin, or a directory walked recursively in
 * name order (files with one of the accepted name endings). Gzip data is
 * recognized by its magic bytes and inflated as it is read, whatever the
 * name; a name ending in ".gz" over data that is not gzip is an error.
 * Inputs are read in chunks, so memory follows the largest document, not
 * the largest file, and stdin is processed as it arrives.
 *
 * Limits, each with a clear message when hit (nothing is read past one
 * silently): the bytes of one input after inflating (the rest is not read),
 * the bytes of any one document (a CloudTrail file, an EventList, an
 * array; skipped), and the bytes of a document holding a single event
 * (skipped). Each problem is reported once, with the input's name, line and
 * byte offset, to a reporter (stderr by default), counted, and reading goes
 * on. */
#ifndef STOOP_INPUT_H
#define STOOP_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "source.h"

#define INPUT_DEFAULT_MAX_INPUT ((uint64_t)1 << 30) /* 1 GiB */
#define INPUT_DEFAULT_MAX_EVENT ((size_t)1 << 20)   /* 1 MiB */
#define INPUT_DEFAULT_MAX_DOC ((size_t)256 << 20)   /* 256 MiB */
#define INPUT_DEFAULT_CHUNK ((size_t)1 << 20)       /* 1 MiB */

/* One problem with an input. */
struct input_problem {
    const char *input; /* the input's display name: its path, or "-" */
    uint64_t offset;   /* byte offset in the input (after inflating) */
    uint64_t line;     /* 1-based line of offset, 0 if unknown */
    const char *msg;
};
typedef void (*input_report_fn)(void *ctx, const struct input_problem *p);

/* Prints "stoop: NAME:LINE: MSG (byte OFFSET)" on stderr. */
void input_report_stderr(void *ctx, const struct input_problem *p);

struct input_opts {
    uint64_t max_input; /* bytes of one input; 0: INPUT_DEFAULT_MAX_INPUT */
    size_t max_event;   /* bytes of a document that is one event; 0: 1 MiB */
    size_t max_doc;     /* bytes of any document; 0: INPUT_DEFAULT_MAX_DOC */
    size_t chunk;       /* read size; 0: INPUT_DEFAULT_CHUNK */
    /* Name endings of the files taken from directories (NULL-terminated);
     * NULL: ".json", ".jsonl", ".ndjson" and the same with ".gz". */
    const char *const *suffixes;
    input_report_fn report; /* NULL: input_report_stderr */
    void *report_ctx;
};

/* ---- Raw inputs, chunk by chunk ---- */

struct input_reader;

struct input_chunk {
    const char *name;  /* display name of the input (valid until close) */
    const char *data;  /* JSON_PADDING readable bytes follow data[len - 1] */
    size_t len;
    uint64_t base;     /* offset of data[0] in the input */
    bool first;        /* the first chunk of an input */
    bool last;         /* no more bytes of this input follow */
};

/* Paths are listed at open (directories walked then); problems with them
 * (missing, unreadable) are reported and counted, and the others read. */
struct input_reader *input_reader_open(const char *const *paths, size_t npaths,
                                       const struct input_opts *opts);
/* The next chunk. `keep` is how many bytes at the end of the previous chunk
 * were not used up: they begin the next chunk (ignored after a last chunk).
 * A chunk holds at least one more byte than `keep` unless it is last.
 * Returns false when every input has been read. */
bool input_reader_next(struct input_reader *r, size_t keep, struct input_chunk *c);
/* Reports a problem at `offset` of the current input (the line is worked
 * out when the offset lies in bytes still held) and counts it. */
void input_reader_report(struct input_reader *r, uint64_t offset, const char *msg);
/* Reports a problem that is about no particular input position. */
void input_reader_report_name(struct input_reader *r, const char *name, const char *msg);
struct input_counts {
    uint64_t inputs;   /* inputs opened */
    uint64_t bytes;    /* bytes read (after inflating) */
    uint64_t problems; /* problems reported */
};
void input_reader_counts(const struct input_reader *r, struct input_counts *out);
void input_reader_close(struct input_reader *r);

/* ---- Events ---- */

struct event_reader;

struct event_counts {
    uint64_t inputs, bytes;
    uint64_t documents; /* JSON documents read */
    uint64_t events;    /* events returned */
    uint64_t skipped;   /* malformed, unrecognized or oversized documents, dropped events */
    uint64_t filtered;  /* events dropped on purpose, not reported (CloudTrail Insight) */
    uint64_t problems;  /* problems reported */
};

/* Events of source `sp` from the inputs. `hostname` is what evt.hostname
 * gives (may be NULL). */
struct event_reader *event_reader_open(const struct source_plugin *sp, const char *const *paths,
                                       size_t npaths, const struct input_opts *opts,
                                       const char *hostname);
/* The next event: root, num, ts_ns, source, hostname, input, offset,
 * first_ts_ns. ev->root (and the document it is part of) stays valid until
 * the next call. Returns false at the end of the inputs. */
bool event_reader_next(struct event_reader *r, struct event *ev);
void event_reader_counts(const struct event_reader *r, struct event_counts *out);
void event_reader_close(struct event_reader *r);

#endif
