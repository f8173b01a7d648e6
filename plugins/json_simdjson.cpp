// json_simdjson.cpp: plugins/json.h over simdjson's DOM API (Debian's
// libsimdjson-dev 3.0.1). The C side only sees opaque handles: a json_ref
// is a dom::element (a document pointer and a tape index), a json_iter the
// container and an array or object iterator.
//
// Splitting an input into documents is done here, not with parse_many: a
// document_stream stops at the first malformed document, and inputs must be
// read on past one. The fast path tries each line as a whole document (one
// memchr and one parse, no scanning); only lines that do not parse as they
// stand (pretty-printed documents, several documents on a line, errors) go
// through a small structural scanner that finds where a value ends, and
// where it goes wrong, so that an error costs one report and reading
// resumes at a line that can start a document.
#include <simdjson.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>
#include <type_traits>

extern "C" {
#include "json.h"
}

namespace dom = simdjson::dom;

static_assert(JSON_PADDING >= simdjson::SIMDJSON_PADDING, "JSON_PADDING below simdjson's");
static_assert(sizeof(dom::element) <= sizeof(json_ref), "json_ref too small for dom::element");
static_assert(std::is_trivially_copyable<dom::element>::value, "dom::element must be trivially copyable");
static_assert(std::is_trivially_copyable<dom::array::iterator>::value, "array iterator must be trivially copyable");
static_assert(std::is_trivially_copyable<dom::object::iterator>::value, "object iterator must be trivially copyable");

namespace {

struct iter_state {
    dom::element container;
    union {
        unsigned char bytes[16];
        uint64_t align;
    } cur;
};
static_assert(sizeof(dom::array::iterator) <= 16, "array iterator too large");
static_assert(sizeof(dom::object::iterator) <= 16, "object iterator too large");
static_assert(sizeof(iter_state) <= sizeof(json_iter), "json_iter too small");

inline dom::element to_elem(json_ref r)
{
    dom::element e;
    std::memcpy(static_cast<void *>(&e), &r, sizeof e);
    return e;
}

inline json_ref from_elem(dom::element e)
{
    json_ref r;
    std::memset(&r, 0, sizeof r);
    std::memcpy(&r, static_cast<const void *>(&e), sizeof e);
    return r;
}

} // namespace

struct json_parser {
    dom::parser parser;
    size_t max_doc;
    json_parser(size_t max) : parser(simdjson::SIMDJSON_MAXSIZE_BYTES), max_doc(max) {}
};

struct json_stream {
    json_parser *p;
    const char *buf;
    size_t len;
    size_t pos;       // next byte to look at
    size_t base;      // input offset of buf[0]
    size_t doc_size;  // bytes of the last document returned
    bool padded;
    bool more;        // bytes follow buf[len - 1] (json_stream_refill)
    bool resyncing;   // after an error: looking for a line that starts a document
    bool skip_to_eol; // ... after the end of the current line
    bool done;
    char err[256];
};

extern "C" {

struct json_parser *json_parser_new(size_t max_doc)
{
    json_parser *p = new (std::nothrow) json_parser(max_doc ? max_doc : ((size_t)1 << 20));
    if (!p) {
        std::fputs("stoop: out of memory\n", stderr);
        std::abort();
    }
    return p;
}

void json_parser_free(struct json_parser *p)
{
    delete p;
}

size_t json_parser_max_doc(const struct json_parser *p)
{
    return p->max_doc;
}

} // extern "C"

// ---------------------------------------------------------------------------
// The document splitter.

namespace {

inline bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Where a value starting at `start` ends, or where it first goes wrong.
struct scan_result {
    enum { OK, SYNTAX, TRUNCATED, TOO_DEEP } status;
    size_t end;        // OK: one past the value's last byte
    size_t bad;        // SYNTAX: offset of the offending byte
    const char *what;  // SYNTAX: what was expected
};

enum expect {
    EX_VALUE,          // any value (document start, after ':' or ',' in an array)
    EX_VALUE_OR_CLOSE, // after '['
    EX_KEY_OR_CLOSE,   // after '{'
    EX_KEY,            // after ',' in an object
    EX_COLON,          // after a key
    EX_COMMA_OR_CLOSE, // after a value inside a container
};

constexpr size_t MAX_DEPTH = simdjson::DEFAULT_MAX_DEPTH;

// A structural check of JSON without validating scalars (simdjson does that
// when the value is parsed): containers, strings, commas and colons. It is
// enough to find where a value ends and to notice most damage (a truncated
// line followed by the next document, a raw newline in a string) where it
// happens.
scan_result scan_value(const char *buf, size_t len, size_t start)
{
    uint64_t is_obj[MAX_DEPTH / 64];
    size_t depth = 0;
    expect ex = EX_VALUE;
    size_t i = start;
    scan_result r{scan_result::OK, 0, 0, nullptr};
    auto fail = [&](size_t at, const char *what) {
        r.status = scan_result::SYNTAX;
        r.bad = at;
        r.what = what;
        return r;
    };
    while (i < len) {
        unsigned char c = (unsigned char)buf[i];
        if (is_ws(c)) {
            i++;
            continue;
        }
        switch (c) {
        case '{':
        case '[':
            if (ex != EX_VALUE && ex != EX_VALUE_OR_CLOSE)
                return fail(i, ex == EX_COMMA_OR_CLOSE ? "expected ',' or a closing bracket"
                               : ex == EX_COLON        ? "expected ':'"
                                                       : "expected a string key");
            if (depth == MAX_DEPTH) {
                r.status = scan_result::TOO_DEEP;
                r.bad = i;
                return r;
            }
            if (c == '{')
                is_obj[depth / 64] |= (uint64_t)1 << (depth % 64);
            else
                is_obj[depth / 64] &= ~((uint64_t)1 << (depth % 64));
            depth++;
            ex = c == '{' ? EX_KEY_OR_CLOSE : EX_VALUE_OR_CLOSE;
            i++;
            break;
        case '}':
        case ']': {
            if (depth == 0)
                return fail(i, "unexpected closing bracket");
            bool obj = (is_obj[(depth - 1) / 64] >> ((depth - 1) % 64)) & 1;
            if (obj != (c == '}'))
                return fail(i, obj ? "expected '}'" : "expected ']'");
            if (ex != EX_COMMA_OR_CLOSE && ex != (obj ? EX_KEY_OR_CLOSE : EX_VALUE_OR_CLOSE))
                return fail(i, ex == EX_COLON ? "expected ':'" : "expected a value");
            depth--;
            i++;
            if (depth == 0) {
                r.end = i;
                return r;
            }
            ex = EX_COMMA_OR_CLOSE;
            break;
        }
        case ',':
            if (ex != EX_COMMA_OR_CLOSE)
                return fail(i, "unexpected ','");
            ex = ((is_obj[(depth - 1) / 64] >> ((depth - 1) % 64)) & 1) ? EX_KEY : EX_VALUE;
            i++;
            break;
        case ':':
            if (ex != EX_COLON)
                return fail(i, "unexpected ':'");
            ex = EX_VALUE;
            i++;
            break;
        case '"': {
            bool key = ex == EX_KEY || ex == EX_KEY_OR_CLOSE;
            if (!key && ex != EX_VALUE && ex != EX_VALUE_OR_CLOSE)
                return fail(i, ex == EX_COLON ? "expected ':'" : "expected ',' or a closing bracket");
            size_t j = i + 1;
            for (;;) {
                // Skip ordinary string bytes quickly.
                while (j < len) {
                    unsigned char d = (unsigned char)buf[j];
                    if (d == '"' || d == '\\' || d < 0x20)
                        break;
                    j++;
                }
                if (j >= len) {
                    r.status = scan_result::TRUNCATED;
                    return r;
                }
                unsigned char d = (unsigned char)buf[j];
                if (d == '"')
                    break;
                if (d == '\\') {
                    j += 2;
                    continue;
                }
                return fail(j, d == '\n' ? "unterminated string" : "control character in a string");
            }
            i = j + 1;
            if (depth == 0) {
                r.end = i;
                return r;
            }
            ex = key ? EX_COLON : EX_COMMA_OR_CLOSE;
            break;
        }
        default: {
            // A number or a literal: simdjson checks its spelling.
            if (ex != EX_VALUE && ex != EX_VALUE_OR_CLOSE)
                return fail(i, ex == EX_COLON          ? "expected ':'"
                               : ex == EX_COMMA_OR_CLOSE ? "expected ',' or a closing bracket"
                                                         : "expected a string key");
            if (!(c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n'))
                return fail(i, "invalid character");
            size_t j = i + 1;
            while (j < len) {
                unsigned char d = (unsigned char)buf[j];
                if (is_ws(d) || d == ',' || d == '}' || d == ']' || d == ':' || d == '"' || d == '{' ||
                    d == '[')
                    break;
                j++;
            }
            i = j;
            if (depth == 0) {
                r.end = i;
                return r;
            }
            ex = EX_COMMA_OR_CLOSE;
            break;
        }
        }
    }
    r.status = scan_result::TRUNCATED;
    return r;
}

inline size_t line_start(const char *buf, size_t at)
{
    while (at > 0 && buf[at - 1] != '\n')
        at--;
    return at;
}

inline size_t next_line(const char *buf, size_t len, size_t at)
{
    const void *nl = at < len ? std::memchr(buf + at, '\n', len - at) : nullptr;
    return nl ? (size_t)((const char *)nl - buf) + 1 : len;
}

} // namespace

extern "C" {

struct json_stream *json_stream_open(struct json_parser *p, const char *buf, size_t len)
{
    json_stream *s = new (std::nothrow) json_stream;
    if (!s) {
        std::fputs("stoop: out of memory\n", stderr);
        std::abort();
    }
    s->p = p;
    s->buf = buf;
    s->len = len;
    s->pos = 0;
    s->base = 0;
    s->doc_size = 0;
    s->padded = false;
    s->more = false;
    s->resyncing = false;
    s->skip_to_eol = false;
    s->done = false;
    s->err[0] = '\0';
    return s;
}

struct json_stream *json_stream_open_padded(struct json_parser *p, const char *buf, size_t len)
{
    json_stream *s = json_stream_open(p, buf, len);
    s->padded = true;
    return s;
}

void json_stream_close(struct json_stream *s)
{
    delete s;
}

void json_stream_set_more(struct json_stream *s, bool more)
{
    s->more = more;
}

size_t json_stream_consumed(const struct json_stream *s)
{
    return s->pos;
}

void json_stream_refill(struct json_stream *s, const char *buf, size_t len, bool more)
{
    s->base += s->pos;
    s->buf = buf;
    s->len = len;
    s->pos = 0;
    s->more = more;
}

size_t json_stream_doc_size(const struct json_stream *s)
{
    return s->doc_size;
}

} // extern "C"

namespace {

// After a malformed document, reading resumes at the first line (after
// the end of the current one if skip_to_eol, else from the line start
// s->pos on) that begins in its first column with '{' or '['. Lines inside
// a pretty-printed document are indented and its closing bracket does not
// qualify, so one broken document gives one report. Returns false when the
// buffer ran out first (with more to come, s->pos is left at the start of
// the last, incomplete line so that it is seen whole).
bool resync(json_stream *s)
{
    const char *buf = s->buf;
    size_t len = s->len, from = s->pos;
    if (s->skip_to_eol) {
        const void *nl = from < len ? std::memchr(buf + from, '\n', len - from) : nullptr;
        if (!nl) {
            s->pos = len;
            return false;
        }
        from = (size_t)((const char *)nl - buf) + 1;
        s->skip_to_eol = false;
    }
    while (from < len && buf[from] != '{' && buf[from] != '[') {
        const void *nl = std::memchr(buf + from, '\n', len - from);
        if (!nl) {
            s->pos = s->more ? from : len;
            return false;
        }
        from = (size_t)((const char *)nl - buf) + 1;
    }
    s->pos = from;
    if (from >= len)
        return false;
    s->resyncing = false;
    return true;
}

// Resume after the line holding byte `at`.
void resync_after_line(json_stream *s, size_t at)
{
    s->pos = at;
    s->skip_to_eol = true;
    s->resyncing = true;
}

enum json_next fail(json_stream *s, size_t i, size_t *at, const char **err)
{
    *at = s->base + i;
    *err = s->err;
    return JSON_NEXT_ERROR;
}

} // namespace

extern "C" {

enum json_next json_stream_next(struct json_stream *s, json_ref *doc, size_t *at, const char **err)
{
    const char *buf = s->buf;
    size_t len = s->len;
    dom::parser &parser = s->p->parser;
    size_t max_doc = s->p->max_doc;
    *err = nullptr;

    if (s->done)
        return JSON_NEXT_END;
    if (s->resyncing && !resync(s))
        return JSON_NEXT_END;

    size_t i = s->pos;
    while (i < len && is_ws((unsigned char)buf[i]))
        i++;
    if (i >= len) {
        s->pos = len;
        return JSON_NEXT_END;
    }

    // Fast path: the rest of the line is one whole object or array.
    size_t eol = next_line(buf, len, i);
    size_t end = eol;
    while (end > i && is_ws((unsigned char)buf[end - 1]))
        end--;
    char first = buf[i], last = buf[end - 1];
    if (((first == '{' && last == '}') || (first == '[' && last == ']')) && end - i <= max_doc) {
        auto res = parser.parse(buf + i, end - i, !s->padded);
        if (!res.error()) {
            s->pos = eol;
            s->doc_size = end - i;
            *at = s->base + i;
            *doc = from_elem(res.value_unsafe());
            return JSON_NEXT_DOC;
        }
    }

    // Pretty-printed documents (jq, json.dumps(indent=...), CloudTrail
    // files): their inner lines are indented, so the first later line that
    // starts with a closing bracket in its first column most likely ends
    // the document. Try exactly that once; a parse that succeeds proves it.
    if ((first == '{' || first == '[') && eol < len) {
        size_t ln = eol;
        while (ln < len && ln - i <= max_doc) {
            char c = buf[ln];
            if (c == '}' || c == ']') {
                size_t eol2 = next_line(buf, len, ln), end2 = eol2;
                while (end2 > ln && is_ws((unsigned char)buf[end2 - 1]))
                    end2--;
                if ((eol2 < len || !s->more) && end2 - i <= max_doc) {
                    auto res = parser.parse(buf + i, end2 - i, !s->padded);
                    if (!res.error()) {
                        s->pos = eol2;
                        s->doc_size = end2 - i;
                        *at = s->base + i;
                        *doc = from_elem(res.value_unsafe());
                        return JSON_NEXT_DOC;
                    }
                }
                break;
            }
            if (c == '{' || c == '[')
                break; // the next document, or something odd: scan
            ln = next_line(buf, len, ln);
        }
    }

    // Slow path: find the value's extent, or where it goes wrong.
    scan_result sr = scan_value(buf, len, i);
    switch (sr.status) {
    case scan_result::OK: {
        size_t n = sr.end - i;
        if (s->more && sr.end == len && first != '{' && first != '[' && first != '"') {
            s->pos = i; // a number or literal that may go on in the next bytes
            return JSON_NEXT_END;
        }
        s->pos = sr.end;
        if (n > max_doc) {
            std::snprintf(s->err, sizeof s->err,
                          "document of %zu bytes is larger than the limit of %zu bytes; skipped", n,
                          max_doc);
            return fail(s, i, at, err);
        }
        auto res = parser.parse(buf + i, n, !s->padded);
        if (res.error()) {
            std::snprintf(s->err, sizeof s->err, "invalid JSON: %s",
                          simdjson::error_message(res.error()));
            return fail(s, i, at, err);
        }
        s->doc_size = n;
        *at = s->base + i;
        *doc = from_elem(res.value_unsafe());
        return JSON_NEXT_DOC;
    }
    case scan_result::SYNTAX: {
        std::snprintf(s->err, sizeof s->err, "invalid JSON: %s at byte %zu", sr.what,
                      s->base + sr.bad);
        // Resume at the line of the damage if it is past the document's
        // first line (a truncated line followed by the next document),
        // else after that line.
        size_t ls = line_start(buf, sr.bad);
        if (ls > i) {
            s->pos = ls;
            s->resyncing = true;
        } else {
            resync_after_line(s, sr.bad);
        }
        return fail(s, i, at, err);
    }
    case scan_result::TOO_DEEP:
        std::snprintf(s->err, sizeof s->err, "invalid JSON: nested deeper than %zu levels at byte %zu",
                      MAX_DEPTH, s->base + sr.bad);
        resync_after_line(s, sr.bad);
        return fail(s, i, at, err);
    case scan_result::TRUNCATED:
    default:
        if (len - i > max_doc) {
            std::snprintf(s->err, sizeof s->err,
                          "document larger than the limit of %zu bytes; skipped up to the next line "
                          "that starts a document",
                          max_doc);
            resync_after_line(s, i);
            return fail(s, i, at, err);
        }
        if (s->more) {
            s->pos = i; // the document goes on in the next bytes
            return JSON_NEXT_END;
        }
        std::snprintf(s->err, sizeof s->err,
                      "truncated JSON: the input ends inside a document (%zu bytes read)", len - i);
        s->done = true;
        s->pos = len;
        return fail(s, i, at, err);
    }
}

// ---------------------------------------------------------------------------
// Values.

enum json_kind json_kind(json_ref v)
{
    switch (to_elem(v).type()) {
    case dom::element_type::ARRAY:
        return JSON_ARRAY;
    case dom::element_type::OBJECT:
        return JSON_OBJECT;
    case dom::element_type::INT64:
        return JSON_INT64;
    case dom::element_type::UINT64:
        return JSON_UINT64;
    case dom::element_type::DOUBLE:
        return JSON_DOUBLE;
    case dom::element_type::STRING:
        return JSON_STRING;
    case dom::element_type::BOOL:
        return JSON_BOOL;
    case dom::element_type::NULL_VALUE:
    default:
        return JSON_NULL;
    }
}

bool json_object_get(json_ref obj, const char *key, size_t keylen, json_ref *out)
{
    dom::object o;
    if (to_elem(obj).get_object().get(o))
        return false;
    dom::element e;
    if (o.at_key(std::string_view(key, keylen)).get(e))
        return false;
    *out = from_elem(e);
    return true;
}

// Does the object key equal the pointer token tok (with ~0 and ~1 escapes)?
static bool key_equals_token(std::string_view key, const char *tok, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = tok[i];
        if (c == '~') {
            if (i + 1 >= n)
                return false;
            char e = tok[++i];
            if (e == '0')
                c = '~';
            else if (e == '1')
                c = '/';
            else
                return false;
        }
        if (k >= key.size() || key[k] != c)
            return false;
        k++;
    }
    return k == key.size();
}

bool json_pointer(json_ref v, const char *ptr, size_t len, json_ref *out)
{
    dom::element cur = to_elem(v);
    size_t i = 0;
    if (len == 0) {
        *out = v;
        return true;
    }
    if (ptr[0] != '/')
        return false;
    while (i < len) {
        // ptr[i] == '/'
        size_t start = i + 1, end = start;
        while (end < len && ptr[end] != '/')
            end++;
        const char *tok = ptr + start;
        size_t n = end - start;
        dom::element_type t = cur.type();
        if (t == dom::element_type::OBJECT) {
            dom::object o = cur.get_object().value_unsafe();
            bool found = false;
            for (dom::key_value_pair kv : o) {
                if (key_equals_token(kv.key, tok, n)) {
                    cur = kv.value;
                    found = true;
                    break;
                }
            }
            if (!found)
                return false;
        } else if (t == dom::element_type::ARRAY) {
            // RFC 6901: "0" or digits without a leading zero; "-" (past the
            // end) never names an element.
            if (n == 0 || (n > 1 && tok[0] == '0'))
                return false;
            size_t idx = 0;
            for (size_t k = 0; k < n; k++) {
                if (tok[k] < '0' || tok[k] > '9')
                    return false;
                if (idx > (SIZE_MAX - 9) / 10)
                    return false;
                idx = idx * 10 + (size_t)(tok[k] - '0');
            }
            dom::array a = cur.get_array().value_unsafe();
            if (a.at(idx).get(cur))
                return false;
        } else {
            return false;
        }
        i = end;
    }
    *out = from_elem(cur);
    return true;
}

size_t json_array_size(json_ref arr)
{
    dom::array a;
    if (to_elem(arr).get_array().get(a))
        return 0;
    return a.size();
}

void json_iter_begin(json_ref container, json_iter *it)
{
    iter_state st;
    std::memset(st.cur.bytes, 0, sizeof st.cur.bytes);
    st.container = to_elem(container);
    dom::element_type t = st.container.type();
    if (t == dom::element_type::ARRAY) {
        dom::array::iterator b = st.container.get_array().value_unsafe().begin();
        std::memcpy(st.cur.bytes, static_cast<const void *>(&b), sizeof b);
    } else if (t == dom::element_type::OBJECT) {
        dom::object::iterator b = st.container.get_object().value_unsafe().begin();
        std::memcpy(st.cur.bytes, static_cast<const void *>(&b), sizeof b);
    }
    std::memset(it, 0, sizeof *it);
    std::memcpy(it, static_cast<const void *>(&st), sizeof st);
}

bool json_iter_next(json_iter *it, json_ref *value, const char **key, size_t *keylen)
{
    iter_state st;
    std::memcpy(static_cast<void *>(&st), it, sizeof st);
    dom::element_type t = st.container.type();
    if (t == dom::element_type::ARRAY) {
        dom::array a = st.container.get_array().value_unsafe();
        dom::array::iterator cur = a.begin();
        std::memcpy(static_cast<void *>(&cur), st.cur.bytes, sizeof cur);
        if (!(cur != a.end()))
            return false;
        *value = from_elem(*cur);
        if (key)
            *key = nullptr;
        if (keylen)
            *keylen = 0;
        ++cur;
        std::memcpy(st.cur.bytes, static_cast<const void *>(&cur), sizeof cur);
    } else if (t == dom::element_type::OBJECT) {
        dom::object o = st.container.get_object().value_unsafe();
        dom::object::iterator cur = o.begin();
        std::memcpy(static_cast<void *>(&cur), st.cur.bytes, sizeof cur);
        if (!(cur != o.end()))
            return false;
        *value = from_elem(cur.value());
        if (key)
            *key = cur.key_c_str();
        if (keylen)
            *keylen = cur.key_length();
        ++cur;
        std::memcpy(st.cur.bytes, static_cast<const void *>(&cur), sizeof cur);
    } else {
        return false;
    }
    std::memcpy(it, static_cast<const void *>(&st), sizeof st);
    return true;
}

bool json_get_string(json_ref v, const char **s, size_t *len)
{
    std::string_view sv;
    if (to_elem(v).get_string().get(sv))
        return false;
    *s = sv.data();
    *len = sv.size();
    return true;
}

bool json_get_bool(json_ref v, bool *out)
{
    return !to_elem(v).get_bool().get(*out);
}

bool json_get_int64(json_ref v, int64_t *out)
{
    return !to_elem(v).get_int64().get(*out);
}

bool json_get_uint64(json_ref v, uint64_t *out)
{
    return !to_elem(v).get_uint64().get(*out);
}

bool json_get_double(json_ref v, double *out)
{
    return !to_elem(v).get_double().get(*out);
}

bool json_array_at(json_ref arr, size_t i, json_ref *out)
{
    dom::array a;
    dom::element e;
    if (to_elem(arr).get_array().get(a) || a.at(i).get(e))
        return false;
    *out = from_elem(e);
    return true;
}

} // extern "C"

// ---------------------------------------------------------------------------
// Text of values, as Falco's Go plugins print them.

namespace {

struct text_buf {
    char *s = nullptr;
    size_t len = 0, cap = 0;
    ~text_buf() { std::free(s); }
    void reserve(size_t more)
    {
        if (len + more <= cap)
            return;
        size_t c = cap ? cap * 2 : 256;
        while (c < len + more)
            c *= 2;
        char *n = static_cast<char *>(std::realloc(s, c));
        if (!n) {
            std::fputs("stoop: out of memory\n", stderr);
            std::abort();
        }
        s = n;
        cap = c;
    }
    void put(char c)
    {
        reserve(1);
        s[len++] = c;
    }
    void put(const char *p, size_t n)
    {
        reserve(n);
        std::memcpy(s + len, p, n);
        len += n;
    }
    void put(std::string_view v) { put(v.data(), v.size()); }
};

// fastjson's MarshalTo: a string without '"', '\\' or control characters
// is written as it is; otherwise Go's encoding/json escaping applies (which
// also escapes <, >, &, U+2028, U+2029 and replaces invalid UTF-8, which a
// parsed document does not contain).
void put_string(text_buf &b, std::string_view v)
{
    bool special = false;
    for (unsigned char c : v) {
        if (c == '"' || c == '\\' || c < 0x20) {
            special = true;
            break;
        }
    }
    b.put('"');
    if (!special) {
        b.put(v);
        b.put('"');
        return;
    }
    static const char hex[] = "0123456789abcdef";
    size_t n = v.size();
    const unsigned char *p = reinterpret_cast<const unsigned char *>(v.data());
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        switch (c) {
        case '"':
            b.put("\\\"", 2);
            continue;
        case '\\':
            b.put("\\\\", 2);
            continue;
        case '\n':
            b.put("\\n", 2);
            continue;
        case '\r':
            b.put("\\r", 2);
            continue;
        case '\t':
            b.put("\\t", 2);
            continue;
        case '\b':
            b.put("\\b", 2);
            continue;
        case '\f':
            b.put("\\f", 2);
            continue;
        case '<':
        case '>':
        case '&':
            break;
        default:
            if (c >= 0x20) {
                // U+2028 and U+2029 (E2 80 A8/A9)
                if (c == 0xE2 && i + 2 < n && p[i + 1] == 0x80 && (p[i + 2] == 0xA8 || p[i + 2] == 0xA9)) {
                    b.put(p[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
                    i += 2;
                } else {
                    b.put((char)c);
                }
                continue;
            }
            break;
        }
        char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        b.put(u, 6);
    }
    b.put('"');
}

void put_double(text_buf &b, double d)
{
    char tmp[64];
    std::to_chars_result r;
    double a = d < 0 ? -d : d;
    if (a == 0 || (a >= 1e-6 && a < 1e21))
        r = std::to_chars(tmp, tmp + sizeof tmp, d, std::chars_format::fixed);
    else
        r = std::to_chars(tmp, tmp + sizeof tmp, d, std::chars_format::scientific);
    size_t n = (size_t)(r.ptr - tmp);
    b.put(tmp, n);
    if (!std::memchr(tmp, '.', n) && !std::memchr(tmp, 'e', n))
        b.put(".0", 2);
}

void put_value(text_buf &b, dom::element e, int indent, int depth)
{
    switch (e.type()) {
    case dom::element_type::OBJECT: {
        dom::object o = e.get_object().value_unsafe();
        b.put('{');
        bool first = true;
        for (dom::key_value_pair kv : o) {
            if (!first)
                b.put(',');
            if (indent) {
                b.put('\n');
                for (int k = 0; k < (depth + 1) * indent; k++)
                    b.put(' ');
            }
            first = false;
            put_string(b, kv.key);
            b.put(':');
            if (indent)
                b.put(' ');
            put_value(b, kv.value, indent, depth + 1);
        }
        if (indent && !first) {
            b.put('\n');
            for (int k = 0; k < depth * indent; k++)
                b.put(' ');
        }
        b.put('}');
        break;
    }
    case dom::element_type::ARRAY: {
        dom::array a = e.get_array().value_unsafe();
        b.put('[');
        bool first = true;
        for (dom::element x : a) {
            if (!first)
                b.put(',');
            if (indent) {
                b.put('\n');
                for (int k = 0; k < (depth + 1) * indent; k++)
                    b.put(' ');
            }
            first = false;
            put_value(b, x, indent, depth + 1);
        }
        if (indent && !first) {
            b.put('\n');
            for (int k = 0; k < depth * indent; k++)
                b.put(' ');
        }
        b.put(']');
        break;
    }
    case dom::element_type::STRING:
        put_string(b, e.get_string().value_unsafe());
        break;
    case dom::element_type::INT64: {
        char tmp[24];
        auto r = std::to_chars(tmp, tmp + sizeof tmp, e.get_int64().value_unsafe());
        b.put(tmp, (size_t)(r.ptr - tmp));
        break;
    }
    case dom::element_type::UINT64: {
        char tmp[24];
        auto r = std::to_chars(tmp, tmp + sizeof tmp, e.get_uint64().value_unsafe());
        b.put(tmp, (size_t)(r.ptr - tmp));
        break;
    }
    case dom::element_type::DOUBLE:
        put_double(b, e.get_double().value_unsafe());
        break;
    case dom::element_type::BOOL:
        if (e.get_bool().value_unsafe())
            b.put("true", 4);
        else
            b.put("false", 5);
        break;
    case dom::element_type::NULL_VALUE:
    default:
        b.put("null", 4);
        break;
    }
}

thread_local text_buf compact_buf, indent_buf;

} // namespace

extern "C" {

const char *json_to_text(json_ref v, size_t *len)
{
    text_buf &b = compact_buf;
    b.len = 0;
    put_value(b, to_elem(v), 0, 0);
    b.put('\0');
    *len = b.len - 1;
    return b.s;
}

const char *json_to_text_indented(json_ref v, size_t *len)
{
    text_buf &b = indent_buf;
    b.len = 0;
    put_value(b, to_elem(v), 2, 0);
    b.put('\0');
    *len = b.len - 1;
    return b.s;
}

} // extern "C"
