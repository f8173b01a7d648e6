/* source.h: the files being compiled, spans into them, and text assembled
 * from pieces of them.
 *
 * Every location in stoop is a `struct span`: a byte range in one loaded
 * file. Conditions are not parsed from the file directly: Falco builds each
 * condition as text (YAML scalar, plus appended text, plus desugared
 * exceptions, with list names substituted), so the parser reads a
 * `struct mapped_text` that remembers where each byte came from, and turns
 * its offsets back into file spans when it builds nodes. */
#ifndef STOOP_SOURCE_H
#define STOOP_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPAN_NO_FILE UINT32_MAX

/* Byte range [start, end) in file `file` (index into the source_set). */
struct span {
    uint32_t file;
    uint32_t start, end;
};

static inline struct span span_none(void)
{
    return (struct span){SPAN_NO_FILE, 0, 0};
}

static inline bool span_valid(struct span s)
{
    return s.file != SPAN_NO_FILE;
}

/* Smallest span covering a and b (a if they are in different files). */
struct span span_join(struct span a, struct span b);

struct source_file {
    char *path;        /* as given on the command line */
    char *text;        /* whole content, NUL-terminated (len excludes it) */
    size_t len;
    uint32_t *line_starts; /* byte offset of each line's first byte */
    uint32_t nlines;
};

struct source_set {
    struct source_file **files;
    size_t n, cap;
};

/* Takes ownership of text. Returns the file index. */
uint32_t source_add(struct source_set *set, const char *path, char *text, size_t len);
const struct source_file *source_get(const struct source_set *set, uint32_t file);
void source_set_free(struct source_set *set);

/* 1-based line and 1-based column counted in Unicode code points (the
 * "unicodeCodePoints" column kind of SARIF). */
void source_line_col(const struct source_file *f, uint32_t offset, unsigned *line, unsigned *col);
/* Start and length of the line containing offset, without its newline. */
void source_line_bounds(const struct source_file *f, uint32_t offset, uint32_t *start, uint32_t *len);

/* One run of a mapped_text. If `exact`, byte i of the run came from byte
 * origin.start + i of the file; otherwise the whole run was synthesised
 * (a substituted list, a desugared exception, a joining blank) and maps to
 * the whole `origin` span. */
struct text_piece {
    uint32_t at, len;
    struct span origin;
    bool exact;
};

struct mapped_text {
    char *text; /* NUL-terminated */
    size_t len;
    size_t textcap; /* bytes allocated for text; grows by doubling */
    struct text_piece *pieces;
    size_t npieces, cap;
};

void mtext_init(struct mapped_text *t);
void mtext_free(struct mapped_text *t);
struct mapped_text mtext_clone(const struct mapped_text *t);
/* Appends bytes that came verbatim from file offsets origin.start.. */
void mtext_append_exact(struct mapped_text *t, const char *s, size_t n, struct span origin);
/* Appends synthesised bytes, all attributed to origin. */
void mtext_append_synth(struct mapped_text *t, const char *s, size_t n, struct span origin);
void mtext_append_mtext(struct mapped_text *t, const struct mapped_text *other);
/* Replaces [start, end) of t with synthesised text attributed to origin. */
void mtext_replace(struct mapped_text *t, size_t start, size_t end, const char *s, size_t n,
                   struct span origin);
/* The file span of text bytes [start, end). Never fails: falls back to the
 * nearest piece. */
struct span mtext_span(const struct mapped_text *t, size_t start, size_t end);

#endif
