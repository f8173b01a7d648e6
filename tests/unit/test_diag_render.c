/* test_diag_render.c: the text, JSON and SARIF renderings of diagnostics,
 * compared byte for byte. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"

static struct source_set src;
static struct diag_list dl;

static void setup(void)
{
    memset(&src, 0, sizeof src);
    memset(&dl, 0, sizeof dl);
}

static void teardown(void)
{
    diag_list_free(&dl);
    source_set_free(&src);
}

static uint32_t add_file(const char *path, const char *text)
{
    return source_add(&src, path, xstrdup(text), strlen(text));
}

/* The span of the `nth` (0-based) occurrence of `needle` in file f, `len`
 * bytes long (strlen(needle) if len is 0). */
static struct span find_span(uint32_t f, const char *needle, unsigned nth, size_t len)
{
    const char *text = source_get(&src, f)->text;
    const char *p = strstr(text, needle);
    while (p && nth--)
        p = strstr(p + 1, needle);
    ck_assert_msg(p != NULL, "'%s' not in file", needle);
    uint32_t start = (uint32_t)(p - text);
    return (struct span){f, start, start + (uint32_t)(len ? len : strlen(needle))};
}

/* noinline: GCC 12 at -O2 mistakes open_memstream's buffer for a local. */
__attribute__((noinline)) static char *render(enum diag_format fmt, bool color)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(out);
    struct diag_render_opts opts = {fmt, color};
    diag_render(out, &dl, &src, &opts);
    fclose(out);
    return buf;
}

#define CHECK_RENDER(fmt, expected)                                                           \
    do {                                                                                      \
        char *got_ = render(fmt, false);                                                      \
        ck_assert_str_eq(got_, expected);                                                     \
        free(got_);                                                                           \
    } while (0)

static const char *RULES = "- rule: some rule\n"
                           "  desc: x\n"
                           "  condition: evt.type=open an\n"
                           "  output: \"%proc.name\"\n";

/* ---- text ---- */

START_TEST(text_single_char)
{
    uint32_t f = add_file("rules.yaml", RULES);
    diag_add(&dl, LOAD_ERR_COMPILE_CONDITION, find_span(f, "an\n", 0, 1), "bad token");
    CHECK_RENDER(DIAG_FMT_TEXT,
                 "rules.yaml:3:28: error[LOAD_ERR_COMPILE_CONDITION]: bad token\n"
                 "    3 |   condition: evt.type=open an\n"
                 "      |                            ^\n");
}
END_TEST

START_TEST(text_multi_char_context_hint)
{
    uint32_t f = add_file("rules.yaml", RULES);
    struct diag *d = diag_add(&dl, LOAD_ERR_COMPILE_CONDITION, find_span(f, "an\n", 0, 2),
                              "unexpected token after 'open', expecting 'or', 'and'");
    diag_context(d, "in rule 'some rule'");
    diag_hint(d, "did you mean 'and'?");
    diag_hint(d, "second hint");
    CHECK_RENDER(DIAG_FMT_TEXT,
                 "rules.yaml:3:28: error[LOAD_ERR_COMPILE_CONDITION]: unexpected token after "
                 "'open', expecting 'or', 'and'\n"
                 "    3 |   condition: evt.type=open an\n"
                 "      |                            ^~\n"
                 "  = in rule 'some rule'\n"
                 "  = hint: did you mean 'and'?\n"
                 "  = hint: second hint\n");
}
END_TEST

START_TEST(text_tab_in_line)
{
    /* Tabs expand to stops of 4 columns in both lines; the column in the
     * header counts the tab as one code point. */
    uint32_t f = add_file("t.yaml", "\tcondition:\ta and\tfoo\n");
    diag_add(&dl, LOAD_UNKNOWN_FILTER, find_span(f, "foo", 0, 0), "unknown field");
    diag_add(&dl, LOAD_ERR_COMPILE_CONDITION, find_span(f, "\ta", 0, 2), "tab span");
    CHECK_RENDER(DIAG_FMT_TEXT,
                 "t.yaml:1:19: warning[LOAD_UNKNOWN_FILTER]: unknown field\n"
                 "    1 |     condition:  a and   foo\n"
                 "      |                         ^~~\n"
                 "\n"
                 "t.yaml:1:12: error[LOAD_ERR_COMPILE_CONDITION]: tab span\n"
                 "    1 |     condition:  a and   foo\n"
                 "      |               ^~~\n");
}
END_TEST

START_TEST(text_utf8_before_span)
{
    uint32_t f = add_file("u.yaml", "  condition: proc.name=\"h\xc3\xa9\xe2\x82\xac\" and x\n");
    diag_add(&dl, LOAD_ERR_COMPILE_CONDITION, find_span(f, "and", 0, 0), "here");
    CHECK_RENDER(DIAG_FMT_TEXT,
                 "u.yaml:1:30: error[LOAD_ERR_COMPILE_CONDITION]: here\n"
                 "    1 |   condition: proc.name=\"h\xc3\xa9\xe2\x82\xac\" and x\n"
                 "      |                              ^~~\n");
}
END_TEST

START_TEST(text_span_at_end_of_line)
{
    uint32_t f = add_file("rules.yaml", RULES);
    /* An empty span on the newline: one ^ just past the last character. */
    struct span s = find_span(f, "an\n", 0, 0);
    s.start += 2;
    s.end = s.start;
    diag_add(&dl, LOAD_ERR_COMPILE_CONDITION, s, "unexpected end of condition");
    CHECK_RENDER(DIAG_FMT_TEXT,
                 "rules.yaml:3:30: error[LOAD_ERR_COMPILE_CONDITION]: unexpected end of condition\n"
                 "    3 |   condition: evt.type=open an\n"
                 "      |                              ^\n");
}
END_TEST

START_TEST(text_span_two_lines)
{
    uint32_t f = add_file("rules.yaml", RULES);
    struct span s = find_span(f, "open an", 0, 0);
    s.end = find_span(f, "output", 0, 0).end;
    diag_add(&dl, STOOP_NEVER_TRUE, s, "spans two lines");
    CHECK_RENDER(DIAG_FMT_TEXT,
                 "rules.yaml:3:23: warning[STOOP_NEVER_TRUE]: spans two lines\n"
                 "    3 |   condition: evt.type=open an\n"
                 "      |                       ^~~~~~~\n");
}
END_TEST

START_TEST(text_secondary_same_line)
{
    uint32_t f = add_file("c.yaml", "  condition: evt.type=open and evt.type=close\n");
    struct diag *d = diag_add(&dl, STOOP_NEVER_TRUE, find_span(f, "evt.type=close", 0, 0),
                              "condition can never be true");
    diag_secondary(d, find_span(f, "evt.type=open", 0, 0), "contradicts this");
    diag_secondary(d, find_span(f, "and", 0, 0), NULL);
    CHECK_RENDER(DIAG_FMT_TEXT,
                 "c.yaml:1:32: warning[STOOP_NEVER_TRUE]: condition can never be true\n"
                 "    1 |   condition: evt.type=open and evt.type=close\n"
                 "      |                                ^~~~~~~~~~~~~~\n"
                 "      |              ------------- contradicts this\n"
                 "      |                            ---\n");
}
END_TEST

START_TEST(text_secondary_other_line_and_file)
{
    uint32_t f = add_file("rules.yaml", RULES);
    uint32_t g = add_file("macros.yaml", "- macro: m\n  condition: proc.nme = x\n");
    struct diag *d = diag_add(&dl, LOAD_ERR_COMPILE_CONDITION, find_span(g, "proc.nme", 0, 0),
                              "unknown field 'proc.nme'");
    diag_secondary(d, find_span(f, "evt.type", 0, 0), "used here");
    diag_secondary(d, find_span(g, "m\n", 0, 1), NULL);
    diag_context(d, "in macro 'm', used by rule 'some rule'");
    diag_hint(d, "did you mean 'proc.name'?");
    CHECK_RENDER(DIAG_FMT_TEXT,
                 "macros.yaml:2:14: error[LOAD_ERR_COMPILE_CONDITION]: unknown field 'proc.nme'\n"
                 "    2 |   condition: proc.nme = x\n"
                 "      |              ^~~~~~~~\n"
                 "rules.yaml:3:14: note: used here\n"
                 "    3 |   condition: evt.type=open an\n"
                 "      |              ^~~~~~~~\n"
                 "macros.yaml:1:10: note: related location\n"
                 "    1 | - macro: m\n"
                 "      |          ^\n"
                 "  = in macro 'm', used by rule 'some rule'\n"
                 "  = hint: did you mean 'proc.name'?\n");
}
END_TEST

START_TEST(text_no_span)
{
    struct diag *d = diag_add(&dl, LOAD_ERR_FILE_READ, span_none(), "cannot read 'x.yaml'");
    diag_hint(d, "check the path");
    diag_add(&dl, LOAD_UNUSED_LIST, span_none(), "list 'l' is unused");
    CHECK_RENDER(DIAG_FMT_TEXT,
                 "stoopc: error[LOAD_ERR_FILE_READ]: cannot read 'x.yaml'\n"
                 "  = hint: check the path\n"
                 "\n"
                 "stoopc: warning[LOAD_UNUSED_LIST]: list 'l' is unused\n");
}
END_TEST

START_TEST(text_control_chars_and_bad_utf8)
{
    /* Nothing from the input reaches the terminal raw: control characters in
     * messages are escaped, in the source line they show as U+FFFD, as does
     * invalid UTF-8; each counts one column. */
    uint32_t f = add_file("b.yaml", "x: \"\xff\x1b[31m\" bad\r\n");
    diag_add(&dl, LOAD_ERR_YAML_PARSE, find_span(f, "bad", 0, 0), "esc \x1b[31m here\n");
    CHECK_RENDER(DIAG_FMT_TEXT,
                 "b.yaml:1:13: error[LOAD_ERR_YAML_PARSE]: esc \\x1b[31m here\\x0a\n"
                 "    1 | x: \"\xef\xbf\xbd\xef\xbf\xbd[31m\" bad\n"
                 "      |             ^~~\n");
}
END_TEST

START_TEST(text_wide_gutter_and_empty_line)
{
    struct strbuf sb = {0};
    for (int i = 0; i < 123455; i++)
        sb_putc(&sb, '\n');
    sb_puts(&sb, "last\n");
    uint32_t f = source_add(&src, "big.yaml", sb.s, sb.len);
    uint32_t end = (uint32_t)source_get(&src, f)->len;
    diag_add(&dl, LOAD_UNKNOWN_ITEM, (struct span){f, end - 5, end - 1}, "big");
    diag_add(&dl, LOAD_UNKNOWN_ITEM, (struct span){f, 0, 0}, "empty");
    CHECK_RENDER(DIAG_FMT_TEXT,
                 "big.yaml:123456:1: warning[LOAD_UNKNOWN_ITEM]: big\n"
                 "123456 | last\n"
                 "       | ^~~~\n"
                 "\n"
                 "big.yaml:1:1: warning[LOAD_UNKNOWN_ITEM]: empty\n"
                 "    1 |\n"
                 "      | ^\n");
}
END_TEST

START_TEST(text_color)
{
    uint32_t f = add_file("rules.yaml", RULES);
    struct diag *d = diag_add(&dl, LOAD_UNUSED_MACRO, find_span(f, "an\n", 0, 2), "w");
    diag_hint(d, "h");
    char *got = render(DIAG_FMT_TEXT, true);
    ck_assert_str_eq(got, "\033[1mrules.yaml:3:28:\033[0m \033[1;33mwarning[LOAD_UNUSED_MACRO]"
                          "\033[0m\033[1m: w\033[0m\n"
                          "\033[1;36m    3 |\033[0m   condition: evt.type=open an\n"
                          "\033[1;36m      |\033[0m                            "
                          "\033[1;33m^~\033[0m\n"
                          "  \033[1;36m= hint:\033[0m h\n");
    free(got);
}
END_TEST

START_TEST(text_empty_list)
{
    CHECK_RENDER(DIAG_FMT_TEXT, "");
}
END_TEST

/* ---- JSON ---- */

START_TEST(json_shape)
{
    uint32_t f = add_file("rules.yaml", RULES);
    struct diag *d = diag_add(&dl, LOAD_ERR_COMPILE_CONDITION, find_span(f, "an\n", 0, 2),
                              "unexpected token");
    diag_item(d, "some rule");
    diag_context(d, "in rule 'some rule'");
    diag_hint(d, "did you mean 'and'?");
    diag_secondary(d, find_span(f, "evt.type", 0, 0), "this field");
    diag_secondary(d, find_span(f, "rule", 0, 0), NULL);
    diag_add(&dl, LOAD_UNUSED_LIST, span_none(), "unused");
    CHECK_RENDER(DIAG_FMT_JSON,
                 "{\"version\":1,\"diagnostics\":[\n"
                 "{\"file\":\"rules.yaml\",\"line\":3,\"column\":28,\"end_line\":3,"
                 "\"end_column\":30,\"severity\":\"error\",\"code\":\"LOAD_ERR_COMPILE_CONDITION\","
                 "\"codedesc\":\"Error compiling condition\",\"message\":\"unexpected token\","
                 "\"item\":\"some rule\",\"context\":\"in rule 'some rule'\","
                 "\"hints\":[\"did you mean 'and'?\"],\"related\":["
                 "{\"file\":\"rules.yaml\",\"line\":3,\"column\":14,\"end_line\":3,"
                 "\"end_column\":22,\"message\":\"this field\"},"
                 "{\"file\":\"rules.yaml\",\"line\":1,\"column\":3,\"end_line\":1,"
                 "\"end_column\":7,\"message\":null}],"
                 "\"source_line\":\"  condition: evt.type=open an\"},\n"
                 "{\"file\":null,\"line\":null,\"column\":null,\"end_line\":null,"
                 "\"end_column\":null,\"severity\":\"warning\",\"code\":\"LOAD_UNUSED_LIST\","
                 "\"codedesc\":\"Unused list\",\"message\":\"unused\",\"item\":null,"
                 "\"context\":null,\"hints\":[],\"related\":[],\"source_line\":null}\n"
                 "],\"errors\":1,\"warnings\":1}\n");
}
END_TEST

START_TEST(json_escaping)
{
    uint32_t f = add_file("we\"ird\\.yaml", "a:\t\"q\\\"\xff\"\n");
    diag_add(&dl, LOAD_ERR_YAML_PARSE, find_span(f, "q", 0, 0),
             "quote \" backslash \\ nl \n tab \t bell \x07 del \x7f utf8 \xc3\xa9 bad \xc3");
    CHECK_RENDER(DIAG_FMT_JSON,
                 "{\"version\":1,\"diagnostics\":[\n"
                 "{\"file\":\"we\\\"ird\\\\.yaml\",\"line\":1,\"column\":5,\"end_line\":1,"
                 "\"end_column\":6,\"severity\":\"error\",\"code\":\"LOAD_ERR_YAML_PARSE\","
                 "\"codedesc\":\"YAML parse error\","
                 "\"message\":\"quote \\\" backslash \\\\ nl \\n tab \\t bell \\u0007 del \x7f "
                 "utf8 \xc3\xa9 bad \\ufffd\",\"item\":null,\"context\":null,\"hints\":[],"
                 "\"related\":[],\"source_line\":\"a:\\t\\\"q\\\\\\\"\\ufffd\\\"\"}\n"
                 "],\"errors\":1,\"warnings\":0}\n");
}
END_TEST

START_TEST(json_empty)
{
    CHECK_RENDER(DIAG_FMT_JSON, "{\"version\":1,\"diagnostics\":[],\"errors\":0,\"warnings\":0}\n");
}
END_TEST

START_TEST(json_multiline_end)
{
    uint32_t f = add_file("rules.yaml", RULES);
    struct span s = find_span(f, "an\n", 0, 3); /* ends after the newline */
    diag_add(&dl, STOOP_NEVER_TRUE, s, "m");
    char *got = render(DIAG_FMT_JSON, false);
    ck_assert_ptr_nonnull(strstr(got, "\"line\":3,\"column\":28,\"end_line\":4,\"end_column\":1,"));
    free(got);
}
END_TEST

/* ---- SARIF ---- */

START_TEST(sarif_shape)
{
    uint32_t f = add_file("./rules dir/r.yaml", RULES);
    struct diag *d = diag_add(&dl, LOAD_UNUSED_MACRO, find_span(f, "an\n", 0, 2), "w");
    diag_secondary(d, find_span(f, "evt", 0, 0), "see");
    diag_hint(d, "h");
    diag_add(&dl, LOAD_ERR_FILE_READ, span_none(), "cannot read");
    diag_add(&dl, LOAD_UNUSED_MACRO, find_span(f, "an\n", 0, 2), "w");
    char *got = render(DIAG_FMT_SARIF, false);
    /* Rules in code order, only codes that occur; ruleIndex points at them. */
    ck_assert_ptr_nonnull(strstr(got, "\"rules\":[\n{\"id\":\"LOAD_ERR_FILE_READ\","));
    ck_assert_ptr_nonnull(strstr(got, ",\n{\"id\":\"LOAD_UNUSED_MACRO\",\"shortDescription\":"
                                      "{\"text\":\"Unused macro\"},"));
    ck_assert_ptr_null(strstr(got, "LOAD_UNUSED_LIST"));
    ck_assert_ptr_nonnull(strstr(got, "\"columnKind\":\"unicodeCodePoints\""));
    ck_assert_ptr_nonnull(strstr(got, "{\"ruleId\":\"LOAD_UNUSED_MACRO\",\"ruleIndex\":1,"
                                      "\"level\":\"warning\",\"message\":{\"text\":\"w\\nhint: h\"},"
                                      "\"locations\":[{\"physicalLocation\":{\"artifactLocation\":"
                                      "{\"uri\":\"rules%20dir/r.yaml\",\"uriBaseId\":\"%SRCROOT%\"},"
                                      "\"region\":{\"startLine\":3,\"startColumn\":28,\"endLine\":3,"
                                      "\"endColumn\":30,\"snippet\":{\"text\":\"an\"}},"
                                      "\"contextRegion\":{\"startLine\":3,\"endLine\":3,"
                                      "\"snippet\":{\"text\":\"  condition: evt.type=open an\"}}}}],"
                                      "\"relatedLocations\":[{\"id\":1,"));
    ck_assert_ptr_nonnull(strstr(got, "\"message\":{\"text\":\"see\"}}],"));
    /* The location-less result has no locations. */
    ck_assert_ptr_nonnull(strstr(got, "{\"ruleId\":\"LOAD_ERR_FILE_READ\",\"ruleIndex\":0,"
                                      "\"level\":\"error\",\"message\":{\"text\":\"cannot read\"},"
                                      "\"partialFingerprints\""));
    /* Identical findings get distinct fingerprints: same hash, :1 and :2. */
    char *a = strstr(got, "\"primaryLocationLineHash\":\"");
    ck_assert_ptr_nonnull(a);
    char *c = strstr(a + 1, "\"primaryLocationLineHash\":\"");
    c = strstr(c + 1, "\"primaryLocationLineHash\":\"");
    ck_assert_ptr_nonnull(c);
    size_t off = strlen("\"primaryLocationLineHash\":\"");
    ck_assert_int_eq(strncmp(a + off, c + off, 16), 0);
    ck_assert_int_eq(strncmp(a + off + 16, ":1\"", 3), 0);
    ck_assert_int_eq(strncmp(c + off + 16, ":2\"", 3), 0);
    free(got);
}
END_TEST

START_TEST(sarif_fingerprint_stable_across_lines)
{
    /* Moving the finding down a line keeps its fingerprint. */
    uint32_t f = add_file("r.yaml", "a: 1\n  bad thing\n");
    uint32_t g = add_file("r.yaml", "a: 1\n\n\n  bad thing   \n");
    diag_add(&dl, LOAD_UNKNOWN_KEY, find_span(f, "bad", 0, 0), "unknown key");
    diag_add(&dl, LOAD_UNKNOWN_KEY, find_span(g, "bad", 0, 0), "unknown key");
    char *got = render(DIAG_FMT_SARIF, false);
    size_t off = strlen("\"primaryLocationLineHash\":\"");
    char *a = strstr(got, "\"primaryLocationLineHash\":\"");
    char *b = strstr(a + 1, "\"primaryLocationLineHash\":\"");
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(strncmp(a + off, b + off, 16), 0);
    free(got);
}
END_TEST

START_TEST(sarif_absolute_path)
{
    uint32_t f = add_file("/abs/x:y.yaml", "k: v\n");
    diag_add(&dl, LOAD_UNKNOWN_KEY, find_span(f, "k", 0, 0), "unknown key");
    char *got = render(DIAG_FMT_SARIF, false);
    ck_assert_ptr_nonnull(strstr(got, "{\"uri\":\"file:///abs/x%3Ay.yaml\"},"));
    free(got);
}
END_TEST

START_TEST(code_table)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    diag_print_code_table(out, true);
    fclose(out);
    ck_assert_ptr_nonnull(strstr(buf, "| Code | Severity | Short description | Description |\n"
                                      "|---|---|---|---|\n"
                                      "| `LOAD_ERR_FILE_READ` | error | File read error | "
                                      "The rules file could not be read |\n"));
    ck_assert_ptr_nonnull(strstr(buf, "Unsafe &lt;NA&gt; comparison"));
    unsigned rows = 0;
    for (char *p = buf; *p; p++)
        rows += *p == '\n';
    ck_assert_uint_eq(rows, DIAG_CODE_COUNT + 2);
    free(buf);
}
END_TEST

static Suite *diag_render_suite(void)
{
    Suite *s = suite_create("diag_render");
    TCase *tc = tcase_create("text");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, text_single_char);
    tcase_add_test(tc, text_multi_char_context_hint);
    tcase_add_test(tc, text_tab_in_line);
    tcase_add_test(tc, text_utf8_before_span);
    tcase_add_test(tc, text_span_at_end_of_line);
    tcase_add_test(tc, text_span_two_lines);
    tcase_add_test(tc, text_secondary_same_line);
    tcase_add_test(tc, text_secondary_other_line_and_file);
    tcase_add_test(tc, text_no_span);
    tcase_add_test(tc, text_control_chars_and_bad_utf8);
    tcase_add_test(tc, text_wide_gutter_and_empty_line);
    tcase_add_test(tc, text_color);
    tcase_add_test(tc, text_empty_list);
    suite_add_tcase(s, tc);

    tc = tcase_create("json");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, json_shape);
    tcase_add_test(tc, json_escaping);
    tcase_add_test(tc, json_empty);
    tcase_add_test(tc, json_multiline_end);
    suite_add_tcase(s, tc);

    tc = tcase_create("sarif");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, sarif_shape);
    tcase_add_test(tc, sarif_fingerprint_stable_across_lines);
    tcase_add_test(tc, sarif_absolute_path);
    tcase_add_test(tc, code_table);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(diag_render_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0;
}
