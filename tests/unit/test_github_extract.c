/* test_github_extract.c: the github extractor (plugins/github/extract.c) on
 * the webhook payloads of ../shared/peer/events/github and on hand-written
 * payloads for missing keys and the joining quirks (falco-fields.md 4 and 8,
 * the github plugin's extract.go). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "github/extract.h"
#include "json_fixture.h"
#include "util.h"



static void setup(void)
{
    fixture_setup();
}

static void teardown(void)
{
    fixture_teardown();
}

static struct fvalues ex(json_ref root, const char *name)
{
    const struct source_schema *s = schema_source("github");
    ck_assert_ptr_nonnull(s);
    const char *dotted = NULL;
    struct field_ref f = {.info = schema_lookup(s, name, &dotted)};
    ck_assert_msg(f.info != NULL, "no field %s", name);
    struct event ev = {.root = root, .num = ++evnum, .source = "github", .input = "-"};
    struct fvalues out = {(struct fvalue *)1, 99};
    ck_assert_msg(github_extract(&ev, &f, &arena, &out), "%s not known", name);
    return out;
}

/* want NULL: not extracted. */
static void expect(json_ref root, const char *field, const char *want, const char *ctx)
{
    struct fvalues v = ex(root, field);
    if (!want) {
        ck_assert_msg(v.n == 0, "%s: %s: %zu values, want none (first \"%.*s\")", ctx, field, v.n,
                      v.n ? (int)v.v[0].len : 0, v.n ? v.v[0].str : "");
        return;
    }
    ck_assert_msg(v.n == 1, "%s: %s: %zu values, want \"%s\"", ctx, field, v.n, want);
    ck_assert_msg(v.v[0].len == strlen(want) && memcmp(v.v[0].str, want, v.v[0].len) == 0,
                  "%s: %s: \"%.*s\", want \"%s\"", ctx, field, (int)v.v[0].len, v.v[0].str, want);
    ck_assert_msg(v.v[0].str[v.v[0].len] == '\0', "%s: %s: not NUL-terminated", ctx, field);
}

#define STR(root, field, want) expect((root), (field), (want), __func__)
#define ABSENT(root, field) expect((root), (field), NULL, __func__)

struct want {
    const char *field, *value; /* value NULL: absent */
};

/* The values of the fields a payload without plugin-added keys has in
 * common with "{}": files, workflow_miner_detections and commits missing. */
#define NO_PUSH_EXTRAS                                                                        \
    {"github.commit.added", ""}, {"github.commit.modified", ""}, {"github.commit.removed", ""}, \
        {"github.diff.has_secrets", ""}, {"github.diff.committed_secrets.desc", NULL},         \
        {"github.diff.committed_secrets.files", NULL},                                         \
        {"github.diff.committed_secrets.lines", NULL},                                         \
        {"github.diff.committed_secrets.links", ""}, {"github.workflow.has_miners", NULL},     \
        {"github.workflow.miners.type", NULL}

struct sample {
    const char *file;
    struct want w[26];
};

/* Worked out with python3 from the payloads (json.load, then the plugin's
 * rules: GetStringBytes -> "" unless a string, private==True -> "false",
 * hook.id as decimal or 0). */
static const struct sample samples[] = {
    {"deploy_key_created.payload.json",
     {{"github.type", "deploy_key"},
      {"github.action", "created"},
      {"github.user", "Codertocat"},
      {"github.repo", "https://github.com/Codertocat/Hello-World"},
      {"github.repo.url", "https://github.com/Codertocat/Hello-World"},
      {"github.repo.name", "Codertocat/Hello-World"},
      {"github.repo.description", ""}, /* null in the payload */
      {"github.org", ""},              /* no organization */
      {"github.owner", "Codertocat"},
      {"github.repo.public", "true"},
      {"github.collaborator.name", ""},
      {"github.collaborator.role", ""},
      {"github.webhook.id", "0"},
      {"github.webhook.type", ""},
      {"github.workflow.filename", ""},
      NO_PUSH_EXTRAS}},
    {"member_added.payload.json",
     {{"github.type", "member"},
      {"github.action", "added"},
      {"github.user", "hacktocat"},
      {"github.repo.name", "Codertocat/Hello-World"},
      {"github.owner", "Codertocat"},
      {"github.repo.public", "true"},
      {"github.collaborator.name", "hacktocat"},
      {"github.collaborator.role", ""},
      {"github.webhook.id", "0"},
      NO_PUSH_EXTRAS}},
    {"meta_deleted.payload.json",
     {{"github.type", "meta"},
      {"github.action", "deleted"},
      {"github.user", "Codertocat"},
      {"github.repo.url", "https://github.com/Codertocat/Hello-World"},
      {"github.webhook.id", "101047067"},
      {"github.webhook.type", "Repository"},
      {"github.repo.public", "true"},
      NO_PUSH_EXTRAS}},
    {"ping_payload.json",
     {{"github.type", "ping"},
      {"github.action", ""}, /* no action key */
      {"github.user", "Codertocat"},
      {"github.repo.url", "https://github.com/Octocoders/Hello-World"},
      {"github.repo.name", "Octocoders/Hello-World"},
      {"github.owner", "Octocoders"},
      {"github.org", ""},
      {"github.webhook.id", "109948940"},
      {"github.webhook.type", "Repository"},
      NO_PUSH_EXTRAS}},
    {"push_payload.json",
     {{"github.type", "push"},
      {"github.action", ""},
      {"github.user", "Codertocat"},
      {"github.repo.name", "Codertocat/Hello-World"},
      {"github.owner", "Codertocat"},
      {"github.repo.public", "true"},
      {"github.webhook.id", "0"},
      /* commits is [], head_commit null, no files key */
      NO_PUSH_EXTRAS}},
    {"repository_created.payload.json",
     {{"github.type", "repository"},
      {"github.action", "created"},
      {"github.user", "Codertocat"},
      {"github.repo", "https://github.com/Octocoders/Hello-World"},
      {"github.repo.name", "Octocoders/Hello-World"},
      {"github.org", "Octocoders"},
      {"github.owner", "Octocoders"},
      {"github.repo.public", "true"},
      NO_PUSH_EXTRAS}},
    {"repository_privatized.payload.json",
     {{"github.type", "repository"},
      {"github.action", "privatized"},
      {"github.repo.public", "false"}, /* "private": true */
      {"github.repo.name", "Codertocat/Hello-World"},
      NO_PUSH_EXTRAS}},
    {"repository_publicized.payload.json",
     {{"github.type", "repository"},
      {"github.action", "publicized"},
      {"github.repo.public", "true"},
      NO_PUSH_EXTRAS}},
    {"workflow_run_requested.payload.json",
     {{"github.type", "workflow_run"},
      {"github.action", "requested"},
      {"github.user", "Codertocat"},
      {"github.repo.url", "https://github.com/octo-org/octo-repo"},
      {"github.repo.name", "octo-org/octo-repo"},
      {"github.repo.description",
       "an effort to correct various shortcomings of the default GitHub action and event system"},
      {"github.org", "octo-org"},
      {"github.owner", "octo-org"},
      {"github.repo.public", "true"},
      {"github.workflow.filename", ".github/workflows/test.yml"},
      NO_PUSH_EXTRAS}},
};

START_TEST(every_field_known)
{
    const struct source_schema *s = schema_source("github");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->nfields, 25);
    for (size_t i = 0; i < s->nfields; i++)
        ck_assert_msg(github_field_known(&s->fields[i]), "%s has no extractor", s->fields[i].name);
    const struct source_schema *o = schema_source("okta");
    ck_assert(!github_field_known(&o->fields[0]));
}
END_TEST

START_TEST(sample_payloads)
{
    const struct sample *sm = &samples[_i];
    char path[512];
    snprintf(path, sizeof path, "%s/peer/events/github/%s", STOOP_SHARED_DIR, sm->file);
    size_t len;
    char *text = read_file(path, &len);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    json_ref r = parse(text);
    for (size_t k = 0; k < COUNT(sm->w) && sm->w[k].field; k++)
        expect(r, sm->w[k].field, sm->w[k].value, sm->file);
    free(text);
}
END_TEST

START_TEST(missing_keys)
{
    /* every key missing: "" for the plain fields (not absent) */
    json_ref r = parse("{}");
    const struct source_schema *s = schema_source("github");
    for (size_t i = 0; i < s->nfields; i++) {
        const char *n = s->fields[i].name;
        const char *want = "";
        if (!strcmp(n, "github.repo.public"))
            want = "true"; /* private missing */
        else if (!strcmp(n, "github.webhook.id"))
            want = "0";
        else if (!strcmp(n, "github.diff.committed_secrets.desc") ||
                 !strcmp(n, "github.diff.committed_secrets.files") ||
                 !strcmp(n, "github.diff.committed_secrets.lines") ||
                 !strcmp(n, "github.workflow.has_miners") ||
                 !strcmp(n, "github.workflow.miners.type"))
            want = NULL;
        expect(r, n, want, "{}");
    }
    /* wrong types: "" as well; a non-true private is public */
    r = parse("{\"webhook_type\":1,\"action\":null,\"sender\":{\"login\":[]},\"repository\":"
              "{\"html_url\":5,\"private\":\"true\",\"owner\":\"x\"},\"hook\":{\"id\":\"12\","
              "\"type\":false}}");
    STR(r, "github.type", "");
    STR(r, "github.action", "");
    STR(r, "github.user", "");
    STR(r, "github.repo.url", "");
    STR(r, "github.repo.name", "");
    STR(r, "github.owner", "");
    STR(r, "github.repo.public", "true");
    STR(r, "github.webhook.id", "0");
    STR(r, "github.webhook.type", "");
}
END_TEST

START_TEST(repo_and_hook)
{
    json_ref r = parse("{\"repository\":{\"html_url\":\"http://example.com/a/b\",\"private\":true},"
                       "\"hook\":{\"id\":18446744073709551615},\"changes\":{\"permission\":"
                       "{\"to\":\"admin\"}},\"member\":{\"login\":\"m\"}}");
    STR(r, "github.repo.name", "http://example.com/a/b"); /* prefix not there: unchanged */
    STR(r, "github.repo.public", "false");
    STR(r, "github.webhook.id", "18446744073709551615");
    STR(r, "github.collaborator.role", "admin");
    STR(r, "github.collaborator.name", "m");
    r = parse("{\"hook\":{\"id\":-3}}");
    STR(r, "github.webhook.id", "0");
    r = parse("{\"hook\":{\"id\":12.0}}");
    STR(r, "github.webhook.id", "0");
}
END_TEST

START_TEST(commit_lists)
{
    /* the trailing comma is trimmed after each commit, so lists of two
     * commits are glued: "a.txt,b.txt" + "c.txt" -> "a.txt,b.txtc.txt" */
    json_ref r = parse("{\"commits\":[{\"added\":[\"a.txt\",\"b.txt\"],\"modified\":[\"m1\"],"
                       "\"removed\":[]},{\"added\":[\"c.txt\"],\"modified\":[\"m2\",7],"
                       "\"removed\":[\"r1\"]},{\"added\":\"x\"}]}");
    STR(r, "github.commit.added", "a.txt,b.txtc.txt");
    /* the second commit leaves "m1m2," (7 reads "": "m1m2,," trimmed
     * once); the third has no list but trims again */
    STR(r, "github.commit.modified", "m1m2");
    STR(r, "github.commit.removed", "r1");
    r = parse("{\"commits\":[{\"modified\":[7,\"z\"]}]}");
    STR(r, "github.commit.modified", ",z"); /* 7 reads "" */
}
END_TEST

START_TEST(secrets)
{
    json_ref r = parse(
        "{\"webhook_type\":\"push\",\"repository\":{\"html_url\":\"https://github.com/o/r\"},"
        "\"head_commit\":{\"id\":\"abc123\"},\"files\":["
        "{\"name\":\"cfg/aws.env\",\"matches\":[{\"desc\":\"AWS key\",\"line\":3},"
        "{\"desc\":\"AWS secret\",\"line\":4}]},"
        "{\"name\":\"empty.txt\",\"matches\":[]},"
        "{\"name\":\"tok.txt\",\"matches\":[{\"desc\":\"GitHub token\",\"line\":12}]}]}");
    STR(r, "github.diff.has_secrets", "true");
    /* per-file trimming: no comma between files */
    STR(r, "github.diff.committed_secrets.desc", "AWS key,AWS secretGitHub token");
    STR(r, "github.diff.committed_secrets.files", "cfg/aws.env,cfg/aws.envtok.txt");
    STR(r, "github.diff.committed_secrets.lines", "3,412");
    STR(r, "github.diff.committed_secrets.links",
        "https://github.com/o/r/blob/abc123/cfg/aws.env/#L3,"
        "https://github.com/o/r/blob/abc123/cfg/aws.env/#L4"
        "https://github.com/o/r/blob/abc123/tok.txt/#L12");

    r = parse("{\"files\":[{\"name\":\"a\",\"matches\":[]},{\"name\":\"b\"}]}");
    STR(r, "github.diff.has_secrets", "false");
    STR(r, "github.diff.committed_secrets.desc", "");
    STR(r, "github.diff.committed_secrets.files", "");
    STR(r, "github.diff.committed_secrets.lines", "");
    STR(r, "github.diff.committed_secrets.links", "");

    /* missing parts of a match */
    r = parse("{\"files\":[{\"matches\":[{}]}]}");
    STR(r, "github.diff.has_secrets", "true");
    STR(r, "github.diff.committed_secrets.desc", "");
    STR(r, "github.diff.committed_secrets.lines", "0");
    STR(r, "github.diff.committed_secrets.links", "/blob///#L0");

    /* "files" not an array: like missing */
    r = parse("{\"files\":{}}");
    STR(r, "github.diff.has_secrets", "");
    ABSENT(r, "github.diff.committed_secrets.desc");
}
END_TEST

START_TEST(miners)
{
    json_ref r = parse("{\"webhook_type\":\"workflow_run\",\"workflow\":{\"path\":\"w.yml\"},"
                       "\"workflow_miner_detections\":{\"matches\":[{\"type\":\"xmrig\"},"
                       "{\"type\":\"stratum\"},{\"type\":\"xmrig\"},{\"type\":\"stratum\"}]}}");
    STR(r, "github.workflow.has_miners", "true");
    STR(r, "github.workflow.miners.type", "xmrig,stratum"); /* distinct, first-seen order */
    STR(r, "github.workflow.filename", "w.yml");
    r = parse("{\"workflow_miner_detections\":{\"matches\":[]}}");
    STR(r, "github.workflow.has_miners", "false");
    STR(r, "github.workflow.miners.type", "");
    r = parse("{\"workflow_miner_detections\":{\"matches\":null}}");
    ABSENT(r, "github.workflow.has_miners");
    ABSENT(r, "github.workflow.miners.type");
    r = parse("{\"workflow_miner_detections\":{\"matches\":[{},{\"type\":\"a\"}]}}");
    STR(r, "github.workflow.miners.type", ",a"); /* a missing type is "" */
}
END_TEST

static Suite *gh_suite(void)
{
    Suite *s = suite_create("github_extract");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_field_known);
    tcase_add_loop_test(tc, sample_payloads, 0, COUNT(samples));
    tcase_add_test(tc, missing_keys);
    tcase_add_test(tc, repo_and_hook);
    tcase_add_test(tc, commit_lists);
    tcase_add_test(tc, secrets);
    tcase_add_test(tc, miners);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(gh_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
