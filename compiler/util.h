/* util.h: allocation that aborts on out-of-memory, growable arrays and a
 * string builder. Everything in the front end allocates through these. */
#ifndef STOOP_UTIL_H
#define STOOP_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Broken invariant: a bug in stoop, never a user error. */
#define BUG(...) stoop_bug(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void stoop_bug(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Growable array: struct { T *v; size_t n, cap; }. */
#define VEC(T) struct { T *v; size_t n, cap; }
#define VEC_PUSH(vec, item)                                                   \
    do {                                                                      \
        if ((vec).n == (vec).cap) {                                           \
            (vec).cap = (vec).cap ? 2 * (vec).cap : 8;                        \
            (vec).v = xrealloc((vec).v, (vec).cap * sizeof(*(vec).v));        \
        }                                                                     \
        (vec).v[(vec).n++] = (item);                                          \
    } while (0)
#define VEC_FREE(vec) do { free((vec).v); (vec).v = NULL; (vec).n = (vec).cap = 0; } while (0)

/* String builder; always NUL-terminated once anything was appended. */
struct strbuf {
    char *s;
    size_t len, cap;
};
void sb_append(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_putc(struct strbuf *sb, char c);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Decimal numbers without printf (alerts print many); width: zero-padded
 * to at least that many digits. */
void sb_put_u64(struct strbuf *sb, uint64_t v, unsigned width);
void sb_put_i64(struct strbuf *sb, int64_t v);
/* Appends s as the body of a JSON string (no surrounding quotes). */
void sb_json_escape(struct strbuf *sb, const char *s, size_t n);
/* Returns the buffer (never NULL) and resets the builder. */
char *sb_take(struct strbuf *sb);
void sb_free(struct strbuf *sb);

/* String-keyed hash map to pointers (open addressing). Keys are copied. */
struct strmap {
    char **keys;
    void **vals;
    size_t n, cap;
};
void *strmap_get(const struct strmap *m, const char *key);
void *strmap_getn(const struct strmap *m, const char *key, size_t len);
/* Inserts or replaces. */
void strmap_put(struct strmap *m, const char *key, void *val);
void strmap_free(struct strmap *m);

/* Length of the well-formed UTF-8 sequence at s (1 for ASCII, 2-4 for a
 * valid multi-byte sequence: no overlong forms, surrogates or code points
 * past U+10FFFF), or 0 if the bytes at s are ill-formed. n > 0. */
size_t utf8_sequence_len(const unsigned char *s, size_t n);
/* Appends s with every ill-formed sequence replaced by U+FFFD (one per
 * byte that cannot start a sequence), as libsinsp sanitises values. */
void sb_utf8_repair(struct strbuf *sb, const char *s, size_t n);

/* Reads a whole file; returns NULL and sets errno on failure. */
char *read_file(const char *path, size_t *len_out);

/* Damerau-free Levenshtein distance, capped at `limit + 1`. */
unsigned edit_distance(const char *a, const char *b, unsigned limit);

#endif
