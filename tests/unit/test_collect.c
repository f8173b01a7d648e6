/* test_collect.c: reading rules files (read_yaml.c), collecting items with
 * Falco's semantics (collect_items.c), the program tables (program.c) and
 * exception desugaring (desugar_exceptions.c). */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "program.h"
#include "util.h"

#ifndef STOOP_SHARED_DIR
#define STOOP_SHARED_DIR "../shared"
#endif

#ifdef STOOP_TEST_STUBS
/* Isolated builds (without pipeline.c): nothing is compiled in these tests,
 * so there is nothing beyond the plain arrays to free. */
void rule_compile_results_free(struct rule_def *r)
{
    mtext_free(&r->full_cond);
    free(r->evttypes);
    r->evttypes = NULL;
    for (size_t i = 0; i < r->nmacros_used; i++)
        free(r->macros_used[i]);
    free(r->macros_used);
    for (size_t i = 0; i < r->nlists_used; i++)
        free(r->lists_used[i]);
    free(r->lists_used);
    r->macros_used = r->lists_used = NULL;
    r->nmacros_used = r->nlists_used = 0;
}
#endif

static struct program prog;

static void setup(void)
{
    program_init(&prog);
}

static void teardown(void)
{
    program_free(&prog);
}

static uint32_t add_text(const char *name, const char *text, size_t len)
{
    char *copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    return source_add(&prog.src, name, copy, len);
}

static bool load_str(const char *text)
{
    return collect_file(&prog, add_text("test.yaml", text, strlen(text)));
}

static bool load_path(const char *path)
{
    size_t len;
    char *text = read_file(path, &len);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    return collect_file(&prog, source_add(&prog.src, path, text, len));
}

static void load_case(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/peer/loader-cases/%s", STOOP_SHARED_DIR, name);
    load_path(path);
}

static size_t count_code(enum diag_code code)
{
    size_t n = 0;
    for (size_t i = 0; i < prog.diags.n; i++)
        if (prog.diags.v[i].code == code)
            n++;
    return n;
}

static const struct diag *first_error(void)
{
    for (size_t i = 0; i < prog.diags.n; i++)
        if (prog.diags.v[i].severity == SEV_ERROR)
            return &prog.diags.v[i];
    return NULL;
}

static const struct diag *find_msg(const char *msg)
{
    for (size_t i = 0; i < prog.diags.n; i++)
        if (strcmp(prog.diags.v[i].message, msg) == 0)
            return &prog.diags.v[i];
    return NULL;
}

static void dump_diags(void)
{
    for (size_t i = 0; i < prog.diags.n; i++)
        fprintf(stderr, "  %s: %s [%u..%u]\n", diag_code_info(prog.diags.v[i].code)->name,
                prog.diags.v[i].message, prog.diags.v[i].primary.start,
                prog.diags.v[i].primary.end);
}

#define ASSERT_MSG(code_, msg_)                                                                    \
    do {                                                                                           \
        const struct diag *d_ = find_msg(msg_);                                                    \
        if (!d_)                                                                                   \
            dump_diags();                                                                          \
        ck_assert_msg(d_ != NULL, "no diagnostic '%s'", msg_);                                     \
        ck_assert_str_eq(diag_code_info(d_->code)->name, diag_code_info(code_)->name);             \
    } while (0)

/* The file text under a diagnostic's primary span. */
static char *span_text(struct span sp)
{
    const struct source_file *f = source_get(&prog.src, sp.file);
    ck_assert_ptr_nonnull(f);
    return xstrndup(f->text + sp.start, sp.end - sp.start);
}

/* Every exact piece of t is a verbatim copy of its file bytes. */
static void check_exact_pieces(const struct mapped_text *t)
{
    size_t covered = 0;
    for (size_t i = 0; i < t->npieces; i++) {
        const struct text_piece *pc = &t->pieces[i];
        ck_assert_uint_eq(pc->at, covered);
        covered += pc->len;
        if (!pc->exact)
            continue;
        const struct source_file *f = source_get(&prog.src, pc->origin.file);
        ck_assert_ptr_nonnull(f);
        ck_assert(pc->origin.start + pc->len <= f->len);
        ck_assert_msg(memcmp(f->text + pc->origin.start, t->text + pc->at, pc->len) == 0,
                      "piece %zu of '%s' does not match the file", i, t->text);
    }
    ck_assert_uint_eq(covered, t->len);
}

static void check_all_pieces(void)
{
    for (size_t i = 0; i < prog.nmacros; i++)
        check_exact_pieces(&prog.macros[i]->cond);
    for (size_t i = 0; i < prog.nrules; i++) {
        const struct rule_def *r = prog.rules[i];
        check_exact_pieces(&r->cond);
        check_exact_pieces(&r->output);
        check_exact_pieces(&r->desc);
        struct mapped_text d = exceptions_desugar(r);
        check_exact_pieces(&d);
        mtext_free(&d);
    }
}

static void validate_all(void)
{
    for (size_t i = 0; i < prog.nrules; i++)
        exceptions_validate(&prog, prog.rules[i]);
}

/* ---- official rules files ---- */

struct official {
    const char *file;
    size_t rules, enabled, macros, lists;
};

static const struct official OFFICIAL[] = {
    {"falco_rules.yaml", 25, 25, 87, 49},
    {"falco-incubating_rules.yaml", 31, 31, 82, 54},
    {"falco-sandbox_rules.yaml", 37, 25, 183, 60},
    {"k8s_audit_rules.yaml", 48, 48, 45, 18},
    {"aws_cloudtrail_rules.yaml", 22, 20, 0, 1},
    {"github.yaml", 15, 15, 0, 0},
    {"okta_rules.yaml", 21, 12, 1, 1},
    {"falco-deprecated_rules.yaml", 0, 0, 0, 0},
    {"application_rules.yaml", 0, 0, 0, 0},
    {"k8s_audit_rules_gke.yaml", 0, 0, 0, 0},
};

START_TEST(test_official_file)
{
    const struct official *o = &OFFICIAL[_i];
    char path[512];
    snprintf(path, sizeof path, "%s/peer/rules/%s", STOOP_SHARED_DIR, o->file);
    if (strcmp(o->file, "k8s_audit_rules_gke.yaml") == 0) { /* appends to k8s_audit_rules */
        char base[512];
        snprintf(base, sizeof base, "%s/peer/rules/k8s_audit_rules.yaml", STOOP_SHARED_DIR);
        ck_assert(load_path(base));
    }
    bool ok = load_path(path);
    validate_all();
    if (prog.diags.nerrors)
        dump_diags();
    ck_assert_msg(ok, "%s: errors", o->file);
    ck_assert_uint_eq(prog.diags.nerrors, 0);
    if (o->rules || o->macros || o->lists) {
        size_t enabled = 0;
        for (size_t i = 0; i < prog.nrules; i++)
            enabled += prog.rules[i]->enabled;
        ck_assert_uint_eq(prog.nrules, o->rules);
        ck_assert_uint_eq(enabled, o->enabled);
        ck_assert_uint_eq(prog.nmacros, o->macros);
        ck_assert_uint_eq(prog.nlists, o->lists);
    }
    check_all_pieces();
    /* Every scalar condition maps byte for byte to the file. */
    for (size_t i = 0; i < prog.nmacros; i++) {
        const struct macro_def *m = prog.macros[i];
        struct span sp = mtext_span(&m->cond, 0, 1);
        const struct source_file *f = source_get(&prog.src, sp.file);
        ck_assert_int_eq(f->text[sp.start], m->cond.text[0]);
    }
    for (size_t i = 0; i < prog.nrules; i++) {
        const struct rule_def *r = prog.rules[i];
        ck_assert_ptr_nonnull(r->source);
        /* Desugaring never crashes; without exceptions it is the condition
         * itself, with them "(" cond ")" and the exception clauses. */
        struct mapped_text d = exceptions_desugar(r);
        if (r->nexceptions == 0) {
            ck_assert_str_eq(d.text, r->cond.text);
        } else {
            ck_assert_int_eq(d.text[0], '(');
            ck_assert(strncmp(d.text + 1, r->cond.text, r->cond.len) == 0);
        }
        mtext_free(&d);
    }
}
END_TEST

START_TEST(test_official_syscall_speed)
{
    static const char *const files[] = {"falco_rules.yaml", "falco-incubating_rules.yaml",
                                        "falco-sandbox_rules.yaml"};
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (size_t i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/peer/rules/%s", STOOP_SHARED_DIR, files[i]);
        ck_assert(load_path(path));
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    fprintf(stderr, "collect of the three syscall files: %.1f ms\n", ms);
    ck_assert_uint_eq(prog.nrules, 25 + 31 + 37);
    /* Items of later files override earlier ones by name, so the totals
     * are at most the sums. */
    ck_assert(prog.nmacros <= 87 + 82 + 183);
    ck_assert(ms < 2000);
}
END_TEST

/* ---- loader cases from Falco's regression suite ---- */

struct lcase {
    const char *files[3];
    int code; /* first error code expected, or -1 for none */
};

#define LC(f) f
static const struct lcase CASES[] = {
    {{"InvalidNotArray__invalid_not_array.yaml"}, LOAD_ERR_YAML_VALIDATE},
    {{"InvalidArrayItemNotObject__invalid_array_item_not_object.yaml"}, LOAD_ERR_YAML_VALIDATE},
    {{"InvalidNotYaml__invalid_not_yaml.yaml"}, LOAD_ERR_YAML_VALIDATE},
    {{"InvalidYamlParseError__invalid_yaml_parse_error.yaml"}, LOAD_ERR_YAML_PARSE},
    {{"InvalidMissingRuleName__invalid_missing_rule_name.yaml"}, LOAD_ERR_YAML_VALIDATE},
    {{"InvalidMissingListName__invalid_missing_list_name.yaml"}, LOAD_ERR_YAML_VALIDATE},
    {{"InvalidMissingMacroName__invalid_missing_macro_name.yaml"}, LOAD_ERR_YAML_VALIDATE},
    {{"InvalidListWithoutItems__invalid_list_without_items.yaml"}, LOAD_ERR_YAML_VALIDATE},
    {{"InvalidMacroWithoutCondition__invalid_macro_without_condition.yaml"}, LOAD_ERR_YAML_VALIDATE},
    {{"InvalidRuleWithoutOutput__invalid_rule_without_output.yaml"}, LOAD_ERR_YAML_VALIDATE},
    {{"InvalidConditionNotRule__invalid_condition_not_rule.yaml"}, LOAD_ERR_YAML_VALIDATE},
    {{"InvalidAppendRuleWithoutCondition__invalid_append_rule_without_condition.yaml"},
     LOAD_ERR_VALIDATE},
    {{"InvalidAppendMacro__invalid_append_macro.yaml"}, LOAD_ERR_VALIDATE},
    {{"InvalidAppendRule__invalid_append_rule.yaml"}, LOAD_ERR_VALIDATE},
    {{"InvalidBaseMacro__invalid_base_macro.yaml", "InvalidAppendMacro__invalid_append_macro.yaml"},
     -1},
    {{"InvalidBaseRule__invalid_base_rule.yaml", "InvalidAppendRule__invalid_append_rule.yaml"}, -1},
    {{"InvalidBaseMacro__invalid_base_macro.yaml",
      "InvalidOverwriteMacro__invalid_overwrite_macro.yaml"},
     -1},
    {{"InvalidBaseRule__invalid_base_rule.yaml", "InvalidOverwriteRule__invalid_overwrite_rule.yaml"},
     -1},
    {{"SingleRule__single_rule.yaml", "AppendSingleRule__append_single_rule.yaml"}, -1},
    {{"AppendSingleRule__append_single_rule.yaml"}, LOAD_ERR_VALIDATE},
    {{"EngineVersionMismatch__engine_version_mismatch.yaml"}, LOAD_ERR_VALIDATE},
    {{"InvalidEngineVersionNotNumber__invalid_engine_version_not_number.yaml"},
     LOAD_ERR_YAML_VALIDATE},
    {{"ExceptionsAppendItemNoName__append_item_no_name.yaml"}, LOAD_ERR_YAML_VALIDATE},
    {{"ExceptionsAppendItemNotInRule__append_item_not_in_rule.yaml"}, LOAD_ERR_VALIDATE},
    {{"ExceptionsItemCompsFieldsLenMismatch__item_comps_fields_len_mismatch.yaml"},
     LOAD_ERR_VALIDATE},
    {{"ExceptionsItemNoFields__item_no_fields.yaml"}, LOAD_ERR_YAML_VALIDATE},
    {{"ExceptionsItemNoName__item_no_name.yaml"}, LOAD_ERR_YAML_VALIDATE},
    {{"ExceptionsRuleExceptionNewNoFieldAppend__rule_exception_new_no_field_append.yaml"},
     LOAD_ERR_VALIDATE},
    /* Found by exceptions_validate (compile time in Falco). */
    {{"ExceptionsAppendItemFieldsValuesLenMismatch__append_item_fields_values_len_mismatch.yaml"},
     LOAD_ERR_VALIDATE},
    {{"ExceptionsItemFieldsValuesLenMismatch__item_fields_values_len_mismatch.yaml"},
     LOAD_ERR_VALIDATE},
    {{"ExceptionsItemUnknownComp__item_unknown_comp.yaml"}, LOAD_ERR_VALIDATE},
};

START_TEST(test_loader_case)
{
    const struct lcase *lc = &CASES[_i];
    for (size_t i = 0; i < 3 && lc->files[i]; i++)
        load_case(lc->files[i]);
    validate_all();
    const struct diag *d = first_error();
    if (lc->code < 0) {
        if (d)
            dump_diags();
        ck_assert_msg(d == NULL, "%s: unexpected error", lc->files[0]);
    } else {
        if (!d || (int)d->code != lc->code)
            dump_diags();
        ck_assert_msg(d != NULL, "%s: no error", lc->files[0]);
        ck_assert_str_eq(diag_code_info(d->code)->name,
                         diag_code_info((enum diag_code)lc->code)->name);
        ck_assert(span_valid(d->primary));
    }
}
END_TEST

static bool case_listed(const char *name)
{
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        for (size_t k = 0; k < 3 && CASES[i].files[k]; k++)
            if (strcmp(CASES[i].files[k], name) == 0)
                return true;
    /* Appends to a rule defined in another file of its test. */
    return strcmp(name, "RulesListWithPluginJSON__rule-list-with-plugin-json.yaml") == 0;
}

/* Every other case collects without errors (their problems, if any, are
 * found by later passes). */
START_TEST(test_loader_cases_valid)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/peer/loader-cases", STOOP_SHARED_DIR);
    DIR *dh = opendir(dir);
    ck_assert_ptr_nonnull(dh);
    struct dirent *de;
    size_t n = 0;
    while ((de = readdir(dh))) {
        if (!strstr(de->d_name, ".yaml") || case_listed(de->d_name))
            continue;
        program_free(&prog);
        program_init(&prog);
        load_case(de->d_name);
        validate_all();
        if (prog.diags.nerrors) {
            fprintf(stderr, "%s:\n", de->d_name);
            dump_diags();
        }
        ck_assert_msg(prog.diags.nerrors == 0, "%s has errors", de->d_name);
        n++;
    }
    closedir(dh);
    ck_assert(n > 50);
}
END_TEST

START_TEST(test_loader_case_messages)
{
    load_case("EngineVersionMismatch__engine_version_mismatch.yaml");
    ASSERT_MSG(LOAD_ERR_VALIDATE, "Rules require engine version 0.9999999.0, but engine version is 0.62.0");
    load_case("InvalidEngineVersionNotNumber__invalid_engine_version_not_number.yaml");
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE,
               "Unable to parse engine version 'not-a-number' as a semver string. Expected \"x.y.z\" semver format.");
    load_case("InvalidNotArray__invalid_not_array.yaml");
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Rules content is not yaml array of objects");
    load_case("InvalidNotYaml__invalid_not_yaml.yaml");
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Rules content is not yaml");
    load_case("InvalidArrayItemNotObject__invalid_array_item_not_object.yaml");
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE,
               "Unexpected element type. Each element should be a yaml associative array.");
    load_case("InvalidListWithoutItems__invalid_list_without_items.yaml");
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Item has no mapping for key 'items'");
    ASSERT_MSG(LOAD_UNKNOWN_KEY, "Unknown key 'no_items'. The key will be ignored.");
    load_case("InvalidMissingRuleName__invalid_missing_rule_name.yaml");
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Mapping for key 'rule' is empty");
    load_case("InvalidAppendRuleWithoutCondition__invalid_append_rule_without_condition.yaml");
    ASSERT_MSG(LOAD_ERR_VALIDATE, "Appended rule must have exceptions or condition property");
    load_case("ExceptionsRuleExceptionNewNoFieldAppend__rule_exception_new_no_field_append.yaml");
    ASSERT_MSG(LOAD_ERR_VALIDATE, "Rule exception must have fields property with a list of fields");
    load_case("ExceptionsItemCompsFieldsLenMismatch__item_comps_fields_len_mismatch.yaml");
    ASSERT_MSG(LOAD_ERR_VALIDATE, "Fields and comps lists must have equal length");
    load_case("ExceptionsItemUnknownComp__item_unknown_comp.yaml");
    validate_all();
    ASSERT_MSG(LOAD_ERR_VALIDATE, "'no-comp' is not a supported comparison operator");
    load_case("InvalidYamlParseError__invalid_yaml_parse_error.yaml");
    const struct diag *d = NULL;
    for (size_t i = 0; i < prog.diags.n; i++)
        if (prog.diags.v[i].code == LOAD_ERR_YAML_PARSE)
            d = &prog.diags.v[i];
    ck_assert_ptr_nonnull(d);
    ck_assert(strstr(d->message, "line 1, column 11") != NULL);
}
END_TEST

START_TEST(test_engine_version_ok)
{
    ck_assert(load_str("- required_engine_version: 0.57.0\n- required_engine_version: 12\n"
                       "- required_engine_version: '0.62.0'\n"));
    ck_assert_str_eq(prog.required_engine_version, "0.62.0");
    ck_assert(!load_str("- required_engine_version: 0.63.0\n"));
    ASSERT_MSG(LOAD_ERR_VALIDATE, "Rules require engine version 0.63.0, but engine version is 0.62.0");
    ck_assert(!load_str("- required_engine_version: 1.0.0\n"));
    ck_assert(!load_str("- required_engine_version: 0.57\n"));
    ck_assert(!load_str("- required_engine_version:\n"));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Mapping for key 'required_engine_version' is empty");
}
END_TEST

START_TEST(test_plugin_versions)
{
    ck_assert(load_str("- required_plugin_versions:\n"
                       "    - name: k8saudit\n      version: 0.18.0\n"
                       "      alternatives:\n        - name: k8saudit-eks\n          version: 0.12.0\n"
                       "    - name: json\n      version: 0.7.0\n"));
    ck_assert_uint_eq(prog.nplugin_reqs, 2);
    ck_assert_uint_eq(prog.plugin_reqs[0].n, 2);
    ck_assert_str_eq(prog.plugin_reqs[0].alts[1].name, "k8saudit-eks");
    ck_assert_str_eq(prog.plugin_reqs[1].alts[0].version, "0.7.0");
    ck_assert(!load_str("- required_plugin_versions:\n    - name: x\n      version: abc\n"));
    ASSERT_MSG(LOAD_ERR_VALIDATE, "Invalid required version 'abc' for plugin 'x'");
    ck_assert(!load_str("- required_plugin_versions:\n    - name: x\n      version: 1.0.0\n"
                        "      alternatives: [{name: x, version: 2.0.0}]\n"));
    ASSERT_MSG(LOAD_ERR_VALIDATE, "Defined multiple alternative version requirements for plugin 'x'");
    ck_assert(!load_str("- required_plugin_versions: foo\n"));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Value of required_plugin_versions must be a sequence");
    ck_assert(!load_str("- required_plugin_versions: [foo]\n"));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Plugin version must be a mapping");
    ck_assert_uint_eq(prog.nplugin_reqs, 2);
}
END_TEST

/* ---- documents and items ---- */

START_TEST(test_documents)
{
    ck_assert(load_str(""));
    ck_assert(load_str("# only a comment\n"));
    ck_assert(load_str("---\n---\n- \n- list: a\n  items: []\n...\n---\n- list: b\n  items: [x]\n"));
    ck_assert_uint_eq(prog.nlists, 2);
    ck_assert(load_str("- foo: bar\n"));
    ASSERT_MSG(LOAD_UNKNOWN_ITEM, "Unknown top level item");
    /* Probe order: macro wins over rule. */
    ck_assert(load_str("- rule: r\n  macro: m\n  condition: x\n"));
    ck_assert_ptr_nonnull(program_find_macro(&prog, "m"));
    ck_assert_ptr_null(program_find_rule(&prog, "r"));
    ASSERT_MSG(LOAD_UNKNOWN_KEY, "Unknown key 'rule'. The key will be ignored.");
    /* stoop goes on after an error: both problems are reported, and the
     * good item in between is collected. */
    ck_assert(!load_str("- list: l1\n- list: ok\n  items: [a]\n- macro: m2\n"));
    ck_assert_uint_eq(count_code(LOAD_ERR_YAML_VALIDATE), 2);
    ck_assert_ptr_nonnull(program_find_list(&prog, "ok"));
}
END_TEST

START_TEST(test_decode_val)
{
    static const char base[] = "- rule: r\n  desc: d\n  output: o\n  priority: INFO\n";
    char buf[512];
    snprintf(buf, sizeof buf, "%s  condition: [a]\n", base);
    ck_assert(!load_str(buf));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Value is not a scalar value");
    snprintf(buf, sizeof buf, "%s  condition: \"\"\n", base);
    ck_assert(!load_str(buf));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Value must be non-empty");
    snprintf(buf, sizeof buf, "%s  condition: a\n  enabled: maybe\n", base);
    ck_assert(!load_str(buf));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Can't decode YAML scalar value");
    snprintf(buf, sizeof buf, "%s  condition: a\n  enabled: No\n  tags: [b, a, b]\n", base);
    ck_assert(load_str(buf));
    struct rule_def *r = program_find_rule(&prog, "r");
    ck_assert(!r->enabled);
    ck_assert_uint_eq(r->ntags, 2);
    ck_assert_str_eq(r->tags[0], "a");
    ck_assert_str_eq(r->tags[1], "b");
    ck_assert_int_eq(r->priority, PRIO_INFORMATIONAL);
    ck_assert_str_eq(r->source, "syscall");
    ck_assert(load_str("- rule: p\n  desc: d\n  output: '  spaced out  '\n  priority: eRRor\n"
                       "  condition: a\n  source: k8s_audit\n  capture: true\n  capture_duration: 500\n"));
    r = program_find_rule(&prog, "p");
    ck_assert_str_eq(r->output.text, "spaced out");
    ck_assert_int_eq(r->priority, PRIO_ERROR);
    ck_assert_str_eq(r->source, "k8s_audit");
    ck_assert(r->capture);
    ck_assert_uint_eq(r->capture_duration, 500);
    ck_assert(!load_str("- rule: q\n  desc: d\n  output: o\n  priority: SEVERE\n  condition: a\n"));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Invalid priority");
    ck_assert(!load_str("- rule: q\n  desc: d\n  output: o\n  priority: info\n  condition: a\n  source:\n"));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Mapping for key 'source' is empty");
    /* The span of a decode error is the offending value. */
    const struct diag *d = find_msg("Invalid priority");
    char *t = span_text(d->primary);
    ck_assert_str_eq(t, "SEVERE");
    free(t);
}
END_TEST

START_TEST(test_lists)
{
    ck_assert(load_str("- list: a\n  items: [x, \"y z\", 3]\n"
                       "- list: a\n  append: true\n  items: [w]\n"
                       "- list: b\n  items: [q]\n"
                       "- list: b\n  override: {items: append}\n  items: [r]\n"
                       "- list: c\n  override: {items: replace}\n  items: [s]\n"
                       "- list: a\n  items: [only]\n"));
    struct list_def *a = program_find_list(&prog, "a");
    ck_assert_uint_eq(a->nitems, 1);
    ck_assert_str_eq(a->items[0].text, "only");
    ck_assert_int_eq(a->index, 0);
    ck_assert_int_eq(a->visibility, 5);
    struct list_def *b = program_find_list(&prog, "b");
    ck_assert_uint_eq(b->nitems, 2);
    ck_assert_int_eq(b->index, 2);
    ck_assert_int_eq(b->visibility, 3);
    ck_assert_uint_eq(count_code(LOAD_DEPRECATED_ITEM), 1);
    ck_assert(!load_str("- list: nope\n  append: true\n  items: [x]\n"));
    ASSERT_MSG(LOAD_ERR_VALIDATE, "List uses 'append' or 'override.items: append' but no list by that name already exists");
    ck_assert(!load_str("- list: a\n  append: true\n  override: {items: append}\n  items: [x]\n"));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.");
    ck_assert(!load_str("- list: d\n  items: x\n"));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Value is not a sequence");
    ck_assert(!load_str("- list: d\n  items: [[x]]\n"));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "sequence value is not scalar");
    ck_assert(load_str("- list: \"bad name\"\n  items: []\n"));
    ASSERT_MSG(LOAD_INVALID_LIST_NAME, "List has an invalid name. List names should match a regular expression: ([^()\"'[:space:]=,]+)");
    ck_assert(!load_str("- list: a\n  override: {items: prepend}\n  items: [x]\n"));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Invalid override operation for key 'items': 'prepend'. Allowed values are: append replace ");
}
END_TEST

START_TEST(test_macros)
{
    ck_assert(load_str("- macro: m\n  condition: evt.type = open\n"
                       "- macro: m\n  append: true\n  condition: or evt.type = close\n"
                       "- macro: n\n  condition: a\n"
                       "- macro: n\n  override:\n    condition: append\n  condition: and b\n"
                       "- macro: 1bad\n  condition: x\n"));
    struct macro_def *m = program_find_macro(&prog, "m");
    ck_assert_str_eq(m->cond.text, "evt.type = open or evt.type = close");
    /* Both parts keep their file mapping; the joining blank is synthetic. */
    const char *text = source_get(&prog.src, 0)->text;
    struct span s1 = mtext_span(&m->cond, 0, 8);
    ck_assert(strncmp(text + s1.start, "evt.type", 8) == 0 && s1.end - s1.start == 8);
    size_t at = strlen("evt.type = open ");
    struct span s2 = mtext_span(&m->cond, at, at + 2);
    ck_assert(strncmp(text + s2.start, "or", 2) == 0);
    ck_assert_str_eq(program_find_macro(&prog, "n")->cond.text, "a and b");
    ASSERT_MSG(LOAD_INVALID_MACRO_NAME, "Macro has an invalid name. Macro names should match a regular expression: ([a-zA-Z]+[a-zA-Z0-9_]*)");
    ck_assert_int_eq(m->index, 0);
    ck_assert_int_eq(m->visibility, 1);
    ck_assert(!load_str("- macro: zz\n  override: {condition: append}\n  condition: x\n"));
    ASSERT_MSG(LOAD_ERR_VALIDATE, "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists");
    ck_assert(!load_str("- macro: m\n  override: {items: append}\n  condition: x\n"));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Key 'items' cannot be appended to, use 'replace' instead");
}
END_TEST

static const char BASE_RULE[] = "- rule: r\n  desc: base desc\n  condition: evt.type = open\n"
                                "  output: out\n  priority: WARNING\n  tags: [t1]\n"
                                "  exceptions:\n    - name: e1\n      fields: [proc.name]\n";

START_TEST(test_rule_override)
{
    ck_assert(load_str(BASE_RULE));
    ck_assert(load_str("- rule: r\n  condition: and proc.name = cat\n  output: more\n"
                       "  tags: [t0]\n  priority: ERROR\n  enabled: false\n"
                       "  override:\n    condition: append\n    output: append\n    tags: append\n"
                       "    priority: replace\n    enabled: replace\n"));
    struct rule_def *r = program_find_rule(&prog, "r");
    ck_assert_str_eq(r->cond.text, "evt.type = open and proc.name = cat");
    ck_assert_str_eq(r->output.text, "out more");
    ck_assert_uint_eq(r->ntags, 2);
    ck_assert_str_eq(r->tags[0], "t0");
    ck_assert_int_eq(r->priority, PRIO_ERROR);
    ck_assert(!r->enabled);
    ck_assert_int_eq(r->index, 0);
    ck_assert_int_eq(r->visibility, 2); /* append and replace each take one */
    ck_assert(load_str("- rule: r\n  desc: new\n  override: {desc: replace}\n"));
    ck_assert_str_eq(r->desc.text, "new");

    ck_assert(!load_str("- rule: r\n  override: {priority: append}\n  priority: INFO\n"));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Key 'priority' cannot be appended to, use 'replace' instead");
    ck_assert(!load_str("- rule: r\n  override: {source: replace}\n  source: x\n"));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Key 'source' cannot be replaced");
    ck_assert(!load_str("- rule: r\n  override: {condition: append}\n"));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "An append override for 'condition' was specified but 'condition' is not defined");
    ck_assert(!load_str("- rule: r\n  override: {condition: append}\n  condition: x\n  priority: INFO\n"));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Unexpected key 'priority': no corresponding entry under 'override' is defined.");
    ck_assert(!load_str("- rule: nope\n  override: {condition: append}\n  condition: x\n"));
    ASSERT_MSG(LOAD_ERR_VALIDATE, "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists");
    ck_assert(!load_str("- rule: nope\n  override: {condition: replace}\n  condition: x\n"));
    ASSERT_MSG(LOAD_ERR_VALIDATE, "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists");
    ck_assert(!load_str("- rule: r\n  append: true\n  override: {condition: append}\n  condition: x\n"));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.");
    ck_assert(!load_str("- rule: r\n  override: {condition: append}\n  condition: x\n  source: k8s_audit\n"));
    ASSERT_MSG(LOAD_ERR_VALIDATE, "Rule has been re-defined with a different source");
    ck_assert(load_str("- rule: r\n  override: {condition: append}\n  condition: or y\n  source: \"\"\n"));
    ck_assert_str_eq(r->cond.text, "evt.type = open and proc.name = cat or y");
    /* exceptions: replace takes the list as is (no comps defaulting). */
    ck_assert(load_str("- rule: r\n  override: {exceptions: replace}\n  exceptions:\n"
                       "    - name: e9\n      fields: [fd.name]\n      values: [[/tmp]]\n"));
    ck_assert_uint_eq(r->nexceptions, 1);
    ck_assert_uint_eq(r->exceptions[0].ncomps, 0);
    ck_assert(r->exceptions[0].unchecked);
    ck_assert(!load_str("- rule: r\n  override: {exceptions: replace}\n  exceptions:\n    - name: e9\n"));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Item has no mapping for key 'fields'");
}
END_TEST

START_TEST(test_rule_define_append_enable)
{
    ck_assert(load_str(BASE_RULE));
    ck_assert(load_str("- rule: other\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n"));
    /* Redefinition replaces everything but keeps the position. */
    ck_assert(load_str("- rule: r\n  desc: d2\n  condition: c2\n  output: o2\n  priority: debug\n"));
    ck_assert_ptr_eq(prog.rules[0], program_find_rule(&prog, "r"));
    struct rule_def *r = prog.rules[0];
    ck_assert_str_eq(r->cond.text, "c2");
    ck_assert_uint_eq(r->ntags, 0);
    ck_assert_uint_eq(r->nexceptions, 0);
    ck_assert_int_eq(r->index, 0);
    ck_assert_int_eq(r->visibility, 2);
    ck_assert(!load_str("- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n  source: okta\n"));
    ASSERT_MSG(LOAD_ERR_VALIDATE, "Rule has been re-defined with a different source");
    /* Legacy append. */
    ck_assert(load_str("- rule: r\n  append: true\n  condition: or c3\n  output: ignored\n"
                       "  exceptions:\n    - name: ex\n      fields: [a, b]\n      values: [[1, 2]]\n"));
    ck_assert_str_eq(r->cond.text, "c2 or c3");
    ck_assert_str_eq(r->output.text, "o2");
    ck_assert_uint_eq(r->nexceptions, 1);
    ck_assert_uint_eq(r->exceptions[0].ncomps, 2);
    ck_assert_str_eq(r->exceptions[0].comps[1].text, "=");
    ck_assert(load_str("- rule: r\n  append: true\n  exceptions:\n    - name: ex\n      values: [[3, 4]]\n"
                       "    - name: ex\n")); /* no values: warning */
    ck_assert_uint_eq(r->exceptions[0].nvalues, 2);
    ASSERT_MSG(LOAD_APPEND_NO_VALUES, "Overriding/appending exception with no values");
    ASSERT_MSG(LOAD_EXCEPTION_NAME_NOT_UNIQUE, "Multiple definitions of exception 'ex' in the same rule");
    ck_assert(!load_str("- rule: r\n  append: true\n  exceptions:\n    - name: ex\n      fields: [a, b]\n      values: [[3, 4]]\n"));
    ASSERT_MSG(LOAD_ERR_VALIDATE, "Can not append exception fields to existing exception, only values");
    ck_assert(!load_str("- rule: r\n  append: true\n  exceptions:\n    - name: ex\n      comps: [=, =]\n      values: [[3, 4]]\n"));
    ASSERT_MSG(LOAD_ERR_VALIDATE, "Can not append exception comps to existing exception, only values");
    ck_assert(!load_str("- rule: r\n  append: true\n  exceptions:\n    - name: new\n      fields: [a]\n"));
    ASSERT_MSG(LOAD_ERR_VALIDATE, "Rule exception must have values property with a list of values");
    ck_assert_uint_eq(r->nexceptions, 1);
    /* Enabled-only. */
    ck_assert(load_str("- rule: r\n  enabled: false\n"));
    ck_assert(!r->enabled);
    ASSERT_MSG(LOAD_DEPRECATED_ITEM, "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace').");
    ck_assert(!load_str("- rule: ghost\n  enabled: false\n"));
    ASSERT_MSG(LOAD_ERR_VALIDATE, "Rule has 'enabled' key but no rule by that name already exists");
    ck_assert(!load_str("- rule: ghost\n  tags: [x]\n"));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Item has no mapping for key 'enabled'");
    ASSERT_MSG(LOAD_DEPRECATED_ITEM, "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.");
}
END_TEST

START_TEST(test_exceptions_shape)
{
    static const char head[] = "- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n";
    char buf[1024];
    snprintf(buf, sizeof buf, "%s  exceptions: foo\n", head);
    ck_assert(!load_str(buf));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Rule exceptions must be a sequence");
    snprintf(buf, sizeof buf, "%s  exceptions: [foo]\n", head);
    ck_assert(!load_str(buf));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Rule exception must be a mapping");
    snprintf(buf, sizeof buf, "%s  exceptions:\n    - name: a\n      fields: f\n      values: x\n", head);
    ck_assert(!load_str(buf));
    ASSERT_MSG(LOAD_ERR_YAML_VALIDATE, "Rule exception values must be a sequence");
    snprintf(buf, sizeof buf, "%s  exceptions:\n    - name: a\n      fields: f\n      comps: [in]\n", head);
    ck_assert(!load_str(buf));
    ASSERT_MSG(LOAD_ERR_VALIDATE, "Fields and comps must both be strings");
    snprintf(buf, sizeof buf, "%s  exceptions:\n    - name: a\n      fields: []\n", head);
    ck_assert(!load_str(buf));
    ASSERT_MSG(LOAD_ERR_VALIDATE, "Rule exception item must have fields property with a list of fields");
    snprintf(buf, sizeof buf, "%s  exceptions:\n", head);
    ck_assert(load_str(buf));
    /* Single-field comps and values, operator spellings: compile time. */
    snprintf(buf, sizeof buf,
             "%s  exceptions:\n    - name: a\n      fields: f\n      comps: '='\n"
             "    - name: b\n      fields: f\n      values: [[x]]\n"
             "    - name: c\n      fields: [f, g]\n      comps: [startswith oneof, '=  ']\n      values: [[a, b]]\n"
             "    - name: d\n      fields: f\n      comps: endswith anyof\n"
             "    - name: e\n      fields: [f]\n      comps: [in oneof]\n",
             head);
    ck_assert(load_str(buf));
    ck_assert(!exceptions_validate(&prog, program_find_rule(&prog, "r")));
    ASSERT_MSG(LOAD_ERR_VALIDATE, "When fields is a single value, comps must be one of (in, pmatch, intersects)");
    ASSERT_MSG(LOAD_ERR_VALIDATE, "Expected values array to contain a list of strings");
    ASSERT_MSG(LOAD_ERR_VALIDATE, "'in oneof' is not a supported comparison operator");
    ck_assert_uint_eq(count_code(LOAD_ERR_VALIDATE), 5); /* 2 above + 3 here */
}
END_TEST

/* ---- desugaring ---- */

static char *desugar_of(const char *rule_name)
{
    struct rule_def *r = program_find_rule(&prog, rule_name);
    ck_assert_ptr_nonnull(r);
    struct mapped_text t = exceptions_desugar(r);
    char *s = xstrdup(t.text);
    mtext_free(&t);
    return s;
}

START_TEST(test_desugar_falco_example)
{
    /* falco unit test: textual result of the algorithm; its canonical AST
     * form is ((proc.cmdline contains curl or proc.cmdline contains wget)
     * and not proc.cmdline contains "curl 127.0.0.1"). */
    ck_assert(load_str("- rule: test_rule\n  desc: d\n  output: o\n  priority: INFO\n"
                       "  condition: proc.cmdline contains curl or proc.cmdline contains wget\n"
                       "  exceptions:\n    - name: local_curl\n      fields: [proc.cmdline]\n"
                       "      comps: [contains]\n      values:\n        - [curl 127.0.0.1]\n"));
    char *s = desugar_of("test_rule");
    ck_assert_str_eq(s, "(proc.cmdline contains curl or proc.cmdline contains wget) and not "
                        "(( proc.cmdline contains \"curl 127.0.0.1\"))");
    free(s);
}
END_TEST

START_TEST(test_desugar_forms)
{
    load_case("ExceptionsRuleExceptionSingleField__rule_exception_single_field.yaml");
    char *s = desugar_of("Open From Cat");
    ck_assert_str_eq(s, "(evt.type=open and proc.name=cat) and not (proc.cmdline in "
                        "(\"cat /dev/zero\", \"cat /dev/null\"))");
    free(s);
    program_free(&prog);
    program_init(&prog);
    load_case("ExceptionsRuleExceptionValuesList__rule_exception_values_list.yaml");
    s = desugar_of("Open From Cat");
    ck_assert_str_eq(s, "(evt.type=open and proc.name=cat) and not (( proc.name = cat and "
                        "proc.cmdline in (\"cat /dev/zero\", \"cat /dev/null\")))");
    free(s);
    program_free(&prog);
    program_init(&prog);
    load_case("ExceptionsRuleExceptionValuesListref__rule_exception_values_listref.yaml");
    s = desugar_of("Open From Cat");
    ck_assert_str_eq(s, "(evt.type=open and proc.name=cat) and not (( proc.name = cat and "
                        "proc.cmdline in (cat_cmdlines)))");
    free(s);
    program_free(&prog);
    program_init(&prog);
    load_case("ExceptionsRuleExceptionSecondValue__rule_exception_second_value.yaml");
    s = desugar_of("Open From Cat");
    ck_assert_str_eq(s, "(evt.type=open and proc.name=cat) and not (( proc.name = not-cat and "
                        "proc.cmdline = not-cat) or ( proc.name = cat and proc.cmdline = "
                        "\"cat /dev/null\"))");
    free(s);
    program_free(&prog);
    program_init(&prog);
    load_case("ExceptionsRuleExceptionQuoted__rule_exception_quoted.yaml");
    s = desugar_of("Open From Cat");
    ck_assert(strstr(s, "proc.cmdline = \"cat /dev/null\")") != NULL);
    free(s);
}
END_TEST

START_TEST(test_desugar_mapping)
{
    const char *text = "- rule: r\n  desc: d\n  output: o\n  priority: INFO\n"
                       "  condition: a = 1\n"
                       "  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n"
                       "      comps: [=, pmatch]\n      values: [[bash, my_dirs]]\n";
    ck_assert(load_str(text));
    struct rule_def *r = program_find_rule(&prog, "r");
    struct mapped_text t = exceptions_desugar(r);
    ck_assert_str_eq(t.text, "(a = 1) and not (( proc.name = bash and fd.name pmatch (my_dirs)))");
    const char *file = source_get(&prog.src, 0)->text;
    /* the original condition maps exactly */
    struct span s = mtext_span(&t, 1, 6);
    ck_assert(strncmp(file + s.start, "a = 1", 5) == 0 && s.end - s.start == 5);
    /* the field maps to its node, the value to its node */
    const char *f = strstr(t.text, "fd.name");
    s = mtext_span(&t, (size_t)(f - t.text), (size_t)(f - t.text) + 7);
    char *st = span_text(s);
    ck_assert_str_eq(st, "fd.name");
    free(st);
    const char *v = strstr(t.text, "my_dirs");
    s = mtext_span(&t, (size_t)(v - t.text), (size_t)(v - t.text) + 7);
    st = span_text(s);
    ck_assert_str_eq(st, "my_dirs");
    free(st);
    mtext_free(&t);
}
END_TEST

/* ---- YAML reader ---- */

START_TEST(test_scalar_mapping_styles)
{
    const char *text = "- macro: folded\n  condition: >\n    evt.type = open\n    and proc.name = x\n"
                       "- macro: literal\n  condition: |\n    a and\n      b\n"
                       "- macro: plain\n  condition: a\n    and  b\n"
                       "- macro: sq\n  condition: 'it''s x'\n"
                       "- macro: dq\n  condition: \"a \\\"q\\\" b\\tc\"\n"
                       "- macro: utf\n  condition: x = \"é ü\" and y\n";
    ck_assert(load_str(text));
    check_all_pieces();
    const char *file = source_get(&prog.src, 0)->text;
    struct macro_def *m = program_find_macro(&prog, "folded");
    ck_assert_str_eq(m->cond.text, "evt.type = open and proc.name = x\n");
    size_t at = strlen("evt.type = open and ");
    struct span s = mtext_span(&m->cond, at, at + 9);
    ck_assert(strncmp(file + s.start, "proc.name", 9) == 0 && s.end - s.start == 9);
    m = program_find_macro(&prog, "literal");
    ck_assert_str_eq(m->cond.text, "a and\n  b\n");
    s = mtext_span(&m->cond, 8, 9);
    ck_assert_int_eq(file[s.start], 'b');
    m = program_find_macro(&prog, "plain");
    ck_assert_str_eq(m->cond.text, "a and  b");
    s = mtext_span(&m->cond, 7, 8);
    ck_assert_int_eq(file[s.start], 'b');
    m = program_find_macro(&prog, "sq");
    ck_assert_str_eq(m->cond.text, "it's x");
    s = mtext_span(&m->cond, 5, 6);
    ck_assert_int_eq(file[s.start], 'x');
    m = program_find_macro(&prog, "dq");
    ck_assert_str_eq(m->cond.text, "a \"q\" b\tc");
    s = mtext_span(&m->cond, 6, 7);
    ck_assert_int_eq(file[s.start], 'b');
    s = mtext_span(&m->cond, 8, 9);
    ck_assert_int_eq(file[s.start], 'c');
    m = program_find_macro(&prog, "utf");
    ck_assert_str_eq(m->cond.text, "x = \"é ü\" and y");
    s = mtext_span(&m->cond, m->cond.len - 1, m->cond.len);
    ck_assert_int_eq(file[s.start], 'y');
    s = mtext_span(&m->cond, 5, 7); /* é: two bytes */
    ck_assert(strncmp(file + s.start, "é", 2) == 0 && s.end - s.start == 2);
}
END_TEST

START_TEST(test_non_ascii_spans)
{
    /* libyaml marks count characters; spans are bytes. */
    const char *text = "- list: ééé\n  items: [ü]\n- rule: ça\n  desc: d\n  output: o\n"
                       "  priority: BAD\n  condition: c\n";
    ck_assert(!load_str(text));
    const struct diag *d = find_msg("Invalid priority");
    ck_assert_ptr_nonnull(d);
    char *t = span_text(d->primary);
    ck_assert_str_eq(t, "BAD");
    free(t);
    ck_assert_str_eq(d->item, "ça");
}
END_TEST

START_TEST(test_bom_crlf)
{
    const char *text = "\xEF\xBB\xBF- macro: m\r\n  condition: >\r\n    a and\r\n    b\r\n"
                       "- macro: n\r\n  condition: x\r\n    or y\r\n"
                       "- rule: r\r\n  desc: d\r\n  output: o\r\n  priority: NOPE\r\n  condition: c\r\n";
    ck_assert(!load_str(text));
    check_all_pieces();
    struct macro_def *m = program_find_macro(&prog, "m");
    ck_assert_str_eq(m->cond.text, "a and b\n");
    const char *file = source_get(&prog.src, 0)->text;
    struct span s = mtext_span(&m->cond, 6, 7);
    ck_assert_int_eq(file[s.start], 'b');
    m = program_find_macro(&prog, "n");
    ck_assert_str_eq(m->cond.text, "x or y");
    s = mtext_span(&m->cond, 2, 4);
    ck_assert(strncmp(file + s.start, "or", 2) == 0);
    const struct diag *d = find_msg("Invalid priority");
    ck_assert_ptr_nonnull(d);
    char *t = span_text(d->primary);
    ck_assert_str_eq(t, "NOPE");
    free(t);
}
END_TEST

START_TEST(test_bad_inputs)
{
    static const char bad_utf8[] = "- list: a\n  items: [\xff\xfe]\n";
    ck_assert(!collect_file(&prog, add_text("b.yaml", bad_utf8, sizeof bad_utf8 - 1)));
    ck_assert_uint_eq(count_code(LOAD_ERR_YAML_PARSE), 1);
    ck_assert_uint_eq(prog.diags.v[0].primary.start, 20);
    static const char nul[] = "- list: a\n  items: [\0]\n";
    ck_assert(!collect_file(&prog, add_text("n.yaml", nul, sizeof nul - 1)));
    ck_assert_uint_eq(count_code(LOAD_ERR_YAML_PARSE), 2);
    /* binary garbage */
    char garbage[4096];
    unsigned seed = 12345;
    for (size_t i = 0; i < sizeof garbage; i++) {
        seed = seed * 1103515245u + 12345u;
        garbage[i] = (char)(seed >> 16);
    }
    ck_assert(!collect_file(&prog, add_text("g.bin", garbage, sizeof garbage)));
    ck_assert_uint_eq(count_code(LOAD_ERR_YAML_PARSE), 3);
    /* unknown alias, recursive alias */
    ck_assert(!load_str("- list: a\n  items: *nope\n"));
    ck_assert(!load_str("- &a [*a]\n"));
    ck_assert_uint_eq(count_code(LOAD_ERR_YAML_PARSE), 5);
    /* a tab-indented / unterminated quote */
    ck_assert(!load_str("- list: \"a\n"));
    ck_assert_uint_eq(count_code(LOAD_ERR_YAML_PARSE), 6);
}
END_TEST

START_TEST(test_aliases)
{
    ck_assert(load_str("- list: a\n  items: &it [x, y]\n- list: b\n  items: *it\n"));
    ck_assert_uint_eq(program_find_list(&prog, "b")->nitems, 2);
    /* billion laughs */
    struct strbuf sb = {0};
    sb_puts(&sb, "- list: l\n  items: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 12; i++)
        sb_printf(&sb, "- list: l%d\n  items: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
                  i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    ck_assert(!collect_file(&prog, add_text("laughs.yaml", sb.s, sb.len)));
    clock_gettime(CLOCK_MONOTONIC, &b);
    ck_assert((b.tv_sec - a.tv_sec) < 5);
    ck_assert_uint_eq(count_code(LOAD_ERR_YAML_PARSE), 1);
    sb_free(&sb);
}
END_TEST

START_TEST(test_deep_nesting)
{
    size_t depth = 10000;
    char *s = xmalloc(2 * depth + 16);
    size_t n = 0;
    memcpy(s + n, "- x: ", 5);
    n += 5;
    for (size_t i = 0; i < depth; i++)
        s[n++] = '[';
    for (size_t i = 0; i < depth; i++)
        s[n++] = ']';
    s[n++] = '\n';
    ck_assert(!collect_file(&prog, add_text("deep.yaml", s, n)));
    ck_assert_uint_eq(count_code(LOAD_ERR_YAML_PARSE), 1);
    free(s);
    /* 999 levels are fine */
    struct strbuf sb = {0};
    sb_puts(&sb, "- x: ");
    for (int i = 0; i < 990; i++)
        sb_putc(&sb, '[');
    for (int i = 0; i < 990; i++)
        sb_putc(&sb, ']');
    sb_putc(&sb, '\n');
    ck_assert(collect_file(&prog, add_text("ok.yaml", sb.s, sb.len)));
    ASSERT_MSG(LOAD_UNKNOWN_ITEM, "Unknown top level item");
    sb_free(&sb);
}
END_TEST

START_TEST(test_big_file)
{
    struct strbuf sb = {0};
    int i = 0;
    while (sb.len < 10u * 1024 * 1024) {
        sb_printf(&sb, "- list: list_%d\n  items: [a, b, \"c d\", e%d]\n", i, i);
        sb_printf(&sb, "- macro: macro_%d\n  condition: >\n    proc.name in (list_%d)\n    and evt.type = open\n", i, i);
        i++;
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    ck_assert(collect_file(&prog, add_text("big.yaml", sb.s, sb.len)));
    check_exact_pieces(&prog.macros[prog.nmacros - 1]->cond);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    fprintf(stderr, "10 MB file: %d lists + %d macros in %.0f ms\n", i, i, ms);
    ck_assert_uint_eq(prog.nlists, (size_t)i);
    ck_assert_ptr_nonnull(program_find_macro(&prog, "macro_7"));
    sb_free(&sb);
}
END_TEST

START_TEST(test_duplicate_key)
{
    ck_assert(load_str("- list: a\n  items: [x]\n  items: [y]\n"));
    ck_assert_uint_eq(count_code(STOOP_DUPLICATE_KEY), 1);
    ck_assert_str_eq(program_find_list(&prog, "a")->items[0].text, "x");
}
END_TEST

static Suite *collect_suite(void)
{
    Suite *s = suite_create("collect");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_official_file, 0, (int)(sizeof OFFICIAL / sizeof OFFICIAL[0]));
    tcase_add_test(tc, test_official_syscall_speed);
    tcase_add_loop_test(tc, test_loader_case, 0, (int)(sizeof CASES / sizeof CASES[0]));
    tcase_add_test(tc, test_loader_cases_valid);
    tcase_add_test(tc, test_loader_case_messages);
    tcase_add_test(tc, test_engine_version_ok);
    tcase_add_test(tc, test_plugin_versions);
    tcase_add_test(tc, test_documents);
    tcase_add_test(tc, test_decode_val);
    tcase_add_test(tc, test_lists);
    tcase_add_test(tc, test_macros);
    tcase_add_test(tc, test_rule_override);
    tcase_add_test(tc, test_rule_define_append_enable);
    tcase_add_test(tc, test_exceptions_shape);
    tcase_add_test(tc, test_desugar_falco_example);
    tcase_add_test(tc, test_desugar_forms);
    tcase_add_test(tc, test_desugar_mapping);
    tcase_add_test(tc, test_scalar_mapping_styles);
    tcase_add_test(tc, test_non_ascii_spans);
    tcase_add_test(tc, test_bom_crlf);
    tcase_add_test(tc, test_bad_inputs);
    tcase_add_test(tc, test_aliases);
    tcase_add_test(tc, test_deep_nesting);
    tcase_add_test(tc, test_big_file);
    tcase_add_test(tc, test_duplicate_key);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(collect_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0;
}
