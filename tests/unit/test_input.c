/* test_input.c: inputs and sources (plugins/input.c, plugins/sources.c, the
 * decoders, plugins/generic and plugins/json extraction): the sample events
 * of ../shared/peer/events, the three layouts, EventLists, bad input of
 * every kind (each reported once with its position, counted, skipped),
 * gzip, directory walks, limits, stdin, and the evt.* / json.* fields.
 *
 * Event counts of the sample files were worked out independently with
 * python3: json.JSONDecoder.raw_decode over each file's documents, then the
 * k8saudit plugin's rules (kind "Event" with an RFC 3339 stageTimestamp;
 * EventList items; arrays), len(Records) with eventTime/eventType for
 * CloudTrail, one per document for GitHub and Okta. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "decode.h"
#include "extractors.h"
#include "input.h"
#include "schema.h"

#ifndef STOOP_SHARED_DIR
#define STOOP_SHARED_DIR "../shared"
#endif
#define EVENTS STOOP_SHARED_DIR "/peer/events"
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---- */

struct problems {
    size_t n;
    char input[64][256];
    char msg[64][256];
    uint64_t offset[64];
    uint64_t line[64];
};

static void collect(void *ctx, const struct input_problem *p)
{
    struct problems *ps = ctx;
    if (ps->n < COUNT(ps->msg)) {
        snprintf(ps->input[ps->n], sizeof ps->input[0], "%s", p->input);
        snprintf(ps->msg[ps->n], sizeof ps->msg[0], "%s", p->msg);
        ps->offset[ps->n] = p->offset;
        ps->line[ps->n] = p->line;
    }
    ps->n++;
}

static char tmpdir[256];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/stoop-test-input-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *de;
        while (d && (de = readdir(d))) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            char sub[1024];
            snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
            rm_rf(sub);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void cleanup_tmpdir(void)
{
    rm_rf(tmpdir);
}

/* Writes data to tmpdir/name; returns the path (static storage, rotated). */
static const char *write_file(const char *name, const void *data, size_t len)
{
    static char paths[8][512];
    static int k;
    char *p = paths[k++ % 8];
    snprintf(p, sizeof paths[0], "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    return p;
}

static const char *write_text(const char *name, const char *text)
{
    return write_file(name, text, strlen(text));
}

static const char *write_gz(const char *name, const char *text)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    gzFile g = gzopen(p, "wb");
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(gzwrite(g, text, (unsigned)strlen(text)), (int)strlen(text));
    gzclose(g);
    return p;
}

struct run {
    struct problems probs;
    struct event_counts counts;
    size_t nev;
    char inputs[64][512];
    uint64_t offsets[64];
    uint64_t ts[64];
    char first_text[64][160]; /* compact JSON of each event, cut */
};

static void run_source(const char *source, const char *const *paths, size_t n,
                       const struct input_opts *o, struct run *out)
{
    memset(out, 0, sizeof *out);
    struct input_opts opts = {0};
    if (o)
        opts = *o;
    opts.report = collect;
    opts.report_ctx = &out->probs;
    const struct source_plugin *sp = source_plugin_find(source);
    ck_assert_ptr_nonnull(sp);
    struct event_reader *r = event_reader_open(sp, paths, n, &opts, "testhost");
    struct event ev;
    while (event_reader_next(r, &ev)) {
        ck_assert_uint_eq(ev.num, out->nev + 1);
        ck_assert_str_eq(ev.source, source);
        ck_assert_str_eq(ev.hostname, "testhost");
        if (out->nev < 64) {
            snprintf(out->inputs[out->nev], sizeof out->inputs[0], "%s", ev.input);
            out->offsets[out->nev] = ev.offset;
            out->ts[out->nev] = ev.ts_ns;
            size_t len;
            const char *t = json_to_text(ev.root, &len);
            snprintf(out->first_text[out->nev], sizeof out->first_text[0], "%s", t);
        }
        out->nev++;
    }
    event_reader_counts(r, &out->counts);
    event_reader_close(r);
    ck_assert_uint_eq(out->counts.events, out->nev);
    ck_assert_uint_eq(out->counts.problems, out->probs.n);
}

static void run_one(const char *source, const char *path, struct run *out)
{
    run_source(source, &path, 1, NULL, out);
}

static bool any_msg(const struct run *r, const char *needle)
{
    for (size_t i = 0; i < r->probs.n && i < 64; i++)
        if (strstr(r->probs.msg[i], needle))
            return true;
    return false;
}

/* ---- the sample events ---- */

struct sample {
    const char *source, *dir, *file;
    size_t events, skipped;
};

static const struct sample samples[] = {
    {"k8s_audit", "k8s_audit", "anonymous_creates_namespace_foo.json", 1, 0},
    {"k8s_audit", "k8s_audit", "attach_cluster_admin_role.json", 1, 0},
    {"k8s_audit", "k8s_audit", "attach_pod.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_cluster_role_pod_exec.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_cluster_role_wildcard_resources.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_cluster_role_wildcard_verbs.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_cluster_role_write_privileges.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_clusterrole.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_clusterrolebinding.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_configmap.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_configmap_no_sensitive_values.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_configmap_sensitive_values.json", 6, 0},
    {"k8s_audit", "k8s_audit", "create_deployment.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_kube_system_secret.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_nginx_pod_hostnetwork.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_nginx_pod_nohostnetwork.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_nginx_pod_privileged.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_nginx_pod_privileged_2nd_container.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_nginx_pod_sensitive_mount.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_nginx_pod_sensitive_mount_2nd_container.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_nginx_pod_unprivileged.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_nginx_pod_unsensitive_mount.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_nginx_service_nodeport.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_nginx_service_nonodeport.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_pod_kube_public_namespace.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_pod_kube_system_namespace.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_secret.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_service.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_service_account_token_secret.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_serviceaccount.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_serviceaccount_kube_public_namespace.json", 1, 0},
    {"k8s_audit", "k8s_audit", "create_serviceaccount_kube_system_namespace.json", 1, 0},
    {"k8s_audit", "k8s_audit", "delete_cluster_role_kube_aggregator.json", 1, 0},
    {"k8s_audit", "k8s_audit", "delete_clusterrole.json", 1, 0},
    {"k8s_audit", "k8s_audit", "delete_clusterrolebinding.json", 1, 0},
    {"k8s_audit", "k8s_audit", "delete_configmap.json", 1, 0},
    {"k8s_audit", "k8s_audit", "delete_deployment.json", 1, 0},
    {"k8s_audit", "k8s_audit", "delete_namespace_foo.json", 1, 0},
    {"k8s_audit", "k8s_audit", "delete_secret.json", 1, 0},
    {"k8s_audit", "k8s_audit", "delete_service.json", 1, 0},
    {"k8s_audit", "k8s_audit", "delete_serviceaccount.json", 1, 0},
    {"k8s_audit", "k8s_audit", "exec_pod.json", 1, 0},
    {"k8s_audit", "k8s_audit", "fal_01_003.json", 0, 1}, /* {"kind": 0} */
    {"k8s_audit", "k8s_audit", "minikube_creates_namespace_foo.json", 1, 0},
    {"k8s_audit", "k8s_audit", "modify_cluster_role_node_problem_detector.json", 1, 0},
    {"k8s_audit", "k8s_audit", "some-user_creates_namespace_foo.json", 1, 0},
    {"aws_cloudtrail", "cloudtrail", "alice_start_instances.json", 1, 0},
    {"aws_cloudtrail", "cloudtrail", "alice_start_instances_bigevent.json", 1, 0},
    {"github", "github", "deploy_key_created.payload.json", 1, 0},
    {"github", "github", "member_added.payload.json", 1, 0},
    {"github", "github", "meta_deleted.payload.json", 1, 0},
    {"github", "github", "ping_payload.json", 1, 0},
    {"github", "github", "push_payload.json", 1, 0},
    {"github", "github", "repository_created.payload.json", 1, 0},
    {"github", "github", "repository_privatized.payload.json", 1, 0},
    {"github", "github", "repository_publicized.payload.json", 1, 0},
    {"github", "github", "workflow_run_requested.payload.json", 1, 0},
    {"okta", "okta", "okta_docs_example_logevent.json", 1, 0},
};

START_TEST(test_samples)
{
    for (size_t chunked = 0; chunked < 2; chunked++) {
        for (size_t i = 0; i < COUNT(samples); i++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s/%s", EVENTS, samples[i].dir, samples[i].file);
            const char *p = path;
            struct input_opts o = {.chunk = chunked ? 97 : 0};
            struct run r;
            run_source(samples[i].source, &p, 1, &o, &r);
            ck_assert_msg(r.nev == samples[i].events, "%s: %zu events, want %zu", path, r.nev,
                          samples[i].events);
            ck_assert_msg(r.counts.skipped == samples[i].skipped, "%s: %llu skipped, want %zu", path,
                          (unsigned long long)r.counts.skipped, samples[i].skipped);
            ck_assert_msg(r.probs.n == samples[i].skipped, "%s: %zu problems", path, r.probs.n);
            ck_assert_uint_eq(r.counts.inputs, 1);
        }
    }
    /* The audit sample directory: 51 events in file name order; the yaml
     * files of rules-snippets/ are not inputs. */
    struct run r;
    run_one("k8s_audit", EVENTS "/k8s_audit", &r);
    ck_assert_uint_eq(r.nev, 51);
    ck_assert_uint_eq(r.counts.inputs, 47);
    ck_assert_uint_eq(r.counts.skipped, 1);
    ck_assert_uint_eq(r.probs.n, 1);
    ck_assert_str_eq(r.probs.msg[0], "data not recognized as a k8s audit event");
    ck_assert(strstr(r.probs.input[0], "fal_01_003.json") != NULL);
    ck_assert_uint_eq(r.probs.line[0], 1);
    ck_assert_uint_eq(r.probs.offset[0], 0);
    ck_assert(strstr(r.inputs[0], "/anonymous_creates_namespace_foo.json") != NULL);
    ck_assert(strstr(r.inputs[50], "/some-user_creates_namespace_foo.json") != NULL);
    for (size_t i = 1; i < 51; i++)
        ck_assert_int_le(strcmp(r.inputs[i - 1], r.inputs[i]), 0);
}
END_TEST

/* ---- layouts ---- */

#define EV(id, ts)                                                                                 \
    "{\"kind\":\"Event\",\"auditID\":\"" id "\",\"stage\":\"ResponseComplete\",\"verb\":\"get\","  \
    "\"stageTimestamp\":\"" ts "\"}"

START_TEST(test_layouts)
{
    make_tmpdir();
    const char *nd = write_text("nd.json", EV("a", "2018-10-26T09:51:20.717013Z") "\n" EV(
                                               "b", "2018-10-26T09:51:21Z") "\n" EV(
                                               "c", "2018-10-26T11:51:22.5+02:00") "\n");
    const char *pretty = write_text(
        "pretty.json", "{\n  \"kind\": \"Event\",\n  \"auditID\": \"a\",\n"
                       "  \"stageTimestamp\": \"2018-10-26T09:51:20.717013Z\"\n}\n"
                       "{\n  \"kind\": \"Event\",\n  \"auditID\": \"b\",\n"
                       "  \"stageTimestamp\": \"2018-10-26T09:51:21Z\"\n}\n"
                       "{\n  \"kind\": \"Event\",\n  \"auditID\": \"c\",\n"
                       "  \"stageTimestamp\": \"2018-10-26T11:51:22.5+02:00\"\n}\n");
    const char *arr = write_text("arr.json", "[\n" EV("a", "2018-10-26T09:51:20.717013Z") ",\n" EV(
                                                 "b", "2018-10-26T09:51:21Z") ",\n" EV(
                                                 "c", "2018-10-26T11:51:22.5+02:00") "\n]\n");
    const char *list = write_text(
        "list.json", "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":[" EV(
                         "a", "2018-10-26T09:51:20.717013Z") "," EV("b", "2018-10-26T09:51:21Z") "," EV("c", "2018-10-26T11:51:22.5+02:00") "]}");
    const char *nested = write_text(
        "nested.json", "[{\"kind\":\"EventList\",\"items\":[" EV("a", "2018-10-26T09:51:20.717013Z") "]},[" EV(
                           "b", "2018-10-26T09:51:21Z") "]," EV("c", "2018-10-26T11:51:22.5+02:00") "]");
    const char *files[] = {nd, pretty, arr, list, nested};
    for (size_t f = 0; f < COUNT(files); f++) {
        struct run r;
        run_one("k8s_audit", files[f], &r);
        ck_assert_msg(r.nev == 3, "%s: %zu events", files[f], r.nev);
        ck_assert_uint_eq(r.probs.n, 0);
        ck_assert(strstr(r.first_text[0], "\"auditID\":\"a\"") != NULL);
        ck_assert(strstr(r.first_text[1], "\"auditID\":\"b\"") != NULL);
        ck_assert(strstr(r.first_text[2], "\"auditID\":\"c\"") != NULL);
        /* 2018-10-26T09:51:20.717013Z, :21Z, :22.5Z (from +02:00) */
        ck_assert_uint_eq(r.ts[0], 1540547480717013000ull);
        ck_assert_uint_eq(r.ts[1], 1540547481000000000ull);
        ck_assert_uint_eq(r.ts[2], 1540547482500000000ull);
    }
    /* Offsets are those of the documents. */
    struct run r;
    run_one("k8s_audit", nd, &r);
    size_t line = strlen(EV("a", "2018-10-26T09:51:20.717013Z")) + 1;
    ck_assert_uint_eq(r.offsets[0], 0);
    ck_assert_uint_eq(r.offsets[1], line);
    run_one("k8s_audit", list, &r);
    ck_assert_uint_eq(r.offsets[2], 0);
    cleanup_tmpdir();
}
END_TEST

START_TEST(test_k8s_rejects)
{
    make_tmpdir();
    /* An array with one non-event is dropped whole (as the plugin does); an
     * Event without a stageTimestamp, or with an impossible one, is
     * dropped; one without auditID is kept. */
    const char *p = write_text(
        "rej.json",
        "[" EV("a", "2018-10-26T09:51:20Z") ",{\"kind\":\"Other\"}]\n"
        "{\"kind\":\"Event\",\"auditID\":\"x\"}\n" EV("y", "2018-02-30T00:00:00Z") "\n" EV(
            "z", "2018-10-26 09:51:20Z") "\n"
        "{\"kind\":\"Event\",\"stageTimestamp\":\"2018-10-26T09:51:20Z\"}\n"
        "{\"kind\":\"EventList\",\"items\":[" EV("l1", "2018-10-26T09:51:20Z") ",{\"kind\":\"Event\"}]}\n"
        "{\"kind\":\"EventList\",\"items\":{}}\n"
        "\"just a string\"\n");
    struct run r;
    run_one("k8s_audit", p, &r);
    ck_assert_uint_eq(r.nev, 2); /* the one without auditID, and l1 */
    ck_assert(strstr(r.first_text[0], "auditID") == NULL);
    ck_assert(strstr(r.first_text[1], "\"l1\"") != NULL);
    ck_assert_uint_eq(r.counts.skipped, 7);
    ck_assert_uint_eq(r.probs.n, 7);
    ck_assert_str_eq(r.probs.msg[0], "data not recognized as a k8s audit event");
    ck_assert_uint_eq(r.probs.line[0], 1);
    ck_assert_str_eq(r.probs.msg[1], "can't read stageTimestamp");
    ck_assert_uint_eq(r.probs.line[1], 2);
    ck_assert_str_eq(r.probs.msg[2], "stageTimestamp is not an RFC 3339 time");
    ck_assert_uint_eq(r.probs.line[2], 3);
    ck_assert_uint_eq(r.probs.line[3], 4);
    ck_assert_str_eq(r.probs.msg[4], "can't read stageTimestamp"); /* the second list item */
    ck_assert_uint_eq(r.probs.line[4], 6);
    ck_assert_uint_eq(r.probs.line[5], 7);
    ck_assert_uint_eq(r.probs.line[6], 8);
    cleanup_tmpdir();
}
END_TEST

/* ---- bad input ---- */

START_TEST(test_invalid_middle)
{
    make_tmpdir();
    const char *text = EV("a", "2018-10-26T09:51:20Z") "\n"
                       "{\"kind\":\"Event\" \"auditID\":\"bad\"}\n" EV("b", "2018-10-26T09:51:20Z") "\n"
                       "{\"kind\":\"Event\",\"auditID\":\"c\",\n" EV("d", "2018-10-26T09:51:20Z") "\n";
    const char *p = write_text("mid.json", text);
    for (size_t chunk = 0; chunk < 300; chunk += 7) {
        struct input_opts o = {.chunk = chunk};
        struct run r;
        run_source("k8s_audit", &p, 1, &o, &r);
        ck_assert_uint_eq(r.nev, 3);
        ck_assert(strstr(r.first_text[2], "\"d\"") != NULL);
        ck_assert_uint_eq(r.counts.skipped, 2);
        ck_assert_uint_eq(r.probs.n, 2);
        size_t l1 = strlen(EV("a", "2018-10-26T09:51:20Z")) + 1;
        ck_assert_uint_eq(r.probs.offset[0], l1);
        ck_assert_uint_eq(r.probs.line[0], 2);
        ck_assert(strstr(r.probs.msg[0], "invalid JSON") != NULL);
        ck_assert_uint_eq(r.probs.line[1], 4);
        ck_assert(strstr(r.probs.input[1], "mid.json") != NULL);
    }
    cleanup_tmpdir();
}
END_TEST

START_TEST(test_truncated_file)
{
    make_tmpdir();
    char text[1024];
    snprintf(text, sizeof text, "%s\n%s", EV("a", "2018-10-26T09:51:20Z"),
             EV("b", "2018-10-26T09:51:20Z"));
    text[strlen(text) - 10] = '\0'; /* cut the second event */
    const char *p = write_text("trunc.json", text);
    struct run r;
    run_one("k8s_audit", p, &r);
    ck_assert_uint_eq(r.nev, 1);
    ck_assert_uint_eq(r.probs.n, 1);
    ck_assert(strstr(r.probs.msg[0], "truncated") != NULL);
    ck_assert_uint_eq(r.probs.line[0], 2);
    /* An empty file and a blank one: no events, no problems. */
    p = write_text("empty.json", "");
    run_one("k8s_audit", p, &r);
    ck_assert_uint_eq(r.nev + r.probs.n, 0);
    p = write_text("blank.json", "\n  \n");
    run_one("k8s_audit", p, &r);
    ck_assert_uint_eq(r.nev + r.probs.n, 0);
    cleanup_tmpdir();
}
END_TEST

START_TEST(test_big_event)
{
    make_tmpdir();
    size_t big = (size_t)3 << 19; /* 1.5 MiB of string */
    size_t cap = big + 4096;
    char *text = malloc(cap);
    int n = snprintf(text, cap, "%s\n{\"kind\":\"Event\",\"auditID\":\"big\","
                                "\"stageTimestamp\":\"2018-10-26T09:51:20Z\",\"pad\":\"",
                     EV("a", "2018-10-26T09:51:20Z"));
    memset(text + n, 'x', big);
    n += (int)big;
    n += snprintf(text + n, cap - (size_t)n, "\"}\n%s\n", EV("b", "2018-10-26T09:51:20Z"));
    const char *p = write_file("big.json", text, (size_t)n);
    for (int pretty = 0; pretty < 2; pretty++) {
        struct input_opts o = {.chunk = pretty ? 4096 : 0};
        struct run r;
        run_source("k8s_audit", &p, 1, &o, &r);
        ck_assert_uint_eq(r.nev, 2);
        ck_assert(strstr(r.first_text[1], "\"b\"") != NULL);
        ck_assert_uint_eq(r.counts.skipped, 1);
        ck_assert_uint_eq(r.probs.n, 1);
        ck_assert(strstr(r.probs.msg[0], "larger than the limit of 1048576 bytes") != NULL);
        ck_assert_uint_eq(r.probs.line[0], 2);
    }
    /* A document over the per-document limit is skipped too, even when it
     * holds many events, and its end is found without holding it. */
    struct input_opts o = {.max_doc = 100000, .chunk = 4096};
    struct run r;
    run_source("k8s_audit", &p, 1, &o, &r);
    ck_assert_uint_eq(r.nev, 2);
    ck_assert_uint_eq(r.probs.n, 1);
    ck_assert(strstr(r.probs.msg[0], "larger than the limit of 100000 bytes") != NULL);
    free(text);
    cleanup_tmpdir();
}
END_TEST

START_TEST(test_input_limit)
{
    make_tmpdir();
    char text[4096] = "";
    for (int i = 0; i < 10; i++) {
        strcat(text, EV("e", "2018-10-26T09:51:20Z"));
        strcat(text, "\n");
    }
    size_t line = strlen(EV("e", "2018-10-26T09:51:20Z")) + 1;
    const char *p = write_text("limit.json", text);
    struct input_opts o = {.max_input = 3 * line + 5};
    struct run r;
    run_source("k8s_audit", &p, 1, &o, &r);
    ck_assert_uint_eq(r.nev, 3);
    ck_assert_uint_eq(r.counts.bytes, 3 * line + 5);
    ck_assert_uint_eq(r.probs.n, 2); /* the limit, then the cut document */
    ck_assert(strstr(r.probs.msg[0], "input larger than the limit") != NULL);
    ck_assert(strstr(r.probs.msg[1], "truncated") != NULL);
    cleanup_tmpdir();
}
END_TEST

static const char *ct_file =
    "{\"Records\":[{\"eventVersion\":\"1.08\",\"eventTime\":\"2014-03-06T21:22:54Z\","
    "\"eventType\":\"AwsApiCall\",\"eventSource\":\"ec2.amazonaws.com\",\"eventName\":\"StartInstances\","
    "\"awsRegion\":\"us-east-2\",\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"Alice\"}},"
    "{\"eventTime\":\"2014-03-06T21:22:55Z\",\"eventType\":\"AwsCloudTrailInsight\"},"
    "{\"eventTime\":\"nope\",\"eventType\":\"AwsApiCall\"},"
    "{\"eventType\":\"AwsApiCall\"},"
    "{\"eventTime\":\"2014-03-06T21:22:56Z\"},"
    "7,"
    "{\"eventTime\":\"2014-03-06T21:22:57.5Z\",\"eventType\":\"AwsConsoleSignIn\"}]}\n";

START_TEST(test_cloudtrail_gz)
{
    make_tmpdir();
    const char *gz = write_gz("AWSLogs_x_CloudTrail_20140306T2125Z.json.gz", ct_file);
    struct run r;
    run_one("aws_cloudtrail", gz, &r);
    ck_assert_uint_eq(r.nev, 2);
    ck_assert_uint_eq(r.ts[0], 1394140974000000000ull);
    ck_assert_uint_eq(r.ts[1], 1394140977500000000ull);
    ck_assert_uint_eq(r.counts.filtered, 1); /* the Insight record, not reported */
    ck_assert_uint_eq(r.counts.skipped, 4);
    ck_assert_uint_eq(r.probs.n, 4);
    ck_assert(strstr(r.probs.msg[0], "not an RFC 3339 time") != NULL);
    ck_assert(strstr(r.probs.msg[1], "without eventTime") != NULL);
    ck_assert(strstr(r.probs.msg[2], "without eventType") != NULL);
    ck_assert(strstr(r.probs.msg[3], "not an object") != NULL);
    ck_assert_uint_eq(r.counts.bytes, strlen(ct_file));

    /* Gzip data is recognized by its magic bytes, whatever the name. */
    const char *gz2 = write_gz("plain-name.json", ct_file);
    run_one("aws_cloudtrail", gz2, &r);
    ck_assert_uint_eq(r.nev, 2);

    /* A .gz name over data that is not gzip: reported, skipped, the next
     * input read. */
    const char *fake = write_text("fake.json.gz", ct_file);
    const char *both[] = {fake, gz};
    run_source("aws_cloudtrail", both, 2, NULL, &r);
    ck_assert_uint_eq(r.nev, 2);
    ck_assert(strstr(r.probs.msg[0], "not gzip data") != NULL);
    ck_assert(strstr(r.probs.input[0], "fake.json.gz") != NULL);

    /* Two gzip members one after the other (cat a.gz b.gz). */
    char *data = NULL;
    size_t len1, len2;
    {
        FILE *f = fopen(gz, "rb");
        fseek(f, 0, SEEK_END);
        len1 = (size_t)ftell(f);
        fseek(f, 0, SEEK_SET);
        data = malloc(2 * len1);
        ck_assert_uint_eq(fread(data, 1, len1, f), len1);
        fclose(f);
        memcpy(data + len1, data, len1);
        len2 = 2 * len1;
    }
    const char *cat = write_file("cat.json.gz", data, len2);
    run_one("aws_cloudtrail", cat, &r);
    ck_assert_uint_eq(r.nev, 4);

    /* Truncated gzip data: reported; what came before it is read. */
    const char *cut = write_file("cut.json.gz", data, len1 - 12);
    run_one("aws_cloudtrail", cut, &r);
    ck_assert(any_msg(&r, "truncated gzip data"));

    /* Corrupt gzip data. */
    data[len1 / 2] ^= 0x55;
    data[len1 / 2 + 1] ^= 0x55;
    const char *bad = write_file("bad.json.gz", data, len1);
    run_one("aws_cloudtrail", bad, &r);
    ck_assert_uint_ge(r.probs.n, 1);
    free(data);

    /* A gzip bomb stops at the input limit. */
    size_t zeros = (size_t)8 << 20;
    char *big = calloc(1, zeros + 1);
    memset(big, ' ', zeros);
    const char *bomb = write_gz("bomb.json.gz", big);
    struct input_opts o = {.max_input = 1 << 20};
    run_source("aws_cloudtrail", &bomb, 1, &o, &r);
    ck_assert_uint_eq(r.counts.bytes, 1 << 20);
    ck_assert(any_msg(&r, "input larger than the limit"));
    free(big);
    cleanup_tmpdir();
}
END_TEST

START_TEST(test_directory_walk)
{
    make_tmpdir();
    char sub[600], sub2[600];
    snprintf(sub, sizeof sub, "%s/m", tmpdir);
    mkdir(sub, 0700);
    snprintf(sub2, sizeof sub2, "%s/m/inner", tmpdir);
    mkdir(sub2, 0700);
    write_text("b.json", EV("b", "2018-10-26T09:51:20Z"));
    write_text("a.json", EV("a", "2018-10-26T09:51:20Z"));
    write_text("m/c.jsonl", EV("c", "2018-10-26T09:51:20Z"));
    write_text("m/inner/d.json", EV("d", "2018-10-26T09:51:20Z"));
    write_gz("z.json.gz", EV("z", "2018-10-26T09:51:20Z"));
    write_text("notes.txt", "not json");
    write_text("m/e.yaml", "x: 1");
    char loop[600];
    snprintf(loop, sizeof loop, "%s/m/inner/loop", tmpdir);
    ck_assert_int_eq(symlink(tmpdir, loop), 0);
    struct run r;
    run_one("k8s_audit", tmpdir, &r);
    ck_assert_uint_eq(r.nev, 5);
    const char *order[] = {"/a.json", "/b.json", "/m/c.jsonl", "/m/inner/d.json", "/z.json.gz"};
    for (size_t i = 0; i < 5; i++) {
        size_t l = strlen(r.inputs[i]), m = strlen(order[i]);
        ck_assert_msg(l >= m && strcmp(r.inputs[i] + l - m, order[i]) == 0, "%zu: %s", i,
                      r.inputs[i]);
    }
    ck_assert_uint_eq(r.probs.n, 1); /* the symlink loop */
    ck_assert(strstr(r.probs.msg[0], "loop") != NULL);

    /* CloudTrail takes .json and .json.gz only, as its plugin. */
    run_one("aws_cloudtrail", tmpdir, &r);
    ck_assert_uint_eq(r.counts.inputs, 4);

    /* A missing input is reported; the others are read. */
    char missing[600];
    snprintf(missing, sizeof missing, "%s/nope.json", tmpdir);
    const char *paths[] = {missing, tmpdir};
    run_source("k8s_audit", paths, 2, NULL, &r);
    ck_assert_uint_eq(r.nev, 5);
    ck_assert(strstr(r.probs.msg[0], "cannot open") != NULL);
    cleanup_tmpdir();
}
END_TEST

START_TEST(test_stdin)
{
    make_tmpdir();
    int saved = dup(STDIN_FILENO);
    /* A pipe (written in full before reading; fits the pipe buffer). */
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    const char *text = EV("p1", "2018-10-26T09:51:20Z") "\n{\n  \"kind\": \"Event\",\n"
                                                         "  \"stageTimestamp\": \"2018-10-26T09:51:20Z\"\n}\n";
    ck_assert_int_eq(write(fds[1], text, strlen(text)), (ssize_t)strlen(text));
    close(fds[1]);
    dup2(fds[0], STDIN_FILENO);
    close(fds[0]);
    const char *dash = "-";
    struct input_opts o = {.chunk = 16};
    struct run r;
    run_source("k8s_audit", &dash, 1, &o, &r);
    ck_assert_uint_eq(r.nev, 2);
    ck_assert_str_eq(r.inputs[0], "-");
    /* Gzip on stdin. */
    const char *gz = write_gz("in.json.gz", text);
    int fd = open(gz, O_RDONLY);
    dup2(fd, STDIN_FILENO);
    close(fd);
    run_source("k8s_audit", &dash, 1, NULL, &r);
    ck_assert_uint_eq(r.nev, 2);
    dup2(saved, STDIN_FILENO);
    close(saved);
    cleanup_tmpdir();
}
END_TEST

START_TEST(test_other_sources)
{
    make_tmpdir();
    /* github: payloads need webhook_type. */
    const char *gh = write_text("gh.json", "{\"webhook_type\":\"push\",\"ref\":\"x\"}\n"
                                           "{\"ref\":\"no type\"}\n"
                                           "[{\"webhook_type\":\"ping\"},{\"webhook_type\":\"meta\"}]\n");
    struct run r;
    run_one("github", gh, &r);
    ck_assert_uint_eq(r.nev, 3);
    ck_assert_uint_eq(r.ts[0], 0);
    ck_assert_uint_eq(r.probs.n, 1);
    ck_assert(strstr(r.probs.msg[0], "webhook_type") != NULL);
    /* okta: objects or arrays of them; published is the time, and one that
     * does not parse gives Go's zero time, as Falco's plugin. */
    const char *ok = write_text("okta.json", "[{\"published\":\"2024-01-02T03:04:05.678Z\"},"
                                             "{\"published\":\"2017-09-31T22:23:07.777Z\"}]\n"
                                             "{\"eventType\":\"x\"}\n42\n");
    run_one("okta", ok, &r);
    ck_assert_uint_eq(r.nev, 3);
    ck_assert_uint_eq(r.ts[0], 1704164645678000000ull);
    ck_assert_uint_eq(r.ts[1], 0xa1b203eb3d1a0000ull);
    ck_assert_uint_eq(r.ts[2], 0xa1b203eb3d1a0000ull);
    ck_assert_uint_eq(r.probs.n, 1);
    /* json: every value is an event, a top-level array a list of them. */
    const char *js = write_text("any.json", "{\"a\":1}\n[1,{\"b\":2}]\n\"s\"\nnull\n");
    run_one("json", js, &r);
    ck_assert_uint_eq(r.nev, 5);
    ck_assert_str_eq(r.first_text[1], "1");
    ck_assert_str_eq(r.first_text[2], "{\"b\":2}");
    ck_assert_uint_eq(r.probs.n, 0);
    /* CloudTrail wants Records. */
    const char *ct = write_text("ct.json", "{\"records\":[]}\n[" "{\"Records\":[]}" "]\n");
    run_one("aws_cloudtrail", ct, &r);
    ck_assert_uint_eq(r.nev, 0);
    ck_assert_uint_eq(r.probs.n, 1);
    ck_assert(strstr(r.probs.msg[0], "Records") != NULL);
    ck_assert_ptr_nonnull(source_plugin_find("syscall")); /* synthetic events */
    ck_assert_ptr_null(source_plugin_find("nosuch"));
    ck_assert_ptr_null(source_plugin_find(NULL));
    cleanup_tmpdir();
}
END_TEST

START_TEST(test_rfc3339)
{
    uint64_t ns;
    ck_assert(rfc3339_parse("1970-01-01T00:00:00Z", 20, &ns) && ns == 0);
    ck_assert(rfc3339_parse("2018-10-26T09:51:20.717013Z", 27, &ns) && ns == 1540547480717013000ull);
    ck_assert(rfc3339_parse("2018-10-26T09:51:20.1234567891Z", 31, &ns) &&
              ns == 1540547480123456789ull);
    ck_assert(rfc3339_parse("2018-10-26T11:51:20+02:00", 25, &ns) && ns == 1540547480000000000ull);
    ck_assert(rfc3339_parse("2018-10-26T07:21:20-02:30", 25, &ns) && ns == 1540547480000000000ull);
    ck_assert(rfc3339_parse("2024-02-29T00:00:00Z", 20, &ns));
    const char *bad[] = {"2023-02-29T00:00:00Z", "2018-10-26T09:51:20",  "2018-10-26 09:51:20Z",
                         "2018-10-26T24:00:00Z", "2018-10-26T09:60:00Z", "2018-10-26T09:51:60Z",
                         "2018-13-26T09:51:20Z", "2018-10-26T09:51:20.Z", "2018-10-26T09:51:20z",
                         "1969-12-31T23:59:59Z", "2018-10-26T09:51:20+0200", "2018-10-26T09:51:20Zx",
                         "2018-1a-26T09:51:20Z", ""};
    for (size_t i = 0; i < COUNT(bad); i++)
        ck_assert_msg(!rfc3339_parse(bad[i], strlen(bad[i]), &ns), "%s", bad[i]);
}
END_TEST

/* ---- evt.* and json.* ---- */

struct fx {
    struct json_parser *p;
    struct json_stream *s;
    struct event ev;
    struct arena a;
    const struct source_plugin *sp;
};

static void fx_open(struct fx *x, const char *source, const char *txt)
{
    memset(x, 0, sizeof *x);
    x->sp = source_plugin_find(source);
    x->p = json_parser_new(1 << 20);
    x->s = json_stream_open(x->p, txt, strlen(txt));
    size_t at;
    const char *err;
    ck_assert_int_eq(json_stream_next(x->s, &x->ev.root, &at, &err), JSON_NEXT_DOC);
    x->ev.num = 7;
    x->ev.ts_ns = x->sp->timestamp(x->ev.root);
    x->ev.first_ts_ns = x->ev.ts_ns - 2500000001ull;
    x->ev.source = source;
    x->ev.hostname = "host1";
    x->ev.input = "-";
}

static void fx_close(struct fx *x)
{
    arena_free(&x->a);
    json_stream_close(x->s);
    json_parser_free(x->p);
}

/* The field's value as text ("<NA>" when not extracted); numbers in
 * decimal, booleans as true/false. */
static const char *get(struct fx *x, const char *field, const char *arg)
{
    static char out[4096];
    const struct source_schema *schema = schema_source(x->sp->name);
    const char *dotted = NULL;
    const struct field_info *fi = schema_lookup(schema, field, &dotted);
    ck_assert_msg(fi != NULL, "no field %s", field);
    struct field_ref f = {.info = fi, .arg = arg};
    struct fvalues v;
    bool ok = source_extract(x->sp, &x->ev, &f, &x->a, &v);
    ck_assert_int_eq(ok, v.n > 0);
    if (v.n == 0)
        return "<NA>";
    switch (fi->type) {
    case FT_UINT64:
    case FT_ABSTIME:
    case FT_RELTIME:
        snprintf(out, sizeof out, "%llu", (unsigned long long)v.v[0].as.u);
        break;
    case FT_BOOL:
        snprintf(out, sizeof out, "%s", v.v[0].as.b ? "true" : "false");
        break;
    default:
        ck_assert_uint_eq(strlen(v.v[0].str), v.v[0].len);
        snprintf(out, sizeof out, "%.*s", (int)v.v[0].len, v.v[0].str);
        break;
    }
    return out;
}

START_TEST(test_generic_fields)
{
    setenv("TZ", "UTC", 1);
    tzset();
    struct fx x;
    fx_open(&x, "k8s_audit", EV("id1", "2018-10-26T09:51:20.717013Z"));
    ck_assert_str_eq(get(&x, "evt.num", NULL), "7");
    ck_assert_str_eq(get(&x, "evt.time", NULL), "09:51:20.717013000");
    ck_assert_str_eq(get(&x, "evt.time.s", NULL), "09:51:20");
    ck_assert_str_eq(get(&x, "evt.time.iso8601", NULL), "2018-10-26T09:51:20.717013000Z");
    ck_assert_str_eq(get(&x, "evt.datetime", NULL), "2018-10-26 09:51:20.717013000");
    ck_assert_str_eq(get(&x, "evt.datetime.s", NULL), "2018-10-26 09:51:20");
    ck_assert_str_eq(get(&x, "evt.rawtime", NULL), "1540547480717013000");
    ck_assert_str_eq(get(&x, "evt.rawtime.s", NULL), "1540547480");
    ck_assert_str_eq(get(&x, "evt.rawtime.ns", NULL), "717013000");
    ck_assert_str_eq(get(&x, "evt.reltime", NULL), "2500000001");
    ck_assert_str_eq(get(&x, "evt.reltime.s", NULL), "2");
    ck_assert_str_eq(get(&x, "evt.reltime.ns", NULL), "500000001");
    ck_assert_str_eq(get(&x, "evt.source", NULL), "k8s_audit");
    ck_assert_str_eq(get(&x, "evt.pluginname", NULL), "k8saudit");
    ck_assert_str_eq(get(&x, "evt.plugininfo", NULL), EV("id1", "2018-10-26T09:51:20.717013Z"));
    ck_assert_str_eq(get(&x, "evt.is_async", NULL), "false");
    ck_assert_str_eq(get(&x, "evt.asynctype", NULL), "<NA>");
    ck_assert_str_eq(get(&x, "evt.hostname", NULL), "host1");
    x.ev.hostname = NULL;
    ck_assert_str_eq(get(&x, "evt.hostname", NULL), "<NA>");
    fx_close(&x);

    fx_open(&x, "github", "{\"webhook_type\":\"ping\"}");
    ck_assert_str_eq(get(&x, "evt.time.iso8601", NULL), "1970-01-01T00:00:00.000000000Z");
    ck_assert_str_eq(get(&x, "evt.pluginname", NULL), "github");
    fx_close(&x);

    fx_open(&x, "okta", "{\"published\":\"2017-09-31T22:23:07.777Z\"}");
    ck_assert_str_eq(get(&x, "evt.time.iso8601", NULL), "2339-03-21T22:18:14.838206464Z");
    ck_assert_str_eq(get(&x, "evt.pluginname", NULL), "okta");
    fx_close(&x);

    fx_open(&x, "aws_cloudtrail",
            "{\"eventTime\":\"2014-03-06T21:22:54Z\",\"eventType\":\"AwsApiCall\","
            "\"eventSource\":\"ec2.amazonaws.com\",\"eventName\":\"StartInstances\","
            "\"awsRegion\":\"us-east-2\",\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"Alice\"}}");
    ck_assert_str_eq(get(&x, "evt.pluginname", NULL), "cloudtrail");
    const char *info = get(&x, "evt.plugininfo", NULL);
    ck_assert_msg(strncmp(info, "us-east-2 Alice ec2 StartInstances ", 35) == 0, "%s", info);
    ck_assert_str_eq(get(&x, "evt.time", NULL), "21:22:54.000000000");
    fx_close(&x);
}
END_TEST

START_TEST(test_json_fields)
{
    struct fx x;
    const char *doc = "{\"kind\":\"Event\",\"auditID\":\"i\",\"stageTimestamp\":\"2018-10-26T09:51:20Z\","
                      "\"a/b\":{\"c~d\":[\"zero\",{\"e\":false}],\"n\":0,\"f\":1.5},"
                      "\"s\":\"quote\\\"d\",\"nul\":null,\"obj\":{\"x\":[1,2]},\"\":\"empty key\"}";
    fx_open(&x, "k8s_audit", doc);
    const char *fields[] = {"json.value", "jevt.value"};
    for (size_t k = 0; k < 2; k++) {
        const char *f = fields[k];
        ck_assert_str_eq(get(&x, f, "/kind"), "Event");
        ck_assert_str_eq(get(&x, f, "kind"), "Event"); /* leading "/" optional */
        ck_assert_str_eq(get(&x, f, "/a~1b/c~0d/0"), "zero");
        ck_assert_str_eq(get(&x, f, "/a~1b/c~0d/1/e"), "false");
        ck_assert_str_eq(get(&x, f, "/a~1b/c~0d/1"), "{\"e\":false}");
        ck_assert_str_eq(get(&x, f, "/a~1b/c~0d/+1/e"), "false"); /* Go's Atoi */
        ck_assert_str_eq(get(&x, f, "/a~1b/c~0d/01"), "{\"e\":false}");
        ck_assert_str_eq(get(&x, f, "/a~1b/n"), "0");
        ck_assert_str_eq(get(&x, f, "/a~1b/f"), "1.5");
        ck_assert_str_eq(get(&x, f, "/s"), "quote\"d");
        ck_assert_str_eq(get(&x, f, "/nul"), "null");
        ck_assert_str_eq(get(&x, f, "/obj"), "{\"x\":[1,2]}");
        ck_assert_str_eq(get(&x, f, "/obj/x/1"), "2");
        ck_assert_str_eq(get(&x, f, "/"), "empty key");
        ck_assert_str_eq(get(&x, f, "/a~1b/c~0d/2"), "<NA>");
        ck_assert_str_eq(get(&x, f, "/a~1b/c~0d/-1"), "<NA>");
        ck_assert_str_eq(get(&x, f, "/missing"), "<NA>");
        ck_assert_str_eq(get(&x, f, "/kind/deeper"), "<NA>");
        ck_assert_str_eq(get(&x, f, "/a/b"), "<NA>");
        ck_assert(strncmp(get(&x, f, ""), "{\"kind\":\"Event\",", 16) == 0);
    }
    ck_assert_str_eq(get(&x, "json.rawtime", NULL), "1540547480000000000");
    ck_assert_str_eq(get(&x, "jevt.rawtime", NULL), "1540547480000000000");
    const char *obj = get(&x, "json.obj", NULL);
    ck_assert(strncmp(obj, "{\n  \"kind\": \"Event\",\n  \"auditID\": \"i\",\n", 39) == 0);
    ck_assert(strstr(obj, "\n    \"c~d\": [\n      \"zero\",\n      {\n        \"e\": false\n      }\n    ],\n") != NULL);
    ck_assert_str_eq(get(&x, "jevt.obj", NULL), obj);
    fx_close(&x);

    /* The json source: an event that is not an object or array has none of
     * the json.* fields, as the plugin reads only '{' and '['. */
    fx_open(&x, "json", "\"text\"");
    ck_assert_str_eq(get(&x, "json.value", "/a"), "<NA>");
    ck_assert_str_eq(get(&x, "json.obj", NULL), "<NA>");
    ck_assert_str_eq(get(&x, "evt.pluginname", NULL), "json");
    fx_close(&x);
    fx_open(&x, "json", "[10,20]");
    ck_assert_str_eq(get(&x, "json.value", "/1"), "20");
    ck_assert_str_eq(get(&x, "json.value", "1"), "20");
    fx_close(&x);
}
END_TEST

static Suite *input_suite(void)
{
    Suite *s = suite_create("input");
    TCase *tc = tcase_create("input");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_samples);
    tcase_add_test(tc, test_layouts);
    tcase_add_test(tc, test_k8s_rejects);
    tcase_add_test(tc, test_invalid_middle);
    tcase_add_test(tc, test_truncated_file);
    tcase_add_test(tc, test_big_event);
    tcase_add_test(tc, test_input_limit);
    tcase_add_test(tc, test_cloudtrail_gz);
    tcase_add_test(tc, test_directory_walk);
    tcase_add_test(tc, test_stdin);
    tcase_add_test(tc, test_other_sources);
    tcase_add_test(tc, test_rfc3339);
    tcase_add_test(tc, test_generic_fields);
    tcase_add_test(tc, test_json_fields);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(input_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0;
}
