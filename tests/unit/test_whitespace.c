/* test_whitespace.c: every condition of Falco's official rules files, and of
 * stoop's bundled rules, parses to the same tree when its blanks are
 * changed to newlines and tabs (falco-language.md 2.2: blanks are space,
 * \t, \b, \r, \n between tokens). Blanks inside quoted strings are kept. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "pipeline.h"
#include "program.h"
#include "util.h"

static const char *const replacements[] = {"\n", "\t", " \n\t ", "\r\n  "};

/* Rewrites each run of blanks outside quotes with the next replacement. */
static char *reblank(const char *s, size_t len, size_t *out_len)
{
    struct strbuf sb = {0};
    char quote = 0;
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        char c = s[i];
        if (quote) {
            sb_putc(&sb, c);
            if (c == '\\' && i + 1 < len)
                sb_putc(&sb, s[++i]);
            else if (c == quote)
                quote = 0;
            i++;
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
                i++;
            sb_puts(&sb, replacements[k++ % 4]);
        } else {
            if (c == '"' || c == '\'')
                quote = c;
            sb_putc(&sb, c);
            i++;
        }
    }
    *out_len = sb.len;
    return sb_take(&sb);
}

static struct expr *parse_text(const char *s, size_t len)
{
    struct mapped_text t;
    mtext_init(&t);
    mtext_append_exact(&t, s, len, (struct span){0, 0, (uint32_t)len});
    struct diag_list dl = {0};
    struct expr *e = cond_parse(&t, &dl);
    diag_list_free(&dl);
    mtext_free(&t);
    return e;
}

static size_t check_condition(const char *text, size_t len)
{
    struct expr *a = parse_text(text, len);
    if (!a)
        return 0; /* conditions with list names pasted as values may not parse alone */
    size_t nlen;
    char *re = reblank(text, len, &nlen);
    struct expr *b = parse_text(re, nlen);
    ck_assert_msg(b != NULL, "re-blanked condition no longer parses: %s", re);
    ck_assert_msg(expr_equal(a, b), "trees differ after re-blanking: %s", text);
    expr_free(a);
    expr_free(b);
    free(re);
    return 1;
}

static size_t check_files(const char *const *paths, size_t n)
{
    struct program p;
    program_init(&p);
    pipeline_load(&p, paths, n);
    ck_assert_uint_eq(p.diags.nerrors, 0);
    size_t checked = 0;
    for (size_t i = 0; i < p.nmacros; i++)
        checked += check_condition(p.macros[i]->cond.text, p.macros[i]->cond.len);
    for (size_t i = 0; i < p.nrules; i++) {
        /* The compiled text: exceptions desugared and lists substituted. */
        const struct mapped_text *t = &p.rules[i]->full_cond;
        checked += check_condition(t->text, t->len);
    }
    program_free(&p);
    return checked;
}

START_TEST(official_syscall_rules)
{
    const char *const paths[] = {STOOP_SHARED_DIR "/peer/rules/falco_rules.yaml",
                                 STOOP_SHARED_DIR "/peer/rules/falco-incubating_rules.yaml",
                                 STOOP_SHARED_DIR "/peer/rules/falco-sandbox_rules.yaml"};
    ck_assert_uint_gt(check_files(paths, 3), 400);
}
END_TEST

START_TEST(official_plugin_rules)
{
    const char *const paths[] = {STOOP_SHARED_DIR "/peer/rules/k8s_audit_rules.yaml",
                                 STOOP_SHARED_DIR "/peer/rules/aws_cloudtrail_rules.yaml",
                                 STOOP_SHARED_DIR "/peer/rules/github.yaml",
                                 STOOP_SHARED_DIR "/peer/rules/okta_rules.yaml"};
    ck_assert_uint_gt(check_files(paths, 4), 150);
}
END_TEST

START_TEST(bundled_rules)
{
    const char *const paths[] = {STOOP_SOURCE_DIR "/rules/github_rules.yaml",
                                 STOOP_SOURCE_DIR "/rules/k8s_audit_rules.yaml",
                                 STOOP_SOURCE_DIR "/rules/okta_rules.yaml",
                                 STOOP_SOURCE_DIR "/rules/aws_cloudtrail_rules.yaml"};
    ck_assert_uint_ge(check_files(paths, 4), 6);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("whitespace");
    TCase *tc = tcase_create("reblank");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, official_syscall_rules);
    tcase_add_test(tc, official_plugin_rules);
    tcase_add_test(tc, bundled_rules);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0;
}
