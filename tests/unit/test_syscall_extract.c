/* test_syscall_extract.c: stoop's synthetic syscall source
 * (plugins/syscall): which events the source takes or skips, and every kind
 * of field lookup (plain, dotted, [arg], ancestors as an array, lists, the
 * evt.* fields of the event and of the generic class), value types and the
 * "not extracted" cases (missing key, wrong JSON type). Extraction goes
 * through source_extract, as the interpreter calls it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "json_fixture.h"
#include "syscall/extract.h"

static void setup(void)
{
    fixture_setup();
}

static void teardown(void)
{
    fixture_teardown();
}

/* A field reference as the checker makes it: name[arg] or name.dotted. */
static struct field_ref ref_of(const char *text)
{
    static char name[256];
    const struct source_schema *s = schema_source("syscall");
    ck_assert_ptr_nonnull(s);
    struct field_ref f = {0};
    snprintf(name, sizeof name, "%s", text);
    char *br = strchr(name, '[');
    if (br) {
        *br = '\0';
        char *end = strrchr(br + 1, ']');
        ck_assert_ptr_nonnull(end);
        *end = '\0';
        f.arg = br + 1;
        char *e;
        unsigned long long idx = strtoull(f.arg, &e, 10);
        if (*f.arg && *e == '\0') {
            f.has_index = true;
            f.index = idx;
        }
    }
    const char *dotted = NULL;
    f.info = schema_lookup(s, name, &dotted);
    ck_assert_msg(f.info != NULL, "no syscall field %s", name);
    if (dotted && *dotted)
        f.dotted = dotted;
    return f;
}

static struct event ev_of(json_ref root)
{
    struct event ev = {.root = root, .num = ++evnum, .source = "syscall", .hostname = "node-1",
                       .input = "-", .ts_ns = syscall_source.timestamp(root)};
    ev.first_ts_ns = ev.ts_ns;
    return ev;
}

static struct fvalues ex(json_ref root, const char *field)
{
    struct field_ref f = ref_of(field);
    struct event ev = ev_of(root);
    struct fvalues out = {(struct fvalue *)1, 99};
    source_extract(&syscall_source, &ev, &f, &arena, &out);
    return out;
}

#define ABSENT(root, field)                                                                    \
    do {                                                                                       \
        struct fvalues v_ = ex((root), (field));                                               \
        ck_assert_msg(v_.n == 0, "%s: %zu values, want none", (field), v_.n);                  \
    } while (0)

static void expect_str(json_ref root, const char *field, const char *want)
{
    struct fvalues v = ex(root, field);
    ck_assert_msg(v.n == 1, "%s: %zu values, want \"%s\"", field, v.n, want);
    ck_assert_msg(v.v[0].len == strlen(want) && memcmp(v.v[0].str, want, v.v[0].len) == 0,
                  "%s: \"%.*s\", want \"%s\"", field, (int)v.v[0].len, v.v[0].str, want);
    ck_assert_msg(v.v[0].str[v.v[0].len] == '\0', "%s: not NUL-terminated", field);
}

static void expect_strs(json_ref root, const char *field, const char *const *want, size_t n)
{
    struct fvalues v = ex(root, field);
    ck_assert_msg(v.n == n, "%s: %zu values, want %zu", field, v.n, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(v.v[i].len == strlen(want[i]) && memcmp(v.v[i].str, want[i], v.v[i].len) == 0,
                      "%s[%zu]: \"%.*s\", want \"%s\"", field, i, (int)v.v[i].len, v.v[i].str,
                      want[i]);
}

static void expect_i(json_ref root, const char *field, int64_t want)
{
    struct fvalues v = ex(root, field);
    ck_assert_msg(v.n == 1, "%s: %zu values", field, v.n);
    ck_assert_int_eq(v.v[0].as.i, want);
}

static void expect_u(json_ref root, const char *field, uint64_t want)
{
    struct fvalues v = ex(root, field);
    ck_assert_msg(v.n == 1, "%s: %zu values", field, v.n);
    ck_assert_uint_eq(v.v[0].as.u, want);
}

static void expect_b(json_ref root, const char *field, bool want)
{
    struct fvalues v = ex(root, field);
    ck_assert_msg(v.n == 1, "%s: %zu values", field, v.n);
    ck_assert_int_eq(v.v[0].as.b, want);
}

/* ---------------------------------------------------------------------- */

static const char open_event[] =
    "{\"ts\": 1700000000123456789, \"evt.type\": \"openat\", \"evt.dir\": \"<\", \"fields\": {"
    "\"proc.name\": \"cat\", \"proc.cmdline\": \"cat /etc/shadow\", \"proc.pid\": 4242,"
    "\"proc.tty\": 34816, \"user.name\": \"root\", \"user.uid\": 0, \"user.loginuid\": -1,"
    "\"fd.name\": \"/etc/shadow\", \"fd.num\": -1, \"fd.typechar\": \"f\","
    "\"evt.is_open_read\": true, \"evt.arg.flags\": \"O_RDONLY|O_CLOEXEC\","
    "\"evt.arg[1]\": \"/etc/shadow\", \"proc.duration\": 7000000000, \"thread.cpu\": 1.5,"
    "\"proc.fdusage\": 2, \"container.id\": \"host\","
    "\"container.mount.dest[/var/run/docker.sock]\": \"/var/run/docker.sock\","
    "\"evt.rawarg.fd\": 3, \"fd.types\": [\"file\", \"ipv4\"],"
    "\"fd.sip\": \"10.96.0.1\", \"fd.rip\": \"fe80::1\", \"fd.snet\": \"169.254.169.254\"}}";

START_TEST(event_fields)
{
    json_ref r = parse(open_event);
    expect_str(r, "evt.type", "openat");
    expect_str(r, "evt.dir", "<");
    expect_str(r, "proc.name", "cat");
    expect_str(r, "proc.cmdline", "cat /etc/shadow");
    expect_str(r, "fd.name", "/etc/shadow");
    expect_str(r, "fd.typechar", "f");
    expect_str(r, "container.id", "host");
    expect_i(r, "proc.pid", 4242);
    expect_i(r, "fd.num", -1);
    expect_i(r, "user.loginuid", -1);
    expect_u(r, "proc.tty", 34816);
    expect_u(r, "user.uid", 0);
    expect_u(r, "proc.duration", 7000000000ull);
    expect_b(r, "evt.is_open_read", true);
    /* DOUBLE: any JSON number, its bits in as.u. */
    double d;
    struct fvalues v = ex(r, "thread.cpu");
    ck_assert_uint_eq(v.n, 1);
    memcpy(&d, &v.v[0].as.u, sizeof d);
    ck_assert(d == 1.5);
    v = ex(r, "proc.fdusage");
    ck_assert_uint_eq(v.n, 1);
    memcpy(&d, &v.v[0].as.u, sizeof d);
    ck_assert(d == 2.0);
}
END_TEST

START_TEST(arguments)
{
    json_ref r = parse(open_event);
    expect_str(r, "evt.arg.flags", "O_RDONLY|O_CLOEXEC"); /* dotted */
    expect_str(r, "evt.arg[1]", "/etc/shadow");           /* index */
    ABSENT(r, "evt.arg[0]");
    ABSENT(r, "evt.arg.name");
    expect_str(r, "container.mount.dest[/var/run/docker.sock]", "/var/run/docker.sock");
    ABSENT(r, "container.mount.dest[/proc*]");
    /* evt.rawarg.<param> has the parameter's type: fd is an FD (signed). */
    expect_i(r, "evt.rawarg.fd", 3);
    /* evt.type.is.<name>: 1 or 0. */
    expect_u(r, "evt.type.is.openat", 1);
    expect_u(r, "evt.type.is.open", 0);
}
END_TEST

START_TEST(ip_and_lists)
{
    json_ref r = parse(open_event);
    struct fvalues v = ex(r, "fd.sip");
    ck_assert_uint_eq(v.n, 1);
    ck_assert_uint_eq(v.v[0].as.ip.family, 4);
    static const uint8_t sip[4] = {10, 96, 0, 1};
    ck_assert(memcmp(v.v[0].as.ip.addr, sip, 4) == 0);
    v = ex(r, "fd.rip");
    ck_assert_uint_eq(v.n, 1);
    ck_assert_uint_eq(v.v[0].as.ip.family, 6);
    ck_assert_uint_eq(v.v[0].as.ip.addr[0], 0xfe);
    ck_assert_uint_eq(v.v[0].as.ip.addr[15], 1);
    v = ex(r, "fd.snet"); /* a network field holds the address it matches */
    ck_assert_uint_eq(v.n, 1);
    ck_assert_uint_eq(v.v[0].as.ip.addr[0], 169);
    static const char *const types[] = {"file", "ipv4"};
    expect_strs(r, "fd.types", types, 2);

    r = parse("{\"evt.type\": \"connect\", \"fields\": {\"fd.types\": \"file\","
              "\"fd.sip\": \"10.0.0.300\", \"fd.cip\": \"not an ip\", \"fd.lip\": 167772161}}");
    static const char *const one[] = {"file"};
    expect_strs(r, "fd.types", one, 1); /* a list field takes one bare value too */
    ABSENT(r, "fd.sip");
    ABSENT(r, "fd.cip");
    ABSENT(r, "fd.lip");
    r = parse("{\"evt.type\": \"connect\", \"fields\": {\"fd.types\": [\"file\", 3]}}");
    ABSENT(r, "fd.types"); /* one bad element spoils the list */
    r = parse("{\"evt.type\": \"connect\", \"fields\": {\"fd.types\": []}}");
    ABSENT(r, "fd.types");
}
END_TEST

START_TEST(wrong_types_and_missing)
{
    json_ref r = parse("{\"evt.type\": \"execve\", \"fields\": {\"proc.name\": 12,"
                       "\"proc.pid\": \"12\", \"proc.tty\": -1, \"user.loginuid\": 1.5,"
                       "\"evt.is_open_read\": \"true\", \"proc.cmdline\": [\"bash\"],"
                       "\"fd.num\": null, \"thread.cpu\": \"1.5\", \"proc.exe\": {}}}");
    ABSENT(r, "proc.name");    /* a number for a string field */
    ABSENT(r, "proc.pid");     /* a string for a number */
    ABSENT(r, "proc.tty");     /* a negative number for an unsigned field */
    ABSENT(r, "user.loginuid");/* a fraction for an integer field */
    ABSENT(r, "evt.is_open_read");
    ABSENT(r, "proc.cmdline"); /* an array for a scalar field */
    ABSENT(r, "fd.num");
    ABSENT(r, "thread.cpu");
    ABSENT(r, "proc.exe");
    ABSENT(r, "proc.pname");   /* missing */
    expect_str(r, "evt.type", "execve");
    expect_str(r, "evt.dir", "<"); /* the default */

    r = parse("{\"evt.type\": \"execve\"}"); /* no "fields" at all */
    ABSENT(r, "proc.name");
    ABSENT(r, "proc.aname");
    ABSENT(r, "proc.aname[1]");
    expect_str(r, "evt.type", "execve");
}
END_TEST

START_TEST(ancestors)
{
    json_ref r = parse("{\"evt.type\": \"execve\", \"fields\": {\"proc.name\": \"sh\","
                       "\"proc.pid\": 300, \"proc.aname\": [\"nginx\", \"containerd-shim\", \"systemd\"],"
                       "\"proc.apid\": [200, 100, 1], \"proc.aname[3]\": \"init\"}}");
    static const char *const all[] = {"nginx", "containerd-shim", "systemd"};
    expect_strs(r, "proc.aname", all, 3);          /* every ancestor */
    expect_str(r, "proc.aname[0]", "sh");           /* the process itself */
    expect_str(r, "proc.aname[1]", "nginx");        /* the parent */
    expect_str(r, "proc.aname[2]", "containerd-shim");
    expect_str(r, "proc.aname[3]", "init");         /* "proc.aname[3]" wins over the array */
    ABSENT(r, "proc.aname[4]");
    expect_i(r, "proc.apid[0]", 300);
    expect_i(r, "proc.apid[2]", 100);
    struct fvalues v = ex(r, "proc.apid");
    ck_assert_uint_eq(v.n, 3);
    ck_assert_int_eq(v.v[2].as.i, 1);
    ABSENT(r, "proc.aexe[1]");

    r = parse("{\"evt.type\": \"execve\", \"fields\": {\"proc.aname\": \"bash\","
              "\"proc.aname[2]\": \"sshd\"}}");
    static const char *const one[] = {"bash"};
    expect_strs(r, "proc.aname", one, 1);
    ABSENT(r, "proc.aname[1]"); /* the array form needs an array */
    expect_str(r, "proc.aname[2]", "sshd");
    ABSENT(r, "proc.aname[0]"); /* no proc.name */
}
END_TEST

START_TEST(generic_class)
{
    json_ref r = parse(open_event);
    struct field_ref f = ref_of("evt.num");
    struct event ev = ev_of(r);
    ev.num = 17;
    struct fvalues out;
    ck_assert(source_extract(&syscall_source, &ev, &f, &arena, &out));
    ck_assert_uint_eq(out.n, 1);
    ck_assert_uint_eq(out.v[0].as.u, 17);
    expect_u(r, "evt.rawtime", 1700000000123456789ull);
    expect_u(r, "evt.rawtime.s", 1700000000ull);
    expect_str(r, "evt.time.iso8601", "2023-11-14T22:13:20.123456789Z");
    expect_str(r, "evt.source", "syscall");
    expect_str(r, "evt.hostname", "node-1");
    expect_b(r, "evt.is_async", false);
    /* Not generic for this source: read from "fields" like the rest. */
    ABSENT(r, "evt.pluginname");
    ABSENT(r, "evt.res");
    /* The json plugin's fields see the whole event. */
    const struct source_schema *s = schema_source("syscall");
    const char *dotted = NULL;
    struct field_ref j = {.info = schema_lookup(s, "json.value", &dotted), .arg = "/fields/proc.name"};
    ck_assert_ptr_nonnull(j.info);
    ck_assert(source_extract(&syscall_source, &ev, &j, &arena, &out));
    ck_assert_uint_eq(out.n, 1);
    ck_assert(out.v[0].len == 3 && memcmp(out.v[0].str, "cat", 3) == 0);
}
END_TEST

START_TEST(direction)
{
    json_ref r = parse("{\"evt.type\": \"procexit\", \"evt.dir\": \">\"}");
    expect_str(r, "evt.dir", ">");
    r = parse("{\"evt.type\": \"openat\", \"evt.dir\": 1}");
    ABSENT(r, "evt.dir");
}
END_TEST

START_TEST(field_known)
{
    json_ref r = parse(open_event);
    ck_assert(syscall_field_known(ref_of("proc.name").info));
    const char *dotted;
    const struct field_info *ka = schema_lookup(schema_source("k8s_audit"), "ka.verb", &dotted);
    ck_assert_ptr_nonnull(ka);
    ck_assert(!syscall_field_known(ka));
    struct field_ref f = {.info = ka};
    struct event ev = ev_of(r);
    struct fvalues out;
    ck_assert(!syscall_extract(&ev, &f, &arena, &out));
    ck_assert_uint_eq(out.n, 0);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* What the source takes. */

static size_t nemitted;
static void count_emit(void *ctx, json_ref e)
{
    (void)ctx;
    (void)e;
    nemitted++;
}

static const char *rejected(const char *text)
{
    json_ref r = parse(text);
    const char *why = NULL;
    bool quiet = true;
    bool rej = syscall_source.reject(r, &why, &quiet);
    ck_assert(!quiet);
    if (!rej)
        return NULL;
    ck_assert_ptr_nonnull(why);
    return why;
}

START_TEST(reject)
{
    ck_assert_ptr_null(rejected(open_event));
    ck_assert_ptr_null(rejected("{\"evt.type\": \"close\"}"));
    ck_assert_ptr_null(rejected("{\"evt.type\": \"procexit\", \"evt.dir\": \">\"}"));
    ck_assert_ptr_null(rejected("{\"evt.type\": \"open\", \"evt.dir\": \">\", \"fields\": {}}"));
    ck_assert_str_eq(rejected("{\"fields\": {}}"), "not a syscall event: no string \"evt.type\"");
    ck_assert_str_eq(rejected("{\"evt.type\": 3}"), "not a syscall event: no string \"evt.type\"");
    ck_assert_str_eq(rejected("{\"evt.type\": \"opne\"}"),
                     "unknown event type in \"evt.type\" (not in Falco's event table)");
    ck_assert_str_eq(rejected("{\"evt.type\": \"open\\u0000x\"}"),
                     "unknown event type in \"evt.type\" (not in Falco's event table)");
    ck_assert_str_eq(rejected("{\"evt.type\": \"open\", \"evt.dir\": \"x\"}"),
                     "\"evt.dir\" is not \">\" or \"<\"");
    ck_assert_str_eq(rejected("{\"evt.type\": \"close\", \"evt.dir\": \">\"}"),
                     "\"evt.dir\": this event type has no enter form (\">\")");
    ck_assert_str_eq(rejected("{\"evt.type\": \"procexit\", \"evt.dir\": \"<\"}"),
                     "\"evt.dir\": this event type has no exit form (\"<\")");
    ck_assert_str_eq(rejected("{\"evt.type\": \"procexit\"}"),
                     "\"evt.dir\" missing: this event type has only an enter form (\">\")");
    ck_assert_str_eq(rejected("{\"evt.type\": \"open\", \"ts\": -1}"),
                     "\"ts\" is not a non-negative integer (ns since the epoch)");
    ck_assert_str_eq(rejected("{\"evt.type\": \"open\", \"ts\": \"1700000000\"}"),
                     "\"ts\" is not a non-negative integer (ns since the epoch)");
    ck_assert_str_eq(rejected("{\"evt.type\": \"open\", \"fields\": []}"),
                     "\"fields\" is not an object");
    ck_assert_str_eq(rejected("[]"), "not a syscall event: not a JSON object");
}
END_TEST

START_TEST(decode)
{
    const char *why = NULL;
    nemitted = 0;
    ck_assert(syscall_source.decode(parse(open_event), count_emit, NULL, &why));
    ck_assert_uint_eq(nemitted, 1);
    nemitted = 0;
    ck_assert(syscall_source.decode(parse("[{\"evt.type\": \"open\"}, {\"evt.type\": \"close\"}, 3]"),
                                    count_emit, NULL, &why));
    ck_assert_uint_eq(nemitted, 3); /* reject() sorts the elements out */
    ck_assert(!syscall_source.decode(parse("\"openat\""), count_emit, NULL, &why));
    ck_assert_str_eq(why, "not a syscall event: not a JSON object");
    ck_assert_uint_eq(syscall_source.timestamp(parse(open_event)), 1700000000123456789ull);
    ck_assert_uint_eq(syscall_source.timestamp(parse("{\"evt.type\": \"open\"}")), 0);
    ck_assert_ptr_eq(source_plugin_find("syscall"), &syscall_source);
    ck_assert(syscall_source.extracts_evt);
    ck_assert_ptr_nonnull(syscall_event_info(parse(open_event)));
    ck_assert_str_eq(syscall_event_info(parse(open_event))->name, "openat");
}
END_TEST

static Suite *syscall_suite(void)
{
    Suite *s = suite_create("syscall_extract");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, event_fields);
    tcase_add_test(tc, arguments);
    tcase_add_test(tc, ip_and_lists);
    tcase_add_test(tc, wrong_types_and_missing);
    tcase_add_test(tc, ancestors);
    tcase_add_test(tc, generic_class);
    tcase_add_test(tc, direction);
    tcase_add_test(tc, field_known);
    tcase_add_test(tc, reject);
    tcase_add_test(tc, decode);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(syscall_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
