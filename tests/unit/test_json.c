/* test_json.c: the JSON interface of plugins/json.h (json_simdjson.cpp)
 * through its C API: document streams in the three layouts, malformed and
 * truncated documents, reading piece by piece, values, pointers,
 * iteration and the text forms Falco's Go plugins print. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* One stream item, as text: "D@<offset>:<compact JSON>" or "E@<offset>". */
struct items {
    char v[64][256];
    size_t n;
    char errs[64][256];
};

static void run_stream(const char *txt, size_t max_doc, struct items *out)
{
    struct json_parser *p = json_parser_new(max_doc);
    struct json_stream *s = json_stream_open(p, txt, strlen(txt));
    json_ref doc;
    size_t at;
    const char *err;
    enum json_next r;
    out->n = 0;
    while ((r = json_stream_next(s, &doc, &at, &err)) != JSON_NEXT_END) {
        ck_assert_uint_lt(out->n, COUNT(out->v));
        if (r == JSON_NEXT_ERROR) {
            snprintf(out->v[out->n], sizeof out->v[0], "E@%zu", at);
            snprintf(out->errs[out->n], sizeof out->errs[0], "%s", err);
        } else {
            size_t n;
            const char *t = json_to_text(doc, &n);
            ck_assert_uint_eq(strlen(t), n);
            snprintf(out->v[out->n], sizeof out->v[0], "D@%zu:%s", at, t);
            out->errs[out->n][0] = '\0';
        }
        out->n++;
    }
    json_stream_close(s);
    json_parser_free(p);
}

static void expect(const struct items *it, const char *const *want, size_t n)
{
    for (size_t i = 0; i < it->n && i < n; i++)
        ck_assert_msg(strcmp(it->v[i], want[i]) == 0, "item %zu: got %s (%s), want %s", i,
                      it->v[i], it->errs[i], want[i]);
    ck_assert_msg(it->n == n, "got %zu items, want %zu", it->n, n);
}

START_TEST(test_ndjson)
{
    struct items it;
    run_stream("{\"a\":1}\n{\"b\":[1,2]}\r\n\n  {\"c\":null}\n", 1 << 20, &it);
    const char *want[] = {"D@0:{\"a\":1}", "D@8:{\"b\":[1,2]}", "D@24:{\"c\":null}"};
    expect(&it, want, COUNT(want));
}
END_TEST

START_TEST(test_pretty_docs)
{
    struct items it;
    const char *txt = "{\n  \"a\": 1,\n  \"b\": {\n    \"c\": [1, 2]\n  }\n}\n{\n\t\"d\": \"x\"\n}";
    run_stream(txt, 1 << 20, &it);
    const char *want[] = {"D@0:{\"a\":1,\"b\":{\"c\":[1,2]}}", "D@43:{\"d\":\"x\"}"};
    expect(&it, want, COUNT(want));
    /* Several documents on one line, and scalars. */
    run_stream("{\"a\":1}{\"b\":2} [3] 4 \"five\" true null", 1 << 20, &it);
    const char *want2[] = {"D@0:{\"a\":1}", "D@7:{\"b\":2}", "D@15:[3]", "D@19:4",
                           "D@21:\"five\"", "D@28:true", "D@33:null"};
    expect(&it, want2, COUNT(want2));
}
END_TEST

START_TEST(test_array_layout)
{
    /* A top-level array is one document; the decoders decide. */
    struct items it;
    run_stream("[\n  {\"a\": 1},\n  {\"b\": 2}\n]\n", 1 << 20, &it);
    const char *want[] = {"D@0:[{\"a\":1},{\"b\":2}]"};
    expect(&it, want, COUNT(want));
}
END_TEST

START_TEST(test_malformed_middle)
{
    struct items it;
    /* line 2: missing comma; line 3 fine; line 4 truncated after a comma,
     * followed by a good line (a truncation right after a ':' would take
     * the next line as its value); a raw newline in a string; a bad literal; a stray bracket. */
    const char *txt = "{\"a\":1}\n"
                      "{\"a\": 1 \"b\": 2}\n"
                      "{\"c\":3}\n"
                      "{\"d\":{\"e\":1,\n"
                      "{\"f\":4}\n"
                      "{\"g\":\"x\n"
                      "{\"h\":5}\n"
                      "{\"i\":tru}\n"
                      "{\"j\":6}}\n"
                      "[7]";
    run_stream(txt, 1 << 20, &it);
    const char *want[] = {"D@0:{\"a\":1}", "E@8",  "D@24:{\"c\":3}", "E@32",
                          "D@45:{\"f\":4}", "E@53", "D@61:{\"h\":5}", "E@69",
                          "D@79:{\"j\":6}", "E@86", "D@88:[7]"};
    expect(&it, want, COUNT(want));
    ck_assert_ptr_nonnull(strstr(it.errs[1], "expected ',' or a closing bracket at byte 16"));
    ck_assert_ptr_nonnull(strstr(it.errs[5], "unterminated string"));
    ck_assert_ptr_nonnull(strstr(it.errs[7], "invalid JSON"));
}
END_TEST

START_TEST(test_malformed_pretty)
{
    /* A broken pretty-printed document gives one report; the next one,
     * starting in the first column, is read. */
    struct items it;
    const char *txt = "{\n  \"a\": 1,\n  \"b\" 2,\n  \"c\": {\n    \"d\": 3\n  }\n}\n{\n  \"e\": 4\n}\n";
    run_stream(txt, 1 << 20, &it);
    const char *want[] = {"E@0", "D@47:{\"e\":4}"};
    expect(&it, want, COUNT(want));
}
END_TEST

START_TEST(test_truncated)
{
    struct items it;
    run_stream("{\"a\":1}\n{\"b\":[1,2,{\"c\":", 1 << 20, &it);
    const char *want[] = {"D@0:{\"a\":1}", "E@8"};
    expect(&it, want, COUNT(want));
    ck_assert_ptr_nonnull(strstr(it.errs[1], "truncated"));
    /* A truncated pretty document: one report, nothing after it. */
    run_stream("{\n  \"a\": [\n    1,\n", 1 << 20, &it);
    const char *want2[] = {"E@0"};
    expect(&it, want2, COUNT(want2));
    /* Empty and blank inputs have no documents. */
    run_stream("", 1 << 20, &it);
    ck_assert_uint_eq(it.n, 0);
    run_stream(" \n\t\r\n", 1 << 20, &it);
    ck_assert_uint_eq(it.n, 0);
}
END_TEST

START_TEST(test_max_doc)
{
    struct items it;
    /* 40 bytes per line; limit 30: the long documents are skipped, whether
     * they are on one line or pretty-printed. */
    run_stream("{\"a\":\"0123456789012345678901234567890\"}\n{\"b\":1}\n"
               "{\n  \"c\": \"0123456789012345678901234567890\"\n}\n{\"d\":2}\n",
               30, &it);
    const char *want[] = {"E@0", "D@40:{\"b\":1}", "E@48", "D@93:{\"d\":2}"};
    expect(&it, want, COUNT(want));
    ck_assert_ptr_nonnull(strstr(it.errs[0], "larger than the limit of 30 bytes"));
}
END_TEST

START_TEST(test_deep_nesting)
{
    /* Deeper than simdjson's 1024 levels: reported, the next line read. */
    size_t depth = 3000;
    char *txt = malloc(2 * depth + 16);
    memset(txt, '[', depth);
    memset(txt + depth, ']', depth);
    strcpy(txt + 2 * depth, "\n{\"a\":1}");
    struct items it;
    run_stream(txt, 1 << 20, &it);
    ck_assert_uint_eq(it.n, 2);
    ck_assert_str_eq(it.v[0], "E@0");
    ck_assert_str_eq(it.v[1], "D@6001:{\"a\":1}");
    free(txt);
}
END_TEST

/* Feeds txt in pieces of `piece` bytes through set_more/consumed/refill and
 * checks the same items come out as from one buffer. */
static void run_pieces(const char *txt, size_t piece, struct items *out)
{
    size_t total = strlen(txt);
    struct json_parser *p = json_parser_new(1 << 20);
    char *buf = malloc(total + JSON_PADDING + 1);
    size_t have = piece < total ? piece : total, fed = have;
    memcpy(buf, txt, have);
    memset(buf + have, 0, JSON_PADDING);
    struct json_stream *s = json_stream_open_padded(p, buf, have);
    json_stream_set_more(s, fed < total);
    out->n = 0;
    for (;;) {
        json_ref doc;
        size_t at;
        const char *err;
        enum json_next r = json_stream_next(s, &doc, &at, &err);
        if (r == JSON_NEXT_END) {
            if (fed >= total)
                break;
            size_t used = json_stream_consumed(s);
            memmove(buf, buf + used, have - used);
            have -= used;
            size_t add = total - fed < piece ? total - fed : piece;
            memcpy(buf + have, txt + fed, add);
            have += add;
            fed += add;
            memset(buf + have, 0, JSON_PADDING);
            json_stream_refill(s, buf, have, fed < total);
            continue;
        }
        if (r == JSON_NEXT_ERROR) {
            snprintf(out->v[out->n], sizeof out->v[0], "E@%zu", at);
            snprintf(out->errs[out->n], sizeof out->errs[0], "%s", err);
        } else {
            size_t n;
            snprintf(out->v[out->n], sizeof out->v[0], "D@%zu:%s", at, json_to_text(doc, &n));
        }
        out->n++;
    }
    json_stream_close(s);
    json_parser_free(p);
    free(buf);
}

START_TEST(test_pieces)
{
    const char *texts[] = {
        "{\"a\":1}\n{\"a\": 1 \"b\": 2}\n{\"c\":3}\n{\"d\":{\"e\":\n{\"f\":4}\n12 345 \"six\"\n",
        "{\n  \"a\": 1,\n  \"b\" 2\n}\n{\n  \"c\": [1, 2, 3]\n}\n[{\"x\":1},\n{\"y\":2}]\n",
        "{\"a\":\"long string value with spaces and \\\"quotes\\\"\"}\n{\"b\":[true,false,null]}",
        /* damage early in a long line: the rest of it, read in a later
         * piece, must not be taken for a document */
        "{\"a\" 1, \"b\": {\"c\": 2}, \"d\": [1, 2, 3]}\n\"s\"\n{\"e\":1}\n",
    };
    for (size_t t = 0; t < COUNT(texts); t++) {
        struct items whole, parts;
        run_stream(texts[t], 1 << 20, &whole);
        for (size_t piece = 1; piece <= 20; piece++) {
            run_pieces(texts[t], piece, &parts);
            ck_assert_msg(parts.n == whole.n, "text %zu piece %zu: %zu items, want %zu", t, piece,
                          parts.n, whole.n);
            for (size_t i = 0; i < whole.n; i++)
                ck_assert_msg(strcmp(parts.v[i], whole.v[i]) == 0,
                              "text %zu piece %zu item %zu: %s, want %s", t, piece, i,
                              parts.v[i], whole.v[i]);
        }
    }
}
END_TEST

/* ---- values ---- */

struct one {
    struct json_parser *p;
    struct json_stream *s;
    json_ref doc;
};

static json_ref parse_one(struct one *o, const char *txt)
{
    o->p = json_parser_new(1 << 20);
    o->s = json_stream_open(o->p, txt, strlen(txt));
    size_t at;
    const char *err;
    ck_assert_int_eq(json_stream_next(o->s, &o->doc, &at, &err), JSON_NEXT_DOC);
    return o->doc;
}

static void close_one(struct one *o)
{
    json_stream_close(o->s);
    json_parser_free(o->p);
}

static const char *text_at(json_ref d, const char *ptr)
{
    json_ref v;
    if (!json_pointer(d, ptr, strlen(ptr), &v))
        return NULL;
    size_t n;
    return json_to_text(v, &n);
}

START_TEST(test_values)
{
    struct one o;
    json_ref d = parse_one(&o, "{\"s\":\"h\\u00e9llo\",\"i\":-42,\"u\":18446744073709551615,"
                                "\"f\":2.5,\"t\":true,\"n\":null,\"a\":[1,\"x\"],\"o\":{}}");
    json_ref v;
    const char *s;
    size_t n;
    int64_t i;
    uint64_t u;
    double f;
    bool b;
    ck_assert_int_eq(json_kind(d), JSON_OBJECT);
    ck_assert(json_object_get(d, "s", 1, &v) && json_kind(v) == JSON_STRING);
    ck_assert(json_get_string(v, &s, &n));
    ck_assert_uint_eq(n, 6);
    ck_assert(memcmp(s, "h\xc3\xa9llo", 6) == 0);
    ck_assert(!json_get_int64(v, &i));
    ck_assert(json_object_get(d, "i", 1, &v) && json_kind(v) == JSON_INT64);
    ck_assert(json_get_int64(v, &i) && i == -42);
    ck_assert(!json_get_uint64(v, &u));
    ck_assert(json_object_get(d, "u", 1, &v) && json_kind(v) == JSON_UINT64);
    ck_assert(json_get_uint64(v, &u) && u == UINT64_MAX);
    ck_assert(json_object_get(d, "f", 1, &v) && json_kind(v) == JSON_DOUBLE);
    ck_assert(json_get_double(v, &f) && f == 2.5);
    ck_assert(json_object_get(d, "t", 1, &v) && json_kind(v) == JSON_BOOL);
    ck_assert(json_get_bool(v, &b) && b);
    ck_assert(json_object_get(d, "n", 1, &v) && json_kind(v) == JSON_NULL);
    ck_assert(json_object_get(d, "a", 1, &v) && json_kind(v) == JSON_ARRAY);
    ck_assert_uint_eq(json_array_size(v), 2);
    json_ref e;
    ck_assert(json_array_at(v, 1, &e) && json_get_string(e, &s, &n) && n == 1 && *s == 'x');
    ck_assert(!json_array_at(v, 2, &e));
    ck_assert(!json_object_get(d, "missing", 7, &v));
    ck_assert(!json_object_get(e, "s", 1, &v)); /* not an object */
    ck_assert_uint_eq(json_array_size(d), 0);   /* not an array */

    /* Iteration: objects in document order with keys, arrays without. */
    json_iter it;
    const char *key;
    size_t klen;
    char order[64] = "";
    json_iter_begin(d, &it);
    while (json_iter_next(&it, &v, &key, &klen))
        strncat(order, key, klen);
    ck_assert_str_eq(order, "siuftnao");
    json_object_get(d, "a", 1, &v);
    json_iter_begin(v, &it);
    int count = 0;
    while (json_iter_next(&it, &e, &key, &klen)) {
        ck_assert_ptr_null(key);
        count++;
    }
    ck_assert_int_eq(count, 2);
    json_object_get(d, "o", 1, &v);
    json_iter_begin(v, &it);
    ck_assert(!json_iter_next(&it, &e, &key, &klen));
    json_object_get(d, "i", 1, &v);
    json_iter_begin(v, &it); /* a scalar iterates nothing */
    ck_assert(!json_iter_next(&it, &e, &key, &klen));
    close_one(&o);
}
END_TEST

START_TEST(test_pointer)
{
    struct one o;
    json_ref d = parse_one(&o, "{\"a\":{\"b/c\":[10,{\"d~e\":\"x\"}],\"\":1},\"01\":2,\"arr\":[[5]]}");
    ck_assert_str_eq(text_at(d, "/a/b~1c/0"), "10");
    ck_assert_str_eq(text_at(d, "/a/b~1c/1/d~0e"), "\"x\"");
    ck_assert_str_eq(text_at(d, "/a/"), "1");
    ck_assert_str_eq(text_at(d, "/01"), "2");
    ck_assert_str_eq(text_at(d, "/arr/0/0"), "5");
    ck_assert_str_eq(text_at(d, ""), "{\"a\":{\"b/c\":[10,{\"d~e\":\"x\"}],\"\":1},\"01\":2,\"arr\":[[5]]}");
    ck_assert_ptr_null(text_at(d, "/a/b~1c/2"));  /* out of range */
    ck_assert_ptr_null(text_at(d, "/a/b~1c/01")); /* leading zero */
    ck_assert_ptr_null(text_at(d, "/a/b~1c/-"));
    ck_assert_ptr_null(text_at(d, "/a/b~2c"));    /* bad escape */
    ck_assert_ptr_null(text_at(d, "a"));          /* no leading slash */
    ck_assert_ptr_null(text_at(d, "/arr/0/0/x")); /* through a scalar */
    close_one(&o);
}
END_TEST

START_TEST(test_text)
{
    struct one o;
    json_ref d = parse_one(&o, "{\"n\":[0,-7,1.5,2.5e3,1e300,1.0,-0.0,18446744073709551615],"
                                "\"plain\":\"a<b&c>\",\"esc\":\"q\\\"b\\\\n\\nt\\tc\\u0001<&>\\u2028\","
                                "\"utf\":\"\\u00e9\",\"e\":{},\"l\":[],\"nested\":{\"x\":[{\"y\":null}]}}");
    size_t n;
    const char *t = json_to_text(d, &n);
    ck_assert_str_eq(t, "{\"n\":[0,-7,1.5,2500.0,1e+300,1.0,-0.0,18446744073709551615],"
                        "\"plain\":\"a<b&c>\","
                        "\"esc\":\"q\\\"b\\\\n\\nt\\tc\\u0001\\u003c\\u0026\\u003e\\u2028\","
                        "\"utf\":\"\xc3\xa9\",\"e\":{},\"l\":[],\"nested\":{\"x\":[{\"y\":null}]}}");
    ck_assert_uint_eq(n, strlen(t));
    t = json_to_text_indented(d, &n);
    ck_assert_str_eq(t, "{\n"
                        "  \"n\": [\n"
                        "    0,\n    -7,\n    1.5,\n    2500.0,\n    1e+300,\n    1.0,\n    -0.0,\n"
                        "    18446744073709551615\n"
                        "  ],\n"
                        "  \"plain\": \"a<b&c>\",\n"
                        "  \"esc\": \"q\\\"b\\\\n\\nt\\tc\\u0001\\u003c\\u0026\\u003e\\u2028\",\n"
                        "  \"utf\": \"\xc3\xa9\",\n"
                        "  \"e\": {},\n"
                        "  \"l\": [],\n"
                        "  \"nested\": {\n"
                        "    \"x\": [\n"
                        "      {\n"
                        "        \"y\": null\n"
                        "      }\n"
                        "    ]\n"
                        "  }\n"
                        "}");
    ck_assert_uint_eq(n, strlen(t));
    json_ref v;
    json_object_get(d, "plain", 5, &v);
    ck_assert_str_eq(json_to_text(v, &n), "\"a<b&c>\"");
    ck_assert_str_eq(json_to_text_indented(v, &n), "\"a<b&c>\"");
    close_one(&o);
}
END_TEST

START_TEST(test_refs_copyable)
{
    /* Handles are plain values: copies stay usable while the document is. */
    struct one o;
    json_ref d = parse_one(&o, "{\"a\":[1,2,3]}");
    json_ref v, copy;
    ck_assert(json_object_get(d, "a", 1, &v));
    memcpy(&copy, &v, sizeof v);
    ck_assert_uint_eq(json_array_size(copy), 3);
    json_iter it, it2;
    json_iter_begin(copy, &it);
    json_ref e;
    ck_assert(json_iter_next(&it, &e, NULL, NULL));
    memcpy(&it2, &it, sizeof it);
    int64_t x;
    ck_assert(json_iter_next(&it2, &e, NULL, NULL) && json_get_int64(e, &x) && x == 2);
    ck_assert(json_iter_next(&it, &e, NULL, NULL) && json_get_int64(e, &x) && x == 2);
    close_one(&o);
}
END_TEST

static Suite *json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("json");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_ndjson);
    tcase_add_test(tc, test_pretty_docs);
    tcase_add_test(tc, test_array_layout);
    tcase_add_test(tc, test_malformed_middle);
    tcase_add_test(tc, test_malformed_pretty);
    tcase_add_test(tc, test_truncated);
    tcase_add_test(tc, test_max_doc);
    tcase_add_test(tc, test_deep_nesting);
    tcase_add_test(tc, test_pieces);
    tcase_add_test(tc, test_values);
    tcase_add_test(tc, test_pointer);
    tcase_add_test(tc, test_text);
    tcase_add_test(tc, test_refs_copyable);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(json_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0;
}
