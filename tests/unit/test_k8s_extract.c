/* test_k8s_extract.c: the ka.* extractor (plugins/k8s_audit/extract.c)
 * over the sample audit events of ../shared/peer/events/k8s_audit and over
 * small events written here for the quirks of falco-fields.md 8 and 8.1.
 *
 * Expected values were read off the event files (python3 json.loads of each
 * line, compact json.dumps for the JSON-text values) and are hard-coded. */
#include <check.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "k8s_audit/extract.h"
#include "schema.h"

#ifndef STOOP_SHARED_DIR
#define STOOP_SHARED_DIR "../shared"
#endif
#define EVENTS_DIR STOOP_SHARED_DIR "/peer/events/k8s_audit"

/* ---------------------------------------------------------------------- */
/* Loading events. */

struct doc {
    struct json_parser *p;
    struct json_stream *s;
    char *buf;
    size_t len;
    struct event ev;
    struct arena a;
};

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert(buf != NULL);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* The nth (0-based) JSON document of buf, as a k8s_audit event. */
static struct doc *open_buf(char *buf, size_t len, int nth)
{
    struct doc *d = calloc(1, sizeof *d);
    ck_assert(d != NULL);
    d->buf = buf;
    d->len = len;
    d->p = json_parser_new(1 << 20);
    d->s = json_stream_open(d->p, d->buf, d->len);
    json_ref doc;
    size_t at;
    const char *err;
    for (int i = 0;; i++) {
        enum json_next r = json_stream_next(d->s, &doc, &at, &err);
        ck_assert_msg(r == JSON_NEXT_DOC, "document %d: %s", i, r == JSON_NEXT_ERROR ? err : "end");
        if (i == nth)
            break;
    }
    d->ev.root = doc;
    d->ev.num = 1;
    d->ev.source = "k8s_audit";
    d->ev.hostname = "test";
    d->ev.input = "-";
    d->ev.offset = at;
    return d;
}

static struct doc *open_event(const char *file, int nth)
{
    char path[512];
    size_t len;
    snprintf(path, sizeof path, "%s/%s", EVENTS_DIR, file);
    char *buf = read_file(path, &len);
    return open_buf(buf, len, nth);
}

static struct doc *open_json(const char *text)
{
    return open_buf(strdup(text), strlen(text), 0);
}

static void close_doc(struct doc *d)
{
    json_stream_close(d->s);
    json_parser_free(d->p);
    arena_free(&d->a);
    free(d->buf);
    free(d);
}

/* ---------------------------------------------------------------------- */
/* Extracting. */

static const struct source_schema *k8s(void)
{
    const struct source_schema *s = schema_source("k8s_audit");
    ck_assert(s != NULL);
    return s;
}

static bool is_index(const char *arg, uint64_t *idx)
{
    if (!arg || !*arg)
        return false;
    uint64_t v = 0;
    for (const char *p = arg; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *idx = v;
    return true;
}

static struct fvalues ex(struct doc *d, const char *field, const char *arg)
{
    const char *dotted = NULL;
    const struct field_info *fi = schema_lookup(k8s(), field, &dotted);
    ck_assert_msg(fi != NULL, "no field %s", field);
    struct field_ref f = {.info = fi, .arg = arg};
    f.has_index = is_index(arg, &f.index);
    struct fvalues out = {.v = (struct fvalue *)1, .n = 99};
    bool ok = k8s_audit_extract(&d->ev, &f, &d->a, &out);
    ck_assert_msg(ok, "%s: not a k8s_audit field for the extractor", field);
    if (out.n == 0)
        ck_assert_ptr_null(out.v);
    return out;
}

static void expect_at(int line, struct doc *d, const char *field, const char *arg,
                      const char *const *want, size_t n)
{
    struct fvalues got = ex(d, field, arg);
    char where[300];
    snprintf(where, sizeof where, "line %d: %s%s%s%s", line, field, arg ? "[" : "",
             arg ? arg : "", arg ? "]" : "");
    ck_assert_msg(got.n == n, "%s: %zu values, want %zu (first: %.*s)", where, got.n, n,
                  got.n ? (int)got.v[0].len : 4, got.n ? got.v[0].str : "none");
    for (size_t i = 0; i < n; i++) {
        size_t wl = strlen(want[i]);
        ck_assert_msg(got.v[i].len == wl && memcmp(got.v[i].str, want[i], wl) == 0,
                      "%s: value %zu is '%.*s', want '%s'", where, i, (int)got.v[i].len,
                      got.v[i].str, want[i]);
        ck_assert_msg(got.v[i].str[wl] == '\0', "%s: value %zu not NUL-terminated", where, i);
    }
}

#define WANT(...) ((const char *const[]){__VA_ARGS__})
#define NWANT(...) (sizeof(WANT(__VA_ARGS__)) / sizeof(const char *))
/* EXPECT(doc, field, arg, values...): exactly these values, in order. */
#define EXPECT(d, field, arg, ...) expect_at(__LINE__, d, field, arg, WANT(__VA_ARGS__), NWANT(__VA_ARGS__))
/* NONE(doc, field, arg): not extracted. */
#define NONE(d, field, arg) expect_at(__LINE__, d, field, arg, NULL, 0)

/* ---------------------------------------------------------------------- */
/* The table. */

START_TEST(test_every_field_known)
{
    const struct source_schema *s = k8s();
    ck_assert_uint_ge(s->nfields, 100);
    for (size_t i = 0; i < s->nfields; i++)
        ck_assert_msg(k8s_audit_field_known(&s->fields[i]), "no extractor for %s", s->fields[i].name);
    /* Other tables' rows are not ka.* fields. */
    const struct source_schema *ct = schema_source("aws_cloudtrail");
    ck_assert(ct != NULL);
    ck_assert(!k8s_audit_field_known(&ct->fields[0]));
    ck_assert(!k8s_audit_field_known(NULL));

    struct doc *d = open_json("{\"auditID\":\"x\"}");
    struct field_ref f = {.info = &ct->fields[0]};
    struct fvalues out;
    ck_assert(!k8s_audit_extract(&d->ev, &f, &d->a, &out));
    ck_assert_uint_eq(out.n, 0);
    close_doc(d);
}
END_TEST

/* Every field, with no argument, index 0, index 1 and a key, on every
 * sample event: no crash, and list-ness respected. */
START_TEST(test_all_fields_all_events)
{
    DIR *dir = opendir(EVENTS_DIR);
    ck_assert(dir != NULL);
    const struct source_schema *s = k8s();
    struct dirent *de;
    size_t events = 0;
    while ((de = readdir(dir)) != NULL) {
        size_t nl = strlen(de->d_name);
        if (nl < 5 || strcmp(de->d_name + nl - 5, ".json") != 0)
            continue;
        char path[512];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", EVENTS_DIR, de->d_name);
        char *buf = read_file(path, &len);
        struct json_parser *p = json_parser_new(1 << 20);
        struct json_stream *js = json_stream_open(p, buf, len);
        json_ref root;
        size_t at;
        const char *err;
        struct arena a = {0};
        while (json_stream_next(js, &root, &at, &err) == JSON_NEXT_DOC) {
            struct event ev = {.root = root, .num = 1, .source = "k8s_audit"};
            events++;
            for (size_t i = 0; i < s->nfields; i++) {
                const struct field_info *fi = &s->fields[i];
                static const char *const args[] = {NULL, "0", "1", "/proc*"};
                for (size_t k = 0; k < 4; k++) {
                    struct field_ref f = {.info = fi, .arg = args[k]};
                    f.has_index = is_index(args[k], &f.index);
                    struct fvalues out;
                    ck_assert(k8s_audit_extract(&ev, &f, &a, &out));
                    if (!(fi->flags & FF_IS_LIST))
                        ck_assert_msg(out.n <= 1, "%s: %zu values of a non-list field in %s",
                                      fi->name, out.n, de->d_name);
                    for (size_t j = 0; j < out.n; j++)
                        ck_assert(out.v[j].str != NULL);
                }
            }
            arena_reset(&a);
        }
        arena_free(&a);
        json_stream_close(js);
        json_parser_free(p);
        free(buf);
    }
    closedir(dir);
    ck_assert_uint_ge(events, 52);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Sample events. */

START_TEST(test_pod_privileged)
{
    struct doc *d = open_event("create_nginx_pod_privileged.json", 0);
    EXPECT(d, "ka.auditid", NULL, "a362d22b-db3c-4590-9505-23782f12925f");
    EXPECT(d, "ka.stage", NULL, "ResponseComplete");
    EXPECT(d, "ka.user.name", NULL, "system:serviceaccount:kube-system:replicaset-controller");
    EXPECT(d, "ka.user.groups", NULL, "system:serviceaccounts", "system:serviceaccounts:kube-system",
           "system:authenticated");
    EXPECT(d, "ka.verb", NULL, "create");
    EXPECT(d, "ka.uri", NULL, "/api/v1/namespaces/default/pods");
    EXPECT(d, "ka.target.resource", NULL, "pods");
    EXPECT(d, "ka.target.namespace", NULL, "default");
    NONE(d, "ka.target.name", NULL);        /* objectRef has no name */
    NONE(d, "ka.target.subresource", NULL);
    EXPECT(d, "ka.target.pod.name", NULL, "nginx-deployment-5cdcc99dbf-rgw6z");
    EXPECT(d, "ka.resp.name", NULL, "nginx-deployment-5cdcc99dbf-rgw6z");
    EXPECT(d, "ka.auth.decision", NULL, "allow");
    EXPECT(d, "ka.auth.reason", NULL,
           "RBAC: allowed by ClusterRoleBinding \"system:controller:replicaset-controller\" of "
           "ClusterRole \"system:controller:replicaset-controller\" to ServiceAccount "
           "\"replicaset-controller/kube-system\"");
    /* responseStatus.code is the number 201: its JSON text. */
    EXPECT(d, "ka.response.code", NULL, "201");
    NONE(d, "ka.response.reason", NULL);
    EXPECT(d, "ka.req.pod.containers.image", NULL, "nginx");
    EXPECT(d, "ka.req.pod.containers.image", "0", "nginx");
    NONE(d, "ka.req.pod.containers.image", "1"); /* one container */
    EXPECT(d, "ka.req.pod.containers.image.repository", NULL, "nginx");
    EXPECT(d, "ka.req.container.image", NULL, "nginx");
    EXPECT(d, "ka.req.container.image.repository", NULL, "nginx");
    EXPECT(d, "ka.req.pod.containers.name", NULL, "nginx");
    EXPECT(d, "ka.req.pod.containers.privileged", NULL, "true");
    EXPECT(d, "ka.req.pod.containers.privileged", "0", "true");
    EXPECT(d, "ka.req.container.privileged", NULL, "true");
    NONE(d, "ka.req.pod.host_network", NULL);
    NONE(d, "ka.req.pod.host_pid", NULL);
    NONE(d, "ka.req.pod.host_ipc", NULL);
    NONE(d, "ka.req.pod.volumes.hostpath", NULL);
    NONE(d, "ka.req.volume.hostpath", "/proc*"); /* no spec.volumes */
    NONE(d, "ka.req.pod.volumes.volume_type", NULL);
    /* spec.securityContext is {}: no runAsUser anywhere, so "0" per container. */
    NONE(d, "ka.req.pod.run_as_user", NULL);
    NONE(d, "ka.req.pod.containers.run_as_user", NULL);
    EXPECT(d, "ka.req.pod.containers.eff_run_as_user", NULL, "0");
    EXPECT(d, "ka.req.pod.containers.eff_run_as_group", NULL, "0");
    NONE(d, "ka.req.pod.containers.host_port", NULL);
    NONE(d, "ka.req.pod.containers.command", NULL);
    NONE(d, "ka.req.pod.containers.args", NULL);
    NONE(d, "ka.req.pod.containers.add_capabilities", NULL);
    NONE(d, "ka.req.pod.initContainers.image", NULL);
    NONE(d, "ka.req.pod.initContainers.privileged", NULL);
    NONE(d, "ka.req.pod.ephemeralContainers.image", NULL);
    NONE(d, "ka.req.pod.ephemeralContainers.privileged", NULL);
    NONE(d, "ka.impuser.name", NULL);
    NONE(d, "ka.useragent", NULL);
    NONE(d, "ka.cluster.name", NULL);
    NONE(d, "ka.uri.param", "watch");
    /* Top-level sourceIPs ["::1"] is not what ka.sourceips reads (8). */
    NONE(d, "ka.sourceips", NULL);
    EXPECT(d, "ka.req.binding.subject.has_name", "anything", "true");
    close_doc(d);
}
END_TEST

START_TEST(test_pod_two_containers)
{
    /* Container 1 (nginx1, "nginx") has no securityContext; container 2
     * (mysql, "mysql:latest") has privileged: true. */
    struct doc *d = open_event("create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json", 0);
    EXPECT(d, "ka.req.pod.containers.image", NULL, "nginx", "mysql:latest");
    EXPECT(d, "ka.req.pod.containers.image", "0", "nginx");
    EXPECT(d, "ka.req.pod.containers.image", "1", "mysql:latest");
    NONE(d, "ka.req.pod.containers.image", "2");
    EXPECT(d, "ka.req.pod.containers.image.repository", NULL, "nginx", "mysql");
    EXPECT(d, "ka.req.pod.containers.image.repository", "1", "mysql");
    EXPECT(d, "ka.req.container.image", NULL, "nginx");
    EXPECT(d, "ka.req.pod.containers.name", NULL, "nginx1", "mysql");
    /* The container without securityContext is skipped. */
    EXPECT(d, "ka.req.pod.containers.privileged", NULL, "true");
    NONE(d, "ka.req.pod.containers.privileged", "0");
    EXPECT(d, "ka.req.pod.containers.privileged", "1", "true");
    EXPECT(d, "ka.req.container.privileged", NULL, "true");
    EXPECT(d, "ka.req.pod.containers.eff_run_as_user", NULL, "0", "0");
    /* With an index there is no fan-out, so no hole to default: a container
     * without runAsUser fails the walk (as in the plugin). */
    NONE(d, "ka.req.pod.containers.eff_run_as_user", "1");
    close_doc(d);

    d = open_event("create_nginx_pod_privileged_2nd_container.json", 0);
    EXPECT(d, "ka.req.pod.containers.privileged", NULL, "false", "true");
    EXPECT(d, "ka.req.pod.containers.privileged", "0", "false");
    EXPECT(d, "ka.req.container.privileged", NULL, "true");
    close_doc(d);

    d = open_event("create_nginx_pod_unprivileged.json", 0);
    NONE(d, "ka.req.pod.containers.privileged", NULL); /* no securityContext: empty list */
    EXPECT(d, "ka.req.container.privileged", NULL, "false");
    close_doc(d);
}
END_TEST

START_TEST(test_pod_host_network_and_mounts)
{
    struct doc *d = open_event("create_nginx_pod_hostnetwork.json", 0);
    /* hostNetwork is the JSON true: its text. */
    EXPECT(d, "ka.req.pod.host_network", NULL, "true");
    EXPECT(d, "ka.req.container.host_network", NULL, "true");
    EXPECT(d, "ka.req.pod.containers.image", NULL, "nginx");
    close_doc(d);

    d = open_event("create_nginx_pod_nohostnetwork.json", 0);
    NONE(d, "ka.req.pod.host_network", NULL);
    close_doc(d);

    d = open_event("create_nginx_pod_sensitive_mount.json", 0);
    EXPECT(d, "ka.req.pod.volumes.hostpath", NULL, "/etc");
    EXPECT(d, "ka.req.pod.volumes.hostpath", "0", "/etc");
    NONE(d, "ka.req.pod.volumes.hostpath", "1");
    EXPECT(d, "ka.req.volume.hostpath", "/etc", "true");
    EXPECT(d, "ka.req.volume.hostpath", "/et*", "true");
    EXPECT(d, "ka.req.volume.hostpath", "/proc*", "false");
    EXPECT(d, "ka.req.volume.hostpath", "/et", "false");
    EXPECT(d, "ka.req.pod.volumes.volume_type", NULL, "hostPath");
    NONE(d, "ka.req.pod.volumes.flexvolume_driver", NULL);
    close_doc(d);

    d = open_event("create_nginx_pod_sensitive_mount_2nd_container.json", 0);
    EXPECT(d, "ka.req.pod.containers.image", NULL, "nginx", "mysql:latest");
    EXPECT(d, "ka.req.pod.volumes.hostpath", NULL, "/etc");
    close_doc(d);

    /* A get of a pod: no requestObject (null); the pod is in responseObject. */
    d = open_event("create_nginx_pod_unsensitive_mount.json", 0);
    EXPECT(d, "ka.verb", NULL, "get");
    EXPECT(d, "ka.response.code", NULL, "200");
    EXPECT(d, "ka.target.name", NULL, "nginx-deployment-6dfd8b84dc-6dkjc");
    EXPECT(d, "ka.target.pod.name", NULL, "nginx-deployment-6dfd8b84dc-6dkjc");
    NONE(d, "ka.req.pod.volumes.hostpath", NULL);
    NONE(d, "ka.req.volume.hostpath", "/usr/local");
    NONE(d, "ka.req.pod.containers.image", NULL);
    NONE(d, "ka.req.container.privileged", NULL);
    EXPECT(d, "ka.user.name", NULL, "system:node:minikube");
    EXPECT(d, "ka.user.groups", NULL, "system:nodes", "system:authenticated");
    close_doc(d);
}
END_TEST

START_TEST(test_exec_attach)
{
    struct doc *d = open_event("exec_pod.json", 0);
    EXPECT(d, "ka.uri", NULL,
           "/api/v1/namespaces/default/pods/nginx-deployment-7998647bdf-phvq7/exec?command=bash&"
           "container=nginx1&container=nginx1&stdin=true&stdout=true&tty=true");
    EXPECT(d, "ka.uri.param", "command", "bash");
    EXPECT(d, "ka.uri.param", "container", "nginx1"); /* the first of two */
    EXPECT(d, "ka.uri.param", "tty", "true");
    NONE(d, "ka.uri.param", "nope");
    EXPECT(d, "ka.target.subresource", NULL, "exec");
    EXPECT(d, "ka.target.name", NULL, "nginx-deployment-7998647bdf-phvq7");
    NONE(d, "ka.target.pod.name", NULL); /* a subresource */
    EXPECT(d, "ka.response.code", NULL, "101");
    EXPECT(d, "ka.stage", NULL, "ResponseStarted");
    EXPECT(d, "ka.user.name", NULL, "minikube-user");
    EXPECT(d, "ka.user.groups", NULL, "system:masters", "system:authenticated");
    /* requestObject, responseObject and impersonatedUser are null. */
    NONE(d, "ka.req.binding.subjects", NULL);
    NONE(d, "ka.req.binding.subjects.user_names", NULL);
    NONE(d, "ka.req.pod.containers.image", NULL);
    NONE(d, "ka.resp.name", NULL);
    NONE(d, "ka.impuser.name", NULL);
    close_doc(d);

    d = open_event("attach_pod.json", 0);
    EXPECT(d, "ka.target.subresource", NULL, "attach");
    EXPECT(d, "ka.uri.param", "container", "nginx1");
    EXPECT(d, "ka.uri.param", "stderr", "true");
    NONE(d, "ka.uri.param", "command");
    close_doc(d);
}
END_TEST

START_TEST(test_roles)
{
    struct doc *d = open_event("create_cluster_role_pod_exec.json", 0);
    EXPECT(d, "ka.target.resource", NULL, "clusterroles");
    EXPECT(d, "ka.target.name", NULL, "some-reader");
    EXPECT(d, "ka.req.role.rules", NULL,
           "{\"apiGroups\":[\"\"],\"resources\":[\"pods/exec\"],\"verbs\":[\"get\"]}",
           "{\"nonResourceURLs\":[\"/api\",\"/api/*\",\"/apis\",\"/apis/*\",\"/healthz\",\"/openapi\","
           "\"/openapi/*\",\"/swagger-2.0.0.pb-v1\",\"/swagger.json\",\"/swaggerapi\",\"/swaggerapi/*\","
           "\"/version\",\"/version/\"],\"verbs\":[\"get\"]}");
    EXPECT(d, "ka.req.role.rules.verbs", NULL, "get", "get");
    EXPECT(d, "ka.req.role.rules.verbs", "1", "get");
    EXPECT(d, "ka.req.role.rules.resources", NULL, "pods/exec");
    NONE(d, "ka.req.role.rules.resources", "1");
    EXPECT(d, "ka.req.role.rules.apiGroups", NULL, "");
    EXPECT(d, "ka.req.role.rules.nonResourceURLs", "1", "/api", "/api/*", "/apis", "/apis/*",
           "/healthz", "/openapi", "/openapi/*", "/swagger-2.0.0.pb-v1", "/swagger.json",
           "/swaggerapi", "/swaggerapi/*", "/version", "/version/");
    NONE(d, "ka.req.role.rules.verbs", "2");
    NONE(d, "ka.sourceips", NULL); /* no rule has sourceIPs */
    close_doc(d);

    d = open_event("create_cluster_role_wildcard_verbs.json", 0);
    EXPECT(d, "ka.req.role.rules.verbs", NULL, "*", "get");
    EXPECT(d, "ka.req.role.rules.resources", NULL, "pods");
    close_doc(d);

    d = open_event("create_cluster_role_wildcard_resources.json", 0);
    EXPECT(d, "ka.req.role.rules.resources", NULL, "*");
    EXPECT(d, "ka.req.role.rules.verbs", NULL, "get", "list", "get");
    close_doc(d);

    d = open_event("modify_cluster_role_node_problem_detector.json", 0);
    EXPECT(d, "ka.verb", NULL, "patch");
    EXPECT(d, "ka.req.role.rules.verbs", NULL, "get", "patch", "create", "patch", "update", "list");
    EXPECT(d, "ka.req.role.rules.resources", NULL, "nodes", "nodes/status", "events");
    EXPECT(d, "ka.req.role.rules.verbs", "2", "create", "patch", "update", "list");
    close_doc(d);

    /* A delete: requestObject is DeleteOptions, responseObject a Status. */
    d = open_event("delete_clusterrole.json", 0);
    EXPECT(d, "ka.verb", NULL, "delete");
    EXPECT(d, "ka.target.name", NULL, "some-reader");
    NONE(d, "ka.req.role.rules", NULL);
    NONE(d, "ka.req.role.rules.verbs", NULL);
    NONE(d, "ka.resp.name", NULL);
    EXPECT(d, "ka.response.code", NULL, "200");
    close_doc(d);
}
END_TEST

START_TEST(test_bindings)
{
    struct doc *d = open_event("attach_cluster_admin_role.json", 0);
    EXPECT(d, "ka.req.binding.role", NULL, "cluster-admin");
    EXPECT(d, "ka.req.binding.subjects", NULL,
           "{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"User\",\"name\":\"minikube\"}");
    EXPECT(d, "ka.req.binding.subjects.user_names", NULL, "minikube");
    NONE(d, "ka.req.binding.subjects.group_names", NULL);
    NONE(d, "ka.req.binding.subjects.serviceaccount_names", NULL);
    NONE(d, "ka.req.binding.subjects.serviceaccount_ns_names", NULL);
    EXPECT(d, "ka.req.binding.subject.has_name", "nobody", "true");
    EXPECT(d, "ka.resp.name", NULL, "some-reader-binding");
    close_doc(d);

    d = open_event("create_clusterrolebinding.json", 0);
    EXPECT(d, "ka.req.binding.role", NULL, "system:basic-user");
    EXPECT(d, "ka.target.resource", NULL, "clusterrolebindings");
    close_doc(d);

    d = open_event("delete_clusterrolebinding.json", 0);
    NONE(d, "ka.req.binding.role", NULL);
    NONE(d, "ka.req.binding.subjects.user_names", NULL); /* no subjects: empty list */
    close_doc(d);
}
END_TEST

START_TEST(test_configmaps_services_secrets)
{
    struct doc *d = open_event("create_configmap.json", 0);
    EXPECT(d, "ka.req.configmap.name", NULL, "my-config");
    EXPECT(d, "ka.req.configmap.obj", NULL,
           "{\"ui.properties\":\"color.good=purple\\ncolor.bad=yellow\\nallow.textmode=true\\n\"}");
    close_doc(d);

    /* Six documents in one file; the fourth. */
    d = open_event("create_configmap_sensitive_values.json", 3);
    EXPECT(d, "ka.req.configmap.obj", NULL,
           "{\"access.properties\":\"aws-s3-access-key-id = MY-ID\\naws_secret_access_key = MY-KEY\\n\","
           "\"ui.properties\":\"color.good=purple\\ncolor.bad=yellow\\nallow.textmode=true\\n\"}");
    close_doc(d);

    d = open_event("create_nginx_service_nodeport.json", 0);
    EXPECT(d, "ka.req.service.type", NULL, "NodePort");
    /* The walk ends on the ports array: one value, the text of the array. */
    EXPECT(d, "ka.req.service.ports", NULL,
           "[{\"nodePort\":30080,\"port\":80,\"protocol\":\"TCP\",\"targetPort\":80}]");
    EXPECT(d, "ka.req.service.ports", "0",
           "[{\"nodePort\":30080,\"port\":80,\"protocol\":\"TCP\",\"targetPort\":80}]");
    close_doc(d);

    d = open_event("create_nginx_service_nonodeport.json", 0);
    EXPECT(d, "ka.req.service.type", NULL, "ClusterIP");
    close_doc(d);

    d = open_event("create_kube_system_secret.json", 0);
    EXPECT(d, "ka.user.name", NULL, "admin");
    EXPECT(d, "ka.target.namespace", NULL, "kube-system");
    EXPECT(d, "ka.target.name", NULL, "bootstrap-token-ne7bxu");
    EXPECT(d, "ka.useragent", NULL, "kubeadm/v1.16.2 (linux/amd64) kubernetes/c97fe50");
    close_doc(d);

    d = open_event("create_service_account_token_secret.json", 0);
    EXPECT(d, "ka.user.name", NULL, "system:kube-controller-manager");
    EXPECT(d, "ka.user.groups", NULL, "system:authenticated");
    EXPECT(d, "ka.target.namespace", NULL, "test2");
    close_doc(d);

    d = open_event("anonymous_creates_namespace_foo.json", 0);
    EXPECT(d, "ka.user.name", NULL, "system:anonymous");
    EXPECT(d, "ka.target.resource", NULL, "namespaces");
    EXPECT(d, "ka.target.name", NULL, "foo");
    EXPECT(d, "ka.auth.reason", NULL, ""); /* an empty string is a value */
    close_doc(d);
}
END_TEST

START_TEST(test_no_audit_id)
{
    /* fal_01_003.json is {"kind": 0}: not an audit event, nothing extracts,
     * not even the constant has_name. */
    struct doc *d = open_event("fal_01_003.json", 0);
    const struct source_schema *s = k8s();
    for (size_t i = 0; i < s->nfields; i++) {
        struct field_ref f = {.info = &s->fields[i], .arg = "x"};
        struct fvalues out;
        ck_assert(k8s_audit_extract(&d->ev, &f, &d->a, &out));
        ck_assert_msg(out.n == 0, "%s extracted without auditID", s->fields[i].name);
    }
    close_doc(d);

    d = open_json("{\"verb\":\"create\",\"user\":{\"username\":\"u\"},\"requestURI\":\"/a?b=c\"}");
    NONE(d, "ka.verb", NULL);
    NONE(d, "ka.user.name", NULL);
    NONE(d, "ka.uri.param", "b");
    NONE(d, "ka.req.binding.subject.has_name", "x");
    close_doc(d);

    /* A null auditID is present. */
    d = open_json("{\"auditID\":null,\"verb\":\"create\"}");
    EXPECT(d, "ka.verb", NULL, "create");
    EXPECT(d, "ka.auditid", NULL, "null");
    close_doc(d);

    /* Not an object. */
    d = open_json("[{\"auditID\":\"a\",\"verb\":\"create\"}]");
    NONE(d, "ka.verb", NULL);
    close_doc(d);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Quirks on written events. */

START_TEST(test_non_string_values)
{
    struct doc *d = open_json(
        "{\"auditID\":\"a\",\"verb\":7,\"stage\":true,\"userAgent\":null,"
        "\"annotations\":{\"cluster_name\":{\"b\": [1, \"x\"], \"a\":false}},"
        "\"user\":{\"username\":\"u\",\"groups\":[\"g\",3,null,{\"k\":\"v\"}]},"
        "\"responseStatus\":{\"code\":403,\"reason\":\"Forbidden\"},"
        "\"objectRef\":[{\"name\":\"n\"}],"
        "\"impersonatedUser\":{\"username\":\"imp\"},"
        "\"requestObject\":{\"spec\":{\"hostNetwork\":false,\"hostPID\":\"yes\",\"hostIPC\":true,"
        "\"securityContext\":{\"runAsUser\":1000,\"runAsGroup\":2000,\"fsGroup\":3000,"
        "\"supplementalGroups\":[4,5]}}}}");
    EXPECT(d, "ka.verb", NULL, "7");
    EXPECT(d, "ka.stage", NULL, "true");
    EXPECT(d, "ka.useragent", NULL, "null");
    EXPECT(d, "ka.cluster.name", NULL, "{\"b\":[1,\"x\"],\"a\":false}");
    EXPECT(d, "ka.user.groups", NULL, "g", "3", "null", "{\"k\":\"v\"}");
    EXPECT(d, "ka.response.code", NULL, "403");
    EXPECT(d, "ka.response.reason", NULL, "Forbidden");
    NONE(d, "ka.target.name", NULL); /* a path step into an array finds nothing */
    EXPECT(d, "ka.impuser.name", NULL, "imp");
    EXPECT(d, "ka.req.pod.host_network", NULL, "false");
    EXPECT(d, "ka.req.pod.host_pid", NULL, "yes");
    EXPECT(d, "ka.req.pod.host_ipc", NULL, "true");
    EXPECT(d, "ka.req.pod.run_as_user", NULL, "1000");
    EXPECT(d, "ka.req.pod.run_as_group", NULL, "2000");
    EXPECT(d, "ka.req.pod.fs_group", NULL, "3000");
    EXPECT(d, "ka.req.pod.supplemental_groups", NULL, "4", "5");
    close_doc(d);

    /* A list field on a non-array: an error, so not extracted; an empty
     * array: not extracted either. */
    d = open_json("{\"auditID\":\"a\",\"user\":{\"groups\":\"g\"},"
                  "\"requestObject\":{\"rules\":[],\"subjects\":{}}}");
    NONE(d, "ka.user.groups", NULL);
    NONE(d, "ka.req.role.rules", NULL);
    NONE(d, "ka.req.binding.subjects", NULL);
    NONE(d, "ka.req.binding.subjects.user_names", NULL);
    close_doc(d);
}
END_TEST

START_TEST(test_image_repository)
{
    struct doc *d = open_json(
        "{\"auditID\":\"a\",\"requestObject\":{\"spec\":{\"containers\":["
        "{\"name\":\"a\",\"image\":\"registry:5000/app:1.2\"},"
        "{\"name\":\"b\",\"image\":\"docker.io/library/nginx@sha256:abcd\"},"
        "{\"name\":\"c\",\"image\":\"quay.io/org/app\"},"
        "{\"name\":\"d\",\"image\":\"app@sha256:ff:ee\"},"
        "{\"name\":\"e\",\"image\":\"\"}],"
        "\"initContainers\":[{\"name\":\"i\",\"image\":\"init:1\"}],"
        "\"ephemeralContainers\":[{\"name\":\"x\",\"image\":\"debug:latest\"}]}}}");
    /* Cut at the first ':' (8.1), then at the first '@'. */
    EXPECT(d, "ka.req.pod.containers.image.repository", NULL, "registry",
           "docker.io/library/nginx", "quay.io/org/app", "app", "");
    EXPECT(d, "ka.req.pod.containers.image.repository", "3", "app");
    EXPECT(d, "ka.req.container.image.repository", NULL, "registry");
    EXPECT(d, "ka.req.container.image", NULL, "registry:5000/app:1.2");
    EXPECT(d, "ka.req.pod.containers.image", "4", "");
    EXPECT(d, "ka.req.pod.initContainers.image", NULL, "init:1");
    EXPECT(d, "ka.req.pod.initContainers.image.repository", NULL, "init");
    EXPECT(d, "ka.req.pod.initContainers.name", NULL, "i");
    EXPECT(d, "ka.req.pod.ephemeralContainers.image", NULL, "debug:latest");
    EXPECT(d, "ka.req.pod.ephemeralContainers.image.repository", NULL, "debug");
    EXPECT(d, "ka.req.pod.ephemeralContainers.name", "0", "x");
    close_doc(d);

    /* One container without image fails the whole field (8.1), but not the
     * others or a single index that has one. */
    d = open_json("{\"auditID\":\"a\",\"requestObject\":{\"spec\":{\"containers\":["
                  "{\"name\":\"a\",\"image\":\"nginx\"},{\"name\":\"b\"}]}}}");
    NONE(d, "ka.req.pod.containers.image", NULL);
    NONE(d, "ka.req.pod.containers.image.repository", NULL);
    EXPECT(d, "ka.req.pod.containers.image", "0", "nginx");
    NONE(d, "ka.req.pod.containers.image", "1");
    EXPECT(d, "ka.req.container.image", NULL, "nginx");
    EXPECT(d, "ka.req.pod.containers.name", NULL, "a", "b");
    close_doc(d);

    /* ...and the deprecated first-container field needs the first one. */
    d = open_json("{\"auditID\":\"a\",\"requestObject\":{\"spec\":{\"containers\":["
                  "{\"name\":\"b\"},{\"image\":\"nginx\"}]}}}");
    NONE(d, "ka.req.container.image", NULL);
    NONE(d, "ka.req.container.image.repository", NULL);
    NONE(d, "ka.req.pod.containers.name", NULL);
    close_doc(d);

    /* Empty container list: not extracted; deprecated privileged "false". */
    d = open_json("{\"auditID\":\"a\",\"requestObject\":{\"spec\":{\"containers\":[]}}}");
    NONE(d, "ka.req.pod.containers.image", NULL);
    NONE(d, "ka.req.container.image", NULL);
    EXPECT(d, "ka.req.container.privileged", NULL, "false");
    close_doc(d);
}
END_TEST

START_TEST(test_security_context)
{
    struct doc *d = open_json(
        "{\"auditID\":\"a\",\"requestObject\":{\"spec\":{\"runAsUser\":42,"
        "\"securityContext\":{\"runAsUser\":7},"
        "\"containers\":["
        "{\"name\":\"a\",\"runAsUser\":1,\"securityContext\":{\"privileged\":\"true\","
        "\"runAsUser\":100,\"runAsGroup\":200,\"allowPrivilegeEscalation\":true,"
        "\"readOnlyRootFilesystem\":false,\"procMount\":\"Unmasked\","
        "\"capabilities\":{\"add\":[\"NET_ADMIN\",\"SYS_TIME\"]}}},"
        "{\"name\":\"b\",\"securityContext\":{\"capabilities\":{\"drop\":[\"ALL\"]}}},"
        "{\"name\":\"c\",\"runAsGroup\":5,\"securityContext\":{\"capabilities\":{\"add\":[]}}}"
        "]}}}");
    /* privileged is the string "true": listed, but the deprecated field
     * looks for the JSON true. */
    EXPECT(d, "ka.req.pod.containers.privileged", NULL, "true");
    EXPECT(d, "ka.req.container.privileged", NULL, "false");
    EXPECT(d, "ka.req.pod.containers.run_as_user", NULL, "100");
    EXPECT(d, "ka.req.pod.containers.run_as_group", NULL, "200");
    EXPECT(d, "ka.req.pod.containers.allow_privilege_escalation", NULL, "true");
    EXPECT(d, "ka.req.pod.containers.read_only_fs", NULL, "false");
    EXPECT(d, "ka.req.pod.containers.proc_mount", NULL, "Unmasked");
    NONE(d, "ka.req.pod.containers.proc_mount", "1");
    /* Not flattened: each container's add array as JSON text. */
    EXPECT(d, "ka.req.pod.containers.add_capabilities", NULL, "[\"NET_ADMIN\",\"SYS_TIME\"]", "[]");
    EXPECT(d, "ka.req.pod.containers.add_capabilities", "2", "[]");
    NONE(d, "ka.req.pod.containers.add_capabilities", "1");
    /* eff_run_as_*: containers[i].runAsUser (no securityContext level),
     * default spec.runAsUser (42), default "0" (8). */
    EXPECT(d, "ka.req.pod.containers.eff_run_as_user", NULL, "1", "42", "42");
    NONE(d, "ka.req.pod.containers.eff_run_as_user", "1"); /* no fan-out, no default */
    EXPECT(d, "ka.req.pod.containers.eff_run_as_user", "0", "1");
    EXPECT(d, "ka.req.pod.containers.eff_run_as_group", NULL, "0", "0", "5");
    EXPECT(d, "ka.req.pod.run_as_user", NULL, "7");
    close_doc(d);

    /* No containers: eff_* not extracted; deprecated privileged absent (8.1). */
    d = open_json("{\"auditID\":\"a\",\"requestObject\":{\"spec\":{\"runAsUser\":1}}}");
    NONE(d, "ka.req.pod.containers.eff_run_as_user", NULL);
    NONE(d, "ka.req.container.privileged", NULL);
    close_doc(d);
}
END_TEST

START_TEST(test_args_command_ports)
{
    struct doc *d = open_json(
        "{\"auditID\":\"a\",\"requestObject\":{\"spec\":{\"containers\":["
        "{\"name\":\"a\",\"command\":[\"sh\",\"-c\",\"echo hi\"],\"args\":[],"
        "\"ports\":[{\"containerPort\":80},{\"hostPort\":8080,\"containerPort\":80},\"junk\"]},"
        "{\"name\":\"b\",\"args\":[\"--x\",\"y\"],\"ports\":[]},"
        "{\"name\":\"c\",\"command\":[\"run\"],\"ports\":[{\"hostPort\":\"9090\"}]}"
        "],\"initContainers\":[{\"name\":\"i\",\"command\":[\"a\",1]}]}}}");
    EXPECT(d, "ka.req.pod.containers.command", NULL, "sh -c echo hi", "run");
    EXPECT(d, "ka.req.pod.containers.command", "2", "run");
    NONE(d, "ka.req.pod.containers.command", "1");
    EXPECT(d, "ka.req.pod.containers.args", NULL, "", "--x y");
    EXPECT(d, "ka.req.pod.containers.host_port", NULL, "80", "8080", "9090");
    NONE(d, "ka.req.pod.containers.host_port", "1"); /* ports [] */
    /* A non-string command element is an error. */
    NONE(d, "ka.req.pod.initContainers.command", NULL);
    NONE(d, "ka.req.pod.initContainers.args", NULL);
    EXPECT(d, "ka.req.pod.initContainers.eff_run_as_user", NULL, "0");
    close_doc(d);

    d = open_json("{\"auditID\":\"a\",\"requestObject\":{\"spec\":{\"containers\":["
                  "{\"args\":\"--x\",\"ports\":{\"hostPort\":1}}]}}}");
    NONE(d, "ka.req.pod.containers.args", NULL);      /* not an array */
    NONE(d, "ka.req.pod.containers.host_port", NULL); /* not an array */
    close_doc(d);
}
END_TEST

START_TEST(test_volumes)
{
    struct doc *d = open_json(
        "{\"auditID\":\"a\",\"requestObject\":{\"spec\":{\"volumes\":["
        "{\"name\":\"cm\",\"configMap\":{\"name\":\"x\"}},"
        "{\"name\":\"docker\",\"hostPath\":{\"path\":\"/var/run/docker.sock\"}},"
        "{\"name\":\"proc\",\"hostPath\":{\"path\":\"/proc/1\",\"type\":\"\"}},"
        "{\"name\":\"fv\",\"flexVolume\":{\"driver\":\"d1\"},\"hostPath\":{\"type\":\"x\"}}]}}}");
    EXPECT(d, "ka.req.pod.volumes.hostpath", NULL, "/var/run/docker.sock", "/proc/1");
    NONE(d, "ka.req.pod.volumes.hostpath", "0");
    EXPECT(d, "ka.req.pod.volumes.hostpath", "2", "/proc/1");
    /* Key argument: every volume is looked at (8.1), prefix match with '*'. */
    EXPECT(d, "ka.req.volume.hostpath", "/proc*", "true");
    EXPECT(d, "ka.req.volume.hostpath", "/var/run/docker.sock", "true");
    EXPECT(d, "ka.req.volume.hostpath", "/var/run/docker", "false");
    EXPECT(d, "ka.req.volume.hostpath", "*", "true");
    /* Even when the key looks like an index. */
    EXPECT(d, "ka.req.volume.hostpath", "0", "false");
    EXPECT(d, "ka.req.pod.volumes.flexvolume_driver", NULL, "d1");
    EXPECT(d, "ka.req.pod.volumes.volume_type", NULL, "configMap", "hostPath", "hostPath",
           "flexVolume", "hostPath");
    EXPECT(d, "ka.req.pod.volumes.volume_type", "3", "flexVolume", "hostPath");
    NONE(d, "ka.req.pod.volumes.volume_type", "4");
    close_doc(d);

    /* Volumes but no hostPath: "false", not absent. */
    d = open_json("{\"auditID\":\"a\",\"requestObject\":{\"spec\":{\"volumes\":[{\"name\":\"x\"}]}}}");
    EXPECT(d, "ka.req.volume.hostpath", "/proc*", "false");
    NONE(d, "ka.req.pod.volumes.hostpath", NULL);
    close_doc(d);
}
END_TEST

START_TEST(test_subjects)
{
    struct doc *d = open_json(
        "{\"auditID\":\"a\",\"requestObject\":{\"roleRef\":{\"name\":\"admin\"},\"subjects\":["
        "{\"kind\":\"User\",\"name\":\"alice\"},"
        "{\"kind\":\"ServiceAccount\",\"name\":\"sa1\",\"namespace\":\"ns1\"},"
        "{\"kind\":\"ServiceAccount\",\"name\":\"sa2\"},"
        "{\"kind\":\"Group\",\"name\":\"devs\"},"
        "{\"kind\":\"User\"},"
        "{\"name\":\"nokind\"},"
        "{\"kind\":\"User\",\"name\":5},"
        "\"junk\"]}}");
    EXPECT(d, "ka.req.binding.role", NULL, "admin");
    EXPECT(d, "ka.req.binding.subjects.user_names", NULL, "alice", "5");
    EXPECT(d, "ka.req.binding.subjects.serviceaccount_names", NULL, "sa1", "sa2");
    EXPECT(d, "ka.req.binding.subjects.serviceaccount_ns_names", NULL, "ns1:sa1");
    EXPECT(d, "ka.req.binding.subjects.group_names", NULL, "devs");
    struct fvalues all = ex(d, "ka.req.binding.subjects", NULL);
    ck_assert_uint_eq(all.n, 8);
    ck_assert_str_eq(all.v[3].str, "{\"kind\":\"Group\",\"name\":\"devs\"}");
    ck_assert_str_eq(all.v[7].str, "junk"); /* a string element is its text */
    close_doc(d);
}
END_TEST

START_TEST(test_sourceips_reuse_bug)
{
    /* ka.sourceips reads requestObject.rules[*].sourceIPs, not sourceIPs. */
    struct doc *d = open_json(
        "{\"auditID\":\"a\",\"sourceIPs\":[\"10.0.0.1\"],\"requestObject\":{\"rules\":["
        "{\"sourceIPs\":[\"1.2.3.4\",\"5.6.7.8\"]},{\"verbs\":[\"get\"]},{\"sourceIPs\":\"9.9.9.9\"},"
        "{\"sourceIPs\":[\"::1\"]}]}}");
    EXPECT(d, "ka.sourceips", NULL, "1.2.3.4", "5.6.7.8", "::1");
    EXPECT(d, "ka.sourceips", "3", "::1");
    NONE(d, "ka.sourceips", "1");
    close_doc(d);
}
END_TEST

START_TEST(test_uri_param)
{
    struct doc *d;
    struct {
        const char *uri, *key, *want; /* want NULL: not extracted */
    } cases[] = {
        {"/api/v1/pods?watch=true&x=1", "watch", "true"},
        {"/api/v1/pods?watch=true&x=1", "x", "1"},
        {"/api/v1/pods?watch", "watch", ""},
        {"/api/v1/pods?a=b+c%20d&e", "a", "b c d"},
        {"/api/v1/pods?a%3Db=c", "a=b", "c"},
        {"/api/v1/pods?=v", "", "v"},
        {"/api/v1/pods?a=1&&a=2", "a", "1"},
        {"/api/v1/pods?a=1#frag", "a", "1"},
        {"/api/v1/pods?a=1?b=2", "a", "1?b=2"},
        {"/api/v1/pods?", "a", NULL},
        {"/api/v1/pods", "a", NULL},
        /* ParseQuery errors anywhere fail the field. */
        {"/api/v1/pods?a=1;b=2", "a", NULL},
        {"/api/v1/pods?a=1&b=%zz", "a", NULL},
        {"/api/v1/pods?a=1&b=%2", "a", NULL},
        /* url.Parse errors. */
        {"/api/v1/p%zzods?a=1", "a", NULL},
        {"/api/v1/pods?a=1#%zz", "a", NULL},
        {":/x?a=1", "a", NULL},
        {"a:b/c?a=1", "a", "1"}, /* scheme "a", opaque */
        {"1a:b?a=1", "a", NULL}, /* no scheme: colon in the first segment */
        {"//host:80/p?a=1", "a", "1"},
        {"//host:8x/p?a=1", "a", NULL},
        {"//ho st/p?a=1", "a", NULL},
        {"///p?a=1", "a", "1"},
        {"//u:p@host/p?a=1", "a", "1"},
        {"//u^@host/p?a=1", "a", NULL},
        {"//[::1]:443/p?a=1", "a", "1"},
        {"//[::1/p?a=1", "a", NULL},
        {"http://x/y?a=%41", "a", "A"},
        {"*", "a", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[512];
        snprintf(json, sizeof json, "{\"auditID\":\"a\",\"requestURI\":\"%s\"}", cases[i].uri);
        d = open_json(json);
        struct fvalues got = ex(d, "ka.uri.param", cases[i].key);
        if (!cases[i].want) {
            ck_assert_msg(got.n == 0, "%s [%s]: got '%s'", cases[i].uri, cases[i].key,
                          got.n ? got.v[0].str : "");
        } else {
            ck_assert_msg(got.n == 1, "%s [%s]: not extracted", cases[i].uri, cases[i].key);
            ck_assert_msg(strcmp(got.v[0].str, cases[i].want) == 0, "%s [%s]: '%s', want '%s'",
                          cases[i].uri, cases[i].key, got.v[0].str, cases[i].want);
        }
        close_doc(d);
    }
    /* A control character fails url.Parse. */
    d = open_json("{\"auditID\":\"a\",\"requestURI\":\"/p\\u0001?a=1\"}");
    NONE(d, "ka.uri.param", "a");
    close_doc(d);
    /* A non-string requestURI is parsed as its JSON text. */
    d = open_json("{\"auditID\":\"a\",\"requestURI\":12}");
    NONE(d, "ka.uri.param", "a");
    EXPECT(d, "ka.uri", NULL, "12");
    close_doc(d);
}
END_TEST

START_TEST(test_annotations_and_target_pod)
{
    struct doc *d = open_json(
        "{\"auditID\":\"a\",\"annotations\":{"
        "\"authorization.k8s.io/decision\":\"forbid\","
        "\"authentication.openshift.io/decision\":\"allow\","
        "\"authentication.openshift.io/username\":\"osu\","
        "\"validation.policy.admission.k8s.io/validation_failure\":\"[{\\\"message\\\":\\\"m\\\"}]\","
        "\"pod-security.kubernetes.io/audit-violations\":\"would violate\","
        "\"cluster_name\":\"prod\"},"
        "\"objectRef\":{\"resource\":\"pods\",\"subresource\":\"\",\"name\":\"p\"},"
        "\"responseObject\":{\"metadata\":{\"name\":\"pod-1\"}}}");
    EXPECT(d, "ka.auth.decision", NULL, "forbid");
    NONE(d, "ka.auth.reason", NULL);
    EXPECT(d, "ka.auth.openshift.decision", NULL, "allow");
    EXPECT(d, "ka.auth.openshift.username", NULL, "osu");
    EXPECT(d, "ka.validations.admission.policy.failure", NULL, "[{\"message\":\"m\"}]");
    EXPECT(d, "ka.security.pod.violations", NULL, "would violate");
    EXPECT(d, "ka.cluster.name", NULL, "prod");
    /* An empty subresource counts as none. */
    EXPECT(d, "ka.target.pod.name", NULL, "pod-1");
    EXPECT(d, "ka.target.subresource", NULL, "");
    close_doc(d);

    d = open_json("{\"auditID\":\"a\",\"objectRef\":{\"resource\":\"deployments\"},"
                  "\"responseObject\":{\"metadata\":{\"name\":\"dep\"}}}");
    NONE(d, "ka.target.pod.name", NULL);
    EXPECT(d, "ka.resp.name", NULL, "dep");
    close_doc(d);

    /* A non-string subresource reads as "" for this check. */
    d = open_json("{\"auditID\":\"a\",\"objectRef\":{\"resource\":\"pods\",\"subresource\":3},"
                  "\"responseObject\":{\"metadata\":{\"name\":\"p2\"}}}");
    EXPECT(d, "ka.target.pod.name", NULL, "p2");
    EXPECT(d, "ka.target.subresource", NULL, "3");
    close_doc(d);
}
END_TEST

static Suite *k8s_suite(void)
{
    Suite *s = suite_create("k8s_extract");
    TCase *tc = tcase_create("k8s_extract");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_every_field_known);
    tcase_add_test(tc, test_all_fields_all_events);
    tcase_add_test(tc, test_pod_privileged);
    tcase_add_test(tc, test_pod_two_containers);
    tcase_add_test(tc, test_pod_host_network_and_mounts);
    tcase_add_test(tc, test_exec_attach);
    tcase_add_test(tc, test_roles);
    tcase_add_test(tc, test_bindings);
    tcase_add_test(tc, test_configmaps_services_secrets);
    tcase_add_test(tc, test_no_audit_id);
    tcase_add_test(tc, test_non_string_values);
    tcase_add_test(tc, test_image_repository);
    tcase_add_test(tc, test_security_context);
    tcase_add_test(tc, test_args_command_ports);
    tcase_add_test(tc, test_volumes);
    tcase_add_test(tc, test_subjects);
    tcase_add_test(tc, test_sourceips_reuse_bug);
    tcase_add_test(tc, test_uri_param);
    tcase_add_test(tc, test_annotations_and_target_pod);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(k8s_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0;
}
