/* json.h: the small JSON interface every log source uses, kept behind one
 * header so the library can change (today: simdjson's DOM, through the C++
 * shim json_simdjson.cpp), called by the extractors and decoders in C.
 *
 * A parsed document lives in a json_parser until the next parse with the
 * same parser; a json_ref is a cheap, copyable handle to one value of it. */
#ifndef STOOP_JSON_H
#define STOOP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_kind {
    JSON_NULL,
    JSON_BOOL,
    JSON_INT64,
    JSON_UINT64,
    JSON_DOUBLE,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
};

/* Handle to one value of a parsed document (valid while the document is). */
typedef struct {
    uint64_t opaque[2];
} json_ref;

struct json_parser;

/* max_doc: largest single document accepted (bytes). */
struct json_parser *json_parser_new(size_t max_doc);
void json_parser_free(struct json_parser *p);

/* Iterates the JSON documents of a buffer: one per line, pretty-printed ones
 * one after another, or a single array (the caller decides what an array
 * means). The buffer must stay alive while iterating. */
struct json_stream;
struct json_stream *json_stream_open(struct json_parser *p, const char *buf, size_t len);
enum json_next {
    JSON_NEXT_DOC,   /* *doc is the next document; *at its byte offset */
    JSON_NEXT_ERROR, /* a malformed document at *at, *err says why; iteration goes on */
    JSON_NEXT_END,
};
enum json_next json_stream_next(struct json_stream *s, json_ref *doc, size_t *at, const char **err);
void json_stream_close(struct json_stream *s);

/* Bytes a buffer must have readable (any content) past its length for
 * json_stream_open_padded (simdjson's SIMDJSON_PADDING). */
#define JSON_PADDING 64
/* As json_stream_open, for a buffer with JSON_PADDING readable bytes after
 * buf[len - 1]: documents are parsed in place, without a copy. */
struct json_stream *json_stream_open_padded(struct json_parser *p, const char *buf, size_t len);
/* Reading an input piece by piece. json_stream_set_more(s, true) says
 * bytes follow buf[len - 1]: json_stream_next then returns JSON_NEXT_END,
 * not a truncation error, at a document that runs past the end of buf, and
 * json_stream_consumed() is how many bytes of buf were used up. Go on with
 * json_stream_refill(), whose buffer begins with those unused bytes
 * (buf[consumed..len)) followed by the new ones. Offsets (*at, "at byte N"
 * in messages) count from the start of the whole input. */
void json_stream_set_more(struct json_stream *s, bool more);
size_t json_stream_consumed(const struct json_stream *s);
void json_stream_refill(struct json_stream *s, const char *buf, size_t len, bool more);
/* Size in bytes of the document json_stream_next returned last. */
size_t json_stream_doc_size(const struct json_stream *s);
/* The max_doc the parser was made with. */
size_t json_parser_max_doc(const struct json_parser *p);

enum json_kind json_kind(json_ref v);
bool json_object_get(json_ref obj, const char *key, size_t keylen, json_ref *out);
/* RFC 6901 JSON pointer ("/a/b~1c/0") from v. */
bool json_pointer(json_ref v, const char *ptr, size_t len, json_ref *out);
size_t json_array_size(json_ref arr);
/* Element i (0-based) of an array; false if out of range or not an array. */
bool json_array_at(json_ref arr, size_t i, json_ref *out);
/* Iteration over arrays and objects (key NULL for arrays). */
typedef struct {
    uint64_t opaque[4];
} json_iter;
void json_iter_begin(json_ref container, json_iter *it);
bool json_iter_next(json_iter *it, json_ref *value, const char **key, size_t *keylen);

bool json_get_string(json_ref v, const char **s, size_t *len);
bool json_get_bool(json_ref v, bool *out);
bool json_get_int64(json_ref v, int64_t *out);
bool json_get_uint64(json_ref v, uint64_t *out);
bool json_get_double(json_ref v, double *out);
/* Compact JSON text of any value (strings quoted), as Falco's plugins print
 * non-string values. Returns a pointer to thread-local storage valid until
 * the next call, and its length. */
const char *json_to_text(json_ref v, size_t *len);
/* The same text re-indented as Go's json.Indent(dst, src, "", "  ") does
 * (the json plugin's json.obj): one member or element per line, two spaces
 * per level, `"key": value`, empty objects and arrays as {} and []. Same
 * storage rules as json_to_text (a separate buffer).
 *
 * Both print strings as Falco's Go plugins marshal them (fastjson): as they
 * are unless they hold '"', '\\' or a control character, and then as Go's
 * encoding/json escapes them (also <, >, & as \\u003c...). A parsed
 * document does not keep the spelling of numbers: integers print in
 * decimal, other numbers in their shortest round-trip form with a ".0" when
 * integral (2.5e3 prints as 2500.0). */
const char *json_to_text_indented(json_ref v, size_t *len);

#endif
