/* json_fixture.h: what the extractor tests share: a JSON parser and an
 * arena for the values, set up and torn down per test, and parse() for a
 * one-document JSON text. Include once, from a test file. */
#ifndef STOOP_JSON_FIXTURE_H
#define STOOP_JSON_FIXTURE_H

#include <check.h>
#include <string.h>

#include "json.h"
#include "../../plugins/source.h"

#ifndef STOOP_SHARED_DIR
#define STOOP_SHARED_DIR "../shared"
#endif

#define COUNT(x) (sizeof(x) / sizeof((x)[0]))

static struct json_parser *parser;
static struct arena arena;
static uint64_t evnum;

static void fixture_setup(void)
{
    parser = json_parser_new(0);
    evnum = 0;
}

static void fixture_teardown(void)
{
    json_parser_free(parser);
    arena_free(&arena);
}

/* The one document of text (valid until the next parse). */
static json_ref parse(const char *text)
{
    struct json_stream *s = json_stream_open(parser, text, strlen(text));
    json_ref d;
    size_t at;
    const char *err = NULL;
    enum json_next r = json_stream_next(s, &d, &at, &err);
    ck_assert_msg(r == JSON_NEXT_DOC, "parse failed: %s", err ? err : "?");
    json_stream_close(s);
    return d;
}

#endif
