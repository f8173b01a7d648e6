/* test_schema.c: the field schemas (plugins/<source>/fields.def), the event
 * table (plugins/syscall/events.def), their lookups and `stoopc fields`. */
#include <check.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "commands.h"
#include "schema.h"
#include "util.h"

#ifndef STOOP_SHARED_DIR
#define STOOP_SHARED_DIR "../shared"
#endif

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* falco-fields.md 7.2: every field the official syscall rulesets reference (90). */
static const char *const used_syscall[] = {
    "evt.type",
    "proc.name",
    "proc.cmdline",
    "proc.pname",
    "proc.aname",
    "proc.args",
    "fd.name",
    "evt.num",
    "user.name",
    "container.id",
    "user.uid",
    "proc.tty",
    "proc.exepath",
    "fd.typechar",
    "container.image.repository",
    "proc.pcmdline",
    "user.loginuid",
    "fd.num",
    "evt.arg.flags",
    "proc.pexe",
    "proc.exe",
    "fd.directory",
    "evt.arg.request",
    "evt.res",
    "evt.is_open_read",
    "thread.cap_effective",
    "fd.l4proto",
    "proc.cwd",
    "evt.rawres",
    "fd.type",
    "evt.is_open_write",
    "evt.arg.target",
    "fd.nameraw",
    "evt.arg.oldpath",
    "fd.net",
    "k8s.ns.name",
    "fd.ip",
    "fd.sport",
    "fd.connected",
    "fd.filename",
    "fd.name_changed",
    "fd.sip.name",
    "fd.snet",
    "container.privileged",
    "evt.arg.domain",
    "fd.lport",
    "fd.rport",
    "proc.duration",
    "proc.is_exe_from_memfd",
    "proc.is_exe_upper_layer",
    "container.start_ts",
    "group.gid",
    "group.name",
    "proc.pexepath",
    "proc.sname",
    "user.loginname",
    "evt.arg.newpath",
    "fd.sip",
    "evt.arg.linkpath",
    "evt.args",
    "proc.aexepath",
    "proc.exe_ino.ctime",
    "proc.exe_ino.ctime_duration_proc_start",
    "proc.exe_ino.mtime",
    "evt.arg.path",
    "container.mount.dest",
    "thread.cap_permitted",
    "evt.arg.name",
    "evt.arg.uid",
    "evt.arg.mode",
    "proc.vpid",
    "evt.arg.cmd",
    "proc.env",
    "evt.arg.filename",
    "evt.buffer",
    "evt.is_open_exec",
    "fd.cip",
    "fd.cip.name",
    "fd.cnet",
    "fd.port",
    "fd.rnet",
    "fd.sockfamily",
    "k8s.pod.name",
    "proc.aexe",
    "proc.is_vpgid_leader",
    "container.mounts",
    "evt.arg.fd",
    "fd.lip.name",
    "fd.rip",
    "fd.rip.name",
};
/* falco-fields.md: k8s_audit fields with a usage count in the official rules. */
static const char *const used_k8s_audit[] = {
    "ka.auth.decision",
    "ka.auth.reason",
    "ka.user.name",
    "ka.verb",
    "ka.uri",
    "ka.uri.param",
    "ka.target.name",
    "ka.target.namespace",
    "ka.target.resource",
    "ka.target.subresource",
    "ka.req.binding.subjects",
    "ka.req.binding.role",
    "ka.req.configmap.name",
    "ka.req.configmap.obj",
    "ka.req.pod.containers.image",
    "ka.req.pod.containers.image.repository",
    "ka.req.pod.host_ipc",
    "ka.req.pod.host_network",
    "ka.req.pod.host_pid",
    "ka.req.pod.containers.privileged",
    "ka.req.role.rules",
    "ka.req.role.rules.verbs",
    "ka.req.role.rules.resources",
    "ka.req.service.type",
    "ka.req.service.ports",
    "ka.req.pod.volumes.hostpath",
    "ka.resp.name",
    "ka.response.code",
    "ka.response.reason",
    "ka.req.pod.initContainers.image",
    "ka.req.pod.initContainers.privileged",
    "ka.req.pod.ephemeralContainers.image",
    "ka.req.pod.ephemeralContainers.privileged",
};
/* falco-fields.md: aws_cloudtrail fields with a usage count in the official rules. */
static const char *const used_aws_cloudtrail[] = {
    "ct.id",
    "ct.error",
    "ct.src",
    "ct.name",
    "ct.user",
    "ct.user.identitytype",
    "ct.user.principalid",
    "ct.user.arn",
    "ct.region",
    "ct.response.subnetid",
    "ct.response.reservationid",
    "ct.request.availabilityzone",
    "ct.request.cluster",
    "ct.request.functionname",
    "ct.request.groupname",
    "ct.request.host",
    "ct.request.name",
    "ct.request.policy",
    "ct.request.serialnumber",
    "ct.request.servicename",
    "ct.request.taskdefinition",
    "ct.request.username",
    "ct.srcip",
    "s3.bucket",
};
/* falco-fields.md: github fields with a usage count in the official rules. */
static const char *const used_github[] = {
    "github.type",
    "github.action",
    "github.user",
    "github.repo.url",
    "github.repo.name",
    "github.org",
    "github.owner",
    "github.repo.public",
    "github.collaborator.name",
    "github.collaborator.role",
    "github.webhook.id",
    "github.webhook.type",
    "github.diff.has_secrets",
    "github.diff.committed_secrets.desc",
    "github.diff.committed_secrets.files",
    "github.diff.committed_secrets.lines",
    "github.diff.committed_secrets.links",
    "github.workflow.has_miners",
    "github.workflow.filename",
};
/* falco-fields.md: okta fields with a usage count in the official rules. */
static const char *const used_okta[] = {
    "okta.evt.type",
    "okta.actor.name",
    "okta.client.ip",
    "okta.client.geo.country",
    "okta.reason",
    "okta.target.user.name",
    "okta.target.group.name",
    "okta.target.app.alternateid",
    "okta.mfa.failure.countlast",
    "okta.mfa.deny.countlast",
};

static const struct source_schema *src(const char *name)
{
    const struct source_schema *s = schema_source(name);
    ck_assert_msg(s != NULL, "source %s", name);
    return s;
}

static const struct field_info *get(const char *source, const char *name)
{
    const char *dotted = "unset";
    const struct field_info *f = schema_lookup(src(source), name, &dotted);
    ck_assert_msg(f != NULL, "%s: field %s not found", source, name);
    ck_assert_msg(dotted == NULL, "%s: %s exact match has dotted", source, name);
    ck_assert_str_eq(f->name, name);
    return f;
}

static void absent(const char *source, const char *name)
{
    const char *dotted = "unset";
    ck_assert_msg(schema_lookup(src(source), name, &dotted) == NULL, "%s: %s should not resolve",
                  source, name);
    ck_assert_ptr_null(dotted);
}

#define ARGMASK (FF_ARG_REQUIRED | FF_ARG_ALLOWED | FF_ARG_INDEX | FF_ARG_KEY | FF_ARG_DOTTED)

/* ---- sources ---- */

START_TEST(test_sources)
{
    size_t n = 0;
    const struct source_schema *const *all = schema_sources(&n);
    ck_assert_uint_eq(n, 6);
    const char *names[] = {"syscall", "k8s_audit", "aws_cloudtrail", "github", "okta", "json"};
    for (size_t i = 0; i < COUNT(names); i++) {
        ck_assert_ptr_eq(schema_source(names[i]), all[i]);
        ck_assert_str_eq(all[i]->name, names[i]);
    }
    ck_assert_ptr_null(schema_source("nope"));
    ck_assert_ptr_null(schema_source("Syscall"));
    ck_assert_ptr_null(schema_source(NULL));
    ck_assert_str_eq(src("k8s_audit")->plugin, "k8saudit");
    ck_assert_str_eq(src("aws_cloudtrail")->plugin, "cloudtrail");
    ck_assert_ptr_null(src("syscall")->plugin);
    ck_assert_uint_eq(src("syscall")->nfields, 294);
    ck_assert_uint_eq(src("k8s_audit")->nfields, 100);
}
END_TEST

/* Every table: sane rows, consistent argument flags, no duplicate names in
 * the union of a source's tables. */
START_TEST(test_table_invariants)
{
    size_t n;
    const struct source_schema *const *all = schema_sources(&n);
    for (size_t s = 0; s < n; s++) {
        size_t ntab = 1 + all[s]->nextra;
        for (size_t t = 0; t < ntab; t++) {
            const struct source_schema *tab = t ? all[s]->extra[t - 1] : all[s];
            for (size_t i = 0; i < tab->nfields; i++) {
                const struct field_info *f = &tab->fields[i];
                ck_assert_msg(f->name && *f->name && strchr(f->name, '.'), "bad name");
                ck_assert_msg((unsigned)f->type < FT_COUNT, "%s: bad type", f->name);
                ck_assert_msg(f->desc && *f->desc, "%s: no desc", f->name);
                unsigned a = f->flags & ARGMASK;
                bool req = a & FF_ARG_REQUIRED, opt = a & FF_ARG_ALLOWED;
                bool kinds = a & (FF_ARG_INDEX | FF_ARG_KEY | FF_ARG_DOTTED);
                ck_assert_msg(!(req && opt), "%s: required and allowed", f->name);
                ck_assert_msg((req || opt) == kinds, "%s: arg flags without kind or vice versa",
                              f->name);
                ck_assert_msg(!(f->flags & ~0x0FFFu), "%s: unknown flag", f->name);
                /* the name must resolve to this very row */
                ck_assert_ptr_eq(schema_lookup(all[s], f->name, NULL), f);
                for (size_t u = 0; u <= t; u++) {
                    const struct source_schema *tab2 = u ? all[s]->extra[u - 1] : all[s];
                    size_t lim = u == t ? i : tab2->nfields;
                    for (size_t j = 0; j < lim; j++)
                        ck_assert_msg(strcmp(tab2->fields[j].name, f->name) != 0,
                                      "%s: duplicate %s", all[s]->name, f->name);
                }
            }
        }
    }
}
END_TEST

/* ---- syscall ---- */

START_TEST(test_syscall_fields)
{
    const struct field_info *f = get("syscall", "proc.name");
    ck_assert_int_eq(f->type, FT_CHARBUF);
    ck_assert_uint_eq(f->flags, 0);
    ck_assert_ptr_null(f->path);

    f = get("syscall", "proc.aname");
    ck_assert_int_eq(f->type, FT_CHARBUF);
    ck_assert_uint_eq(f->flags, FF_ARG_ALLOWED | FF_ARG_INDEX | FF_NO_RHS | FF_NO_TRANSFORMER |
                                    FF_ANCESTOR);
    const char *anc[] = {"proc.aname", "proc.apid", "proc.aexe", "proc.aexepath", "proc.acmdline",
                         "proc.aenv"};
    for (size_t i = 0; i < COUNT(anc); i++) {
        f = get("syscall", anc[i]);
        ck_assert_msg(f->flags & FF_ANCESTOR, "%s ancestor", anc[i]);
        ck_assert_msg(f->flags & FF_ARG_ALLOWED, "%s arg", anc[i]);
        ck_assert_msg(f->flags & FF_NO_RHS, "%s no rhs", anc[i]);
    }
    ck_assert_int_eq(get("syscall", "proc.apid")->type, FT_INT64);
    ck_assert(!(get("syscall", "proc.pname")->flags & FF_ANCESTOR));
    ck_assert_uint_eq(get("syscall", "proc.env")->flags, FF_ARG_ALLOWED | FF_ARG_KEY);
    ck_assert_uint_eq(get("syscall", "proc.args")->flags & ARGMASK, FF_ARG_ALLOWED | FF_ARG_INDEX);

    ck_assert_int_eq(get("syscall", "user.uid")->type, FT_UINT32);
    ck_assert_int_eq(get("syscall", "user.loginuid")->type, FT_INT64);
    ck_assert_int_eq(get("syscall", "fd.num")->type, FT_INT64);
    ck_assert_int_eq(get("syscall", "fd.sport")->type, FT_PORT);
    ck_assert_int_eq(get("syscall", "proc.duration")->type, FT_RELTIME);
    ck_assert_int_eq(get("syscall", "evt.rawtime")->type, FT_ABSTIME);
    ck_assert_int_eq(get("syscall", "evt.is_open_read")->type, FT_BOOL);
    ck_assert_int_eq(get("syscall", "evt.buffer")->type, FT_BYTEBUF);
    ck_assert_int_eq(get("syscall", "evt.num")->type, FT_UINT64);
    ck_assert_int_eq(get("syscall", "evt.hostname")->type, FT_CHARBUF);

    f = get("syscall", "fd.net");
    ck_assert_int_eq(f->type, FT_IPNET);
    ck_assert_uint_eq(f->flags, FF_FILTER_ONLY | FF_NO_RHS | FF_NO_TRANSFORMER);
    f = get("syscall", "fd.ip");
    ck_assert_int_eq(f->type, FT_IPADDR);
    ck_assert(f->flags & FF_FILTER_ONLY);
    ck_assert_int_eq(get("syscall", "fd.sip")->type, FT_IPADDR);
    ck_assert_uint_eq(get("syscall", "fd.sip")->flags, 0);
    ck_assert_uint_eq(get("syscall", "fd.sip.name")->flags, FF_NO_RHS | FF_NO_TRANSFORMER);
    f = get("syscall", "fd.types");
    ck_assert(f->flags & FF_IS_LIST);
    ck_assert(f->flags & FF_ARG_ALLOWED);
    ck_assert_uint_eq(get("syscall", "thread.cgroup")->flags, FF_ARG_REQUIRED | FF_ARG_KEY);

    f = get("syscall", "evt.around");
    ck_assert_uint_eq(f->flags, FF_ARG_REQUIRED | FF_ARG_INDEX | FF_FILTER_ONLY | FF_NO_RHS |
                                    FF_NO_TRANSFORMER);
    f = get("syscall", "evt.rawarg");
    ck_assert_int_eq(f->type, FT_DYN);
    ck_assert(f->flags & FF_NO_RHS);
    ck_assert(f->flags & FF_ARG_DOTTED);

    /* deprecated and hidden */
    const char *dep[] = {"evt.dir", "evt.latency", "evt.latency.s", "evt.latency.ns",
                         "evt.latency.human", "evt.wait_latency"};
    for (size_t i = 0; i < COUNT(dep); i++)
        ck_assert_msg(get("syscall", dep[i])->flags & FF_DEPRECATED, "%s deprecated", dep[i]);
    ck_assert(!(get("syscall", "evt.type")->flags & FF_DEPRECATED));
    ck_assert(get("syscall", "evt.outputtime")->flags & FF_HIDDEN);
    ck_assert(get("syscall", "thread.nametid")->flags & FF_HIDDEN);
    ck_assert(!(get("syscall", "thread.tid")->flags & FF_HIDDEN));

    /* container plugin */
    f = get("syscall", "container.mount.dest");
    ck_assert_int_eq(f->type, FT_CHARBUF);
    ck_assert_uint_eq(f->flags, FF_ARG_REQUIRED | FF_ARG_INDEX | FF_ARG_KEY);
    ck_assert_uint_eq(get("syscall", "container.label")->flags, FF_ARG_REQUIRED | FF_ARG_KEY);
    ck_assert_uint_eq(get("syscall", "k8s.pod.label")->flags, FF_ARG_REQUIRED | FF_ARG_KEY);
    ck_assert_int_eq(get("syscall", "container.privileged")->type, FT_BOOL);
    ck_assert_int_eq(get("syscall", "container.start_ts")->type, FT_ABSTIME);
    ck_assert_int_eq(get("syscall", "container.duration")->type, FT_RELTIME);
    get("syscall", "k8s.ns.name");
    get("syscall", "proc.is_container_healthcheck");

    /* syscall has no fields of the source plugins, but the json plugin
     * (which declares no sources) is offered to it */
    absent("syscall", "ka.user.name");
    absent("syscall", "ct.name");
    ck_assert_int_eq(get("syscall", "json.value")->flags & FF_ARG_REQUIRED, FF_ARG_REQUIRED);
}
END_TEST

START_TEST(test_dotted)
{
    const struct source_schema *s = src("syscall");
    const char *dotted = NULL;
    const struct field_info *f = schema_lookup(s, "evt.arg.flags", &dotted);
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(f->name, "evt.arg");
    ck_assert_str_eq(dotted, "flags");

    f = schema_lookup(s, "evt.rawarg.res", &dotted);
    ck_assert_str_eq(f->name, "evt.rawarg");
    ck_assert_str_eq(dotted, "res");

    f = schema_lookup(s, "evt.type.is.open", &dotted);
    ck_assert_str_eq(f->name, "evt.type.is");
    ck_assert_str_eq(dotted, "open");
    f = schema_lookup(s, "evt.type.is.3", &dotted);
    ck_assert_str_eq(f->name, "evt.type.is");
    ck_assert_str_eq(dotted, "3");

    f = schema_lookup(s, "evt.abspath.src", &dotted);
    ck_assert_str_eq(f->name, "evt.abspath");
    ck_assert_str_eq(dotted, "src");
    f = schema_lookup(s, "evt.abspath.dst", &dotted);
    ck_assert_str_eq(dotted, "dst");

    /* a dotted suffix with dots in it stays whole */
    f = schema_lookup(s, "evt.arg.a.b", &dotted);
    ck_assert_str_eq(f->name, "evt.arg");
    ck_assert_str_eq(dotted, "a.b");

    /* exact full-name matches win */
    f = schema_lookup(s, "evt.args", &dotted);
    ck_assert_str_eq(f->name, "evt.args");
    ck_assert_ptr_null(dotted);
    f = schema_lookup(s, "evt.type", &dotted);
    ck_assert_str_eq(f->name, "evt.type");
    ck_assert_ptr_null(dotted);
    f = schema_lookup(s, "evt.type.is", &dotted);
    ck_assert_str_eq(f->name, "evt.type.is");
    ck_assert_ptr_null(dotted);
    f = schema_lookup(s, "evt.arg", &dotted);
    ck_assert_str_eq(f->name, "evt.arg");
    ck_assert_ptr_null(dotted);

    /* dotted pointer may be NULL */
    ck_assert_ptr_nonnull(schema_lookup(s, "evt.arg.fd", NULL));

    /* no partial matches */
    absent("syscall", "evt.arg.");
    absent("syscall", "evt.argx");
    absent("syscall", "evt.argsx");
    absent("syscall", "proc.namex");
    absent("syscall", "proc.name.x");
    absent("syscall", "proc.nam");
    absent("syscall", "proc");
    absent("syscall", "");
    absent("syscall", "evt.type.x");
    absent("syscall", "PROC.NAME");
    /* evt.arg is syscall only */
    absent("k8s_audit", "evt.arg.flags");
    absent("k8s_audit", "evt.type");
    ck_assert_ptr_null(schema_lookup(NULL, "proc.name", &dotted));
    ck_assert_ptr_null(dotted);
}
END_TEST

/* ---- plugin sources ---- */

START_TEST(test_k8s_audit)
{
    const struct field_info *f = get("k8s_audit", "ka.user.name");
    ck_assert_int_eq(f->type, FT_CHARBUF);
    ck_assert_uint_eq(f->flags, 0);
    ck_assert_str_eq(f->path, "user.username");

    f = get("k8s_audit", "ka.req.pod.containers.image");
    ck_assert_uint_eq(f->flags, FF_IS_LIST | FF_ARG_ALLOWED | FF_ARG_INDEX);
    f = get("k8s_audit", "ka.req.pod.containers.image.repository");
    ck_assert_uint_eq(f->flags, FF_IS_LIST | FF_ARG_ALLOWED | FF_ARG_INDEX);
    ck_assert_uint_eq(get("k8s_audit", "ka.user.groups")->flags, FF_IS_LIST);
    ck_assert_uint_eq(get("k8s_audit", "ka.uri.param")->flags, FF_ARG_REQUIRED | FF_ARG_KEY);
    ck_assert_uint_eq(get("k8s_audit", "ka.req.volume.hostpath")->flags,
                      FF_ARG_REQUIRED | FF_ARG_KEY);
    ck_assert_uint_eq(get("k8s_audit", "ka.req.role.rules.verbs")->flags,
                      FF_IS_LIST | FF_ARG_ALLOWED | FF_ARG_INDEX);
    ck_assert_uint_eq(get("k8s_audit", "ka.req.pod.host_network")->flags, 0);
    ck_assert_str_eq(get("k8s_audit", "ka.auth.decision")->path,
                     "annotations[\"authorization.k8s.io/decision\"]");

    /* generic evt.* and json.* are offered too */
    ck_assert_int_eq(get("k8s_audit", "evt.num")->type, FT_UINT64);
    ck_assert_int_eq(get("k8s_audit", "evt.time")->type, FT_CHARBUF);
    ck_assert_int_eq(get("k8s_audit", "evt.rawtime")->type, FT_ABSTIME);
    get("k8s_audit", "evt.source");
    get("k8s_audit", "evt.hostname");
    f = get("k8s_audit", "json.value");
    ck_assert_int_eq(f->type, FT_CHARBUF);
    ck_assert_uint_eq(f->flags, FF_ARG_REQUIRED | FF_ARG_KEY);
    ck_assert_uint_eq(get("k8s_audit", "jevt.value")->flags, FF_ARG_REQUIRED | FF_ARG_KEY);
    ck_assert_uint_eq(get("k8s_audit", "jevt.obj")->flags, 0);
    get("k8s_audit", "json.obj");
    get("k8s_audit", "json.rawtime");
    get("k8s_audit", "jevt.rawtime");

    absent("k8s_audit", "proc.name");
    absent("k8s_audit", "evt.dir");
    absent("k8s_audit", "ka.user");
    absent("k8s_audit", "ka.user.namex");
    absent("k8s_audit", "ct.name");
}
END_TEST

START_TEST(test_cloudtrail)
{
    const struct field_info *f = get("aws_cloudtrail", "ct.name");
    ck_assert_int_eq(f->type, FT_CHARBUF);
    ck_assert_str_eq(f->path, "eventName");
    ck_assert_int_eq(get("aws_cloudtrail", "s3.bytes")->type, FT_UINT64);
    ck_assert(get("aws_cloudtrail", "s3.cnt.get")->flags & FF_HIDDEN);
    ck_assert(get("aws_cloudtrail", "ct.time")->flags & FF_HIDDEN);
    ck_assert_uint_eq(get("aws_cloudtrail", "ec2.imageids")->flags,
                      FF_IS_LIST | FF_ARG_ALLOWED | FF_ARG_INDEX);
    get("aws_cloudtrail", "ecr.repository");
    get("aws_cloudtrail", "ecr.imagetag");
    get("aws_cloudtrail", "iam.role");
    get("aws_cloudtrail", "json.value");
    get("aws_cloudtrail", "evt.num");

    const char *alias[][2] = {
        {"aws.eventSource", "ct.src"}, {"aws.eventName", "ct.name"}, {"aws.user", "ct.user"},
        {"aws.sourceIP", "ct.srcip"},  {"aws.region", "ct.region"},  {"aws.errorCode", "ct.error"},
    };
    for (size_t i = 0; i < COUNT(alias); i++) {
        const struct field_info *a = get("aws_cloudtrail", alias[i][0]);
        const struct field_info *c = get("aws_cloudtrail", alias[i][1]);
        ck_assert_int_eq(a->type, c->type);
        ck_assert_uint_eq(a->flags, c->flags);
        ck_assert_str_eq(a->path, c->path);
    }
    absent("aws_cloudtrail", "aws.eventsource");
    absent("aws_cloudtrail", "ka.verb");
}
END_TEST

START_TEST(test_github_okta)
{
    ck_assert_int_eq(get("github", "github.type")->type, FT_CHARBUF);
    ck_assert_str_eq(get("github", "github.user")->path, "sender.login");
    get("github", "github.diff.committed_secrets.links");
    get("github", "json.value");
    absent("github", "github.types");

    const struct field_info *f = get("okta", "okta.actor.Type");
    ck_assert_int_eq(f->type, FT_CHARBUF);
    absent("okta", "okta.actor.type");
    absent("okta", "OKTA.actor.Type");
    ck_assert_int_eq(get("okta", "okta.security.asnumber")->type, FT_UINT64);
    f = get("okta", "okta.mfa.failure.countlast");
    ck_assert_int_eq(f->type, FT_UINT64);
    ck_assert_uint_eq(f->flags, FF_ARG_REQUIRED | FF_ARG_INDEX);
    ck_assert_uint_eq(get("okta", "okta.targets.displayName")->flags,
                      FF_ARG_ALLOWED | FF_ARG_INDEX);
    get("okta", "evt.time");

    /* the json pseudo-source: json fields + generic */
    get("json", "json.value");
    get("json", "evt.num");
    absent("json", "ka.verb");
}
END_TEST

/* ---- field names ---- */

START_TEST(test_field_names)
{
    size_t n, nsrc;
    const struct source_schema *const *all = schema_sources(&nsrc);
    for (size_t s = 0; s < nsrc; s++) {
        const char *const *names = schema_field_names(all[s], &n);
        ck_assert_ptr_nonnull(names);
        ck_assert_ptr_null(names[n]);
        size_t total = 0, hidden = 0;
        for (size_t t = 0; t < 1 + all[s]->nextra; t++) {
            const struct source_schema *tab = t ? all[s]->extra[t - 1] : all[s];
            total += tab->nfields;
            for (size_t i = 0; i < tab->nfields; i++)
                hidden += (tab->fields[i].flags & FF_HIDDEN) != 0;
        }
        ck_assert_uint_eq(n, total - hidden);
        for (size_t i = 0; i < n; i++) {
            const struct field_info *f = schema_lookup(all[s], names[i], NULL);
            ck_assert_ptr_nonnull(f);
            ck_assert(!(f->flags & FF_HIDDEN));
        }
        /* cached */
        size_t n2;
        ck_assert_ptr_eq(schema_field_names(all[s], &n2), names);
        ck_assert_uint_eq(n2, n);
    }
    const char *const *names = schema_field_names(src("syscall"), &n);
    bool saw_proc_name = false, saw_outputtime = false;
    for (size_t i = 0; i < n; i++) {
        saw_proc_name |= strcmp(names[i], "proc.name") == 0;
        saw_outputtime |= strcmp(names[i], "evt.outputtime") == 0;
    }
    ck_assert(saw_proc_name);
    ck_assert(!saw_outputtime);
    names = schema_field_names(src("k8s_audit"), &n);
    bool saw_json = false, saw_evt = false;
    for (size_t i = 0; i < n; i++) {
        saw_json |= strcmp(names[i], "json.value") == 0;
        saw_evt |= strcmp(names[i], "evt.num") == 0;
    }
    ck_assert(saw_json && saw_evt);
    ck_assert_ptr_null(schema_field_names(NULL, &n));
    ck_assert_uint_eq(n, 0);
}
END_TEST

/* ---- events ---- */

START_TEST(test_events)
{
    size_t n = schema_event_count();
    ck_assert_uint_eq(n, 451);
    for (size_t i = 0; i < n; i++) {
        const struct event_info *e = schema_event(i);
        ck_assert_ptr_nonnull(e);
        ck_assert_uint_eq(e->code, i);
        ck_assert_ptr_eq(schema_event_by_name(e->name), e);
        ck_assert(e->dirs & (ED_ENTER | ED_EXIT));
        ck_assert(!(e->dirs & ~(ED_ENTER | ED_EXIT)));
        for (size_t p = 0; e->params[p]; p++) {
            ck_assert((unsigned)e->param_types[p] < FT_COUNT);
            for (size_t q = 0; q < p; q++)
                ck_assert_str_ne(e->params[p], e->params[q]);
        }
    }
    ck_assert_ptr_null(schema_event(n));

    const struct event_info *e = schema_event_by_name("open");
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->code, 0);
    ck_assert_uint_eq(e->dirs, ED_ENTER | ED_EXIT);
    ck_assert_int_eq(e->category, EC_SYSCALL);
    const char *open_params[] = {"name", "flags", "mode", "fd", "dev", "ino"};
    for (size_t i = 0; i < COUNT(open_params); i++)
        ck_assert_str_eq(e->params[i], open_params[i]);
    ck_assert_ptr_null(e->params[COUNT(open_params)]);
    ck_assert_int_eq(e->param_types[0], FT_FSPATH);
    ck_assert_int_eq(e->param_types[1], FT_FLAGS32);

    e = schema_event_by_name("execve");
    ck_assert_ptr_nonnull(e);
    bool has_filename = false;
    for (size_t p = 0; e->params[p]; p++)
        has_filename |= strcmp(e->params[p], "filename") == 0;
    ck_assert(has_filename);

    ck_assert_int_eq(schema_event_by_name("switch")->category, EC_TRACEPOINT);
    ck_assert_int_eq(schema_event_by_name("pluginevent")->category, EC_PLUGIN);
    ck_assert_int_eq(schema_event_by_name("asyncevent")->category, EC_META);
    ck_assert_int_eq(schema_event_by_name("container")->category, EC_META);
    ck_assert_ptr_nonnull(schema_event_by_name("procexit"));
    ck_assert_ptr_null(schema_event_by_name("some_invalid_event"));
    ck_assert_ptr_null(schema_event_by_name("OPEN"));
    ck_assert_ptr_null(schema_event_by_name(""));
    ck_assert_ptr_null(schema_event_by_name(NULL));

    /* every evt.type value of the official rules (falco-fields.md 7.1) */
    const char *used[] = {"connect", "dup", "dup2", "dup3", "execve", "execveat", "finit_module",
                          "init_module", "link", "linkat", "open", "openat", "openat2", "ptrace",
                          "sendmsg", "sendto", "socket", "symlink", "symlinkat", "accept",
                          "accept4", "bpf", "chmod", "creat", "fchmod", "fchmodat", "listen",
                          "rename", "renameat", "renameat2", "rmdir", "setns", "setuid", "unlink",
                          "unlinkat", "unshare", "mkdir", "mkdirat", "recvfrom", "recvmsg",
                          "userfaultfd"};
    for (size_t i = 0; i < COUNT(used); i++)
        ck_assert_msg(schema_event_by_name(used[i]) != NULL, "event %s", used[i]);

    /* parameters (evt.arg.<name>) */
    ck_assert(schema_event_param_exists("flags"));
    const char *params[] = {"cmd", "domain", "fd", "filename", "flags", "linkpath", "mode",
                            "name", "newpath", "oldpath", "path", "request", "target", "uid",
                            "res", "data"};
    for (size_t i = 0; i < COUNT(params); i++)
        ck_assert_msg(schema_event_param_exists(params[i]), "param %s", params[i]);
    ck_assert(!schema_event_param_exists("nonexistent_param"));
    ck_assert(!schema_event_param_exists("FLAGS"));
    ck_assert(!schema_event_param_exists(""));
    enum field_type t;
    ck_assert(schema_event_param_type("flags", &t));
    ck_assert_int_eq(t, FT_FLAGS32);
    ck_assert(schema_event_param_type("name", &t));
    ck_assert_int_eq(t, FT_FSPATH);
    ck_assert(schema_event_param_type("res", &t));
    ck_assert_int_eq(t, FT_ERRNO);
    ck_assert(!schema_event_param_type("nonexistent_param", &t));
}
END_TEST

/* ---- built-in plugins ---- */

START_TEST(test_builtin_plugins_list)
{
    size_t n;
    const struct builtin_plugin *p = schema_builtin_plugins(&n);
    const char *names[] = {"k8saudit", "k8saudit-eks", "k8saudit-gke", "k8saudit-aks",
                           "k8saudit-ovh", "cloudtrail", "github", "okta", "json", "container"};
    ck_assert_uint_eq(n, COUNT(names));
    for (size_t i = 0; i < COUNT(names); i++) {
        const struct builtin_plugin *b = schema_builtin_plugin(names[i]);
        ck_assert_msg(b != NULL, "plugin %s", names[i]);
        ck_assert(b >= p && b < p + n);
        ck_assert_ptr_nonnull(b->version);
        if (b->source)
            ck_assert_ptr_nonnull(schema_source(b->source));
    }
    ck_assert_str_eq(schema_builtin_plugin("k8saudit-gke")->source, "k8s_audit");
    ck_assert_str_eq(schema_builtin_plugin("cloudtrail")->source, "aws_cloudtrail");
    ck_assert_ptr_null(schema_builtin_plugin("nope"));
}
END_TEST

/* ---- the official rules files ---- */

static bool parse_semver(const char *s, unsigned v[3])
{
    return sscanf(s, "%u.%u.%u", &v[0], &v[1], &v[2]) == 3;
}

/* Loads every YAML document of a file and calls fn on each mapping node. */
typedef void (*mapping_fn)(yaml_document_t *doc, yaml_node_t *map, void *ctx);

static const char *map_scalar(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        if (k && v && k->type == YAML_SCALAR_NODE && v->type == YAML_SCALAR_NODE &&
            strcmp((const char *)k->data.scalar.value, key) == 0)
            return (const char *)v->data.scalar.value;
    }
    return NULL;
}

static void walk_yaml(const char *path, mapping_fn fn, void *ctx)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "open %s", path);
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    for (;;) {
        yaml_document_t doc;
        ck_assert_msg(yaml_parser_load(&parser, &doc), "YAML error in %s", path);
        if (!yaml_document_get_root_node(&doc)) {
            yaml_document_delete(&doc);
            break;
        }
        for (yaml_node_t *node = doc.nodes.start; node < doc.nodes.top; node++)
            if (node->type == YAML_MAPPING_NODE)
                fn(&doc, node, ctx);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    fclose(f);
}

static void check_required_version(yaml_document_t *doc, yaml_node_t *map, void *ctx)
{
    int *checked = ctx;
    const char *name = map_scalar(doc, map, "name");
    const char *version = map_scalar(doc, map, "version");
    if (!name || !version)
        return;
    const struct builtin_plugin *b = schema_builtin_plugin(name);
    ck_assert_msg(b != NULL, "rules require unknown plugin %s", name);
    unsigned req[3], have[3];
    ck_assert(parse_semver(version, req));
    ck_assert(parse_semver(b->version, have));
    ck_assert_msg(have[0] == req[0], "%s: major %u vs %u", name, have[0], req[0]);
    ck_assert_msg(have[1] > req[1] || (have[1] == req[1] && have[2] >= req[2]),
                  "%s: %s < required %s", name, b->version, version);
    (*checked)++;
}

static const char *const rules_files[][2] = {
    {"falco_rules.yaml", "syscall"},
    {"falco-incubating_rules.yaml", "syscall"},
    {"falco-sandbox_rules.yaml", "syscall"},
    {"falco-deprecated_rules.yaml", "syscall"},
    {"application_rules.yaml", "syscall"},
    {"k8s_audit_rules.yaml", "k8s_audit"},
    {"k8s_audit_rules_gke.yaml", "k8s_audit"},
    {"aws_cloudtrail_rules.yaml", "aws_cloudtrail"},
    {"github.yaml", "github"},
    {"okta_rules.yaml", "okta"},
};

static char *rules_path(const char *file)
{
    return xasprintf("%s/peer/rules/%s", STOOP_SHARED_DIR, file);
}

START_TEST(test_builtin_plugin_versions)
{
    int checked = 0;
    for (size_t i = 0; i < COUNT(rules_files); i++) {
        char *path = rules_path(rules_files[i][0]);
        if (access(path, R_OK) == 0)
            walk_yaml(path, check_required_version, &checked);
        free(path);
    }
    ck_assert_msg(checked >= 10, "only %d plugin requirements found", checked);
}
END_TEST

/* Field-name prefixes worth checking in the rules text. */
static bool field_prefix(const char *tok, size_t len)
{
    static const char *const prefixes[] = {
        "evt.", "proc.", "thread.", "fd.", "fdlist.", "fs.path.", "user.", "group.", "container.",
        "k8s.", "syscall.", "util.", "ka.", "jevt.", "json.", "ct.", "s3.", "ec2.", "ecr.", "iam.",
        "aws.", "github.", "okta.",
    };
    for (size_t i = 0; i < COUNT(prefixes); i++) {
        size_t pl = strlen(prefixes[i]);
        if (len > pl && strncmp(tok, prefixes[i], pl) == 0)
            return true;
    }
    return false;
}

static bool name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.';
}

struct scan_ctx {
    const struct source_schema *src;
    const char *file;
    int found, failed;
};

static void check_token(struct scan_ctx *c, const char *tok, size_t len)
{
    while (len && tok[len - 1] == '.')
        len--;
    if (!field_prefix(tok, len))
        return;
    char *name = xstrndup(tok, len);
    /* %container.info is an output placeholder, not a field */
    if (strcmp(name, "container.info") != 0) {
        const char *dotted = NULL;
        const struct field_info *f = schema_lookup(c->src, name, &dotted);
        if (!f) {
            fprintf(stderr, "%s: field %s does not resolve for source %s\n", c->file, name,
                    c->src->name);
            c->failed++;
        } else if (dotted && strcmp(f->name, "evt.arg") == 0 && !schema_event_param_exists(dotted)) {
            fprintf(stderr, "%s: unknown event argument %s\n", c->file, dotted);
            c->failed++;
        }
        c->found++;
    }
    free(name);
}

/* Conditions: every dotted identifier outside quotes and not part of a path
 * or URL; outputs: every %field token. */
static void scan_text(struct scan_ctx *c, const char *s, bool output)
{
    char quote = 0;
    for (size_t i = 0; s[i];) {
        char ch = s[i];
        if (!output && quote) {
            if (ch == quote)
                quote = 0;
            i++;
            continue;
        }
        if (!output && (ch == '"' || ch == '\'')) {
            quote = ch;
            i++;
            continue;
        }
        if (output) {
            if (ch != '%') {
                i++;
                continue;
            }
            i++;
            size_t j = i;
            while (name_char(s[j]))
                j++;
            check_token(c, s + i, j - i);
            i = j;
            continue;
        }
        bool start = isalpha((unsigned char)ch) &&
                     (i == 0 || !(name_char(s[i - 1]) || s[i - 1] == '/' || s[i - 1] == '-' ||
                                  s[i - 1] == ':' || s[i - 1] == '*' || s[i - 1] == '@'));
        if (!start) {
            i++;
            continue;
        }
        size_t j = i;
        while (name_char(s[j]))
            j++;
        char next = s[j];
        if (next != '/' && next != '-' && next != ':' && next != '*' && next != '@')
            check_token(c, s + i, j - i);
        i = j;
    }
}

static void scan_mapping(yaml_document_t *doc, yaml_node_t *map, void *ctx)
{
    struct scan_ctx *c = ctx;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        if (!k || !v || k->type != YAML_SCALAR_NODE)
            continue;
        const char *key = (const char *)k->data.scalar.value;
        if (v->type == YAML_SCALAR_NODE && strcmp(key, "condition") == 0)
            scan_text(c, (const char *)v->data.scalar.value, false);
        else if (v->type == YAML_SCALAR_NODE && strcmp(key, "output") == 0)
            scan_text(c, (const char *)v->data.scalar.value, true);
        else if (strcmp(key, "fields") == 0) {
            if (v->type == YAML_SCALAR_NODE)
                scan_text(c, (const char *)v->data.scalar.value, false);
            else if (v->type == YAML_SEQUENCE_NODE)
                for (yaml_node_item_t *it = v->data.sequence.items.start;
                     it < v->data.sequence.items.top; it++) {
                    yaml_node_t *iv = yaml_document_get_node(doc, *it);
                    if (iv && iv->type == YAML_SCALAR_NODE)
                        scan_text(c, (const char *)iv->data.scalar.value, false);
                }
        }
    }
}

START_TEST(test_rules_fields_resolve)
{
    int total = 0, failed = 0, files = 0;
    for (size_t i = 0; i < COUNT(rules_files); i++) {
        char *path = rules_path(rules_files[i][0]);
        if (access(path, R_OK) == 0) {
            struct scan_ctx c = {src(rules_files[i][1]), rules_files[i][0], 0, 0};
            walk_yaml(path, scan_mapping, &c);
            ck_assert_msg(c.found > 0, "%s: no fields found", rules_files[i][0]);
            total += c.found;
            failed += c.failed;
            files++;
        }
        free(path);
    }
    ck_assert_msg(files > 0, "no rules files under %s/peer/rules", STOOP_SHARED_DIR);
    ck_assert_msg(failed == 0, "%d of %d field references do not resolve", failed, total);
}
END_TEST

static void check_list(const char *source, const char *const *names, size_t n)
{
    const struct source_schema *s = src(source);
    for (size_t i = 0; i < n; i++) {
        const char *dotted = NULL;
        const struct field_info *f = schema_lookup(s, names[i], &dotted);
        ck_assert_msg(f != NULL, "%s: %s", source, names[i]);
        if (dotted) {
            ck_assert_str_eq(f->name, "evt.arg");
            ck_assert_msg(schema_event_param_exists(dotted), "param %s", dotted);
        } else {
            ck_assert(!(f->flags & FF_HIDDEN));
        }
    }
}

START_TEST(test_used_fields_resolve)
{
    ck_assert_uint_eq(COUNT(used_syscall), 90);
    check_list("syscall", used_syscall, COUNT(used_syscall));
    check_list("k8s_audit", used_k8s_audit, COUNT(used_k8s_audit));
    check_list("aws_cloudtrail", used_aws_cloudtrail, COUNT(used_aws_cloudtrail));
    check_list("github", used_github, COUNT(used_github));
    check_list("okta", used_okta, COUNT(used_okta));
    const char *json[] = {"json.value", "jevt.value"};
    check_list("k8s_audit", json, COUNT(json));
    check_list("aws_cloudtrail", json, COUNT(json));
}
END_TEST

/* ---- stoopc fields ---- */

/* Runs cmd_fields with stdout/stderr captured into files; returns the exit code. */
static int run_fields(char **out, char **err, int argc, char **argv)
{
    char outp[] = "/tmp/stoop_fields_outXXXXXX", errp[] = "/tmp/stoop_fields_errXXXXXX";
    int ofd = mkstemp(outp), efd = mkstemp(errp);
    ck_assert(ofd >= 0 && efd >= 0);
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    dup2(ofd, 1);
    dup2(efd, 2);
    int rc = cmd_fields(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    close(ofd);
    close(efd);
    size_t len;
    *out = read_file(outp, &len);
    *err = read_file(errp, &len);
    unlink(outp);
    unlink(errp);
    ck_assert(*out && *err);
    return rc;
}

START_TEST(test_cmd_fields)
{
    char *out, *err;
    char *a1[] = {"fields", "--source", "k8s_audit"};
    ck_assert_int_eq(run_fields(&out, &err, 3, a1), 0);
    ck_assert_ptr_nonnull(strstr(out, "k8s_audit"));
    ck_assert_ptr_nonnull(strstr(out, "ka.req.pod.containers.image"));
    ck_assert_ptr_nonnull(strstr(out, "json.value"));
    ck_assert_ptr_nonnull(strstr(out, "evt.num"));
    ck_assert_ptr_null(strstr(out, "proc.name"));
    ck_assert_str_eq(err, "");
    free(out);
    free(err);

    char *a2[] = {"fields", "--source", "syscall", "--json"};
    ck_assert_int_eq(run_fields(&out, &err, 4, a2), 0);
    ck_assert(out[0] == '[');
    ck_assert_ptr_nonnull(strstr(out, "{\"source\":\"syscall\",\"table\":\"syscall\","
                                      "\"name\":\"proc.aname\",\"type\":\"CHARBUF\","
                                      "\"is_list\":false,\"arg\":\"index\",\"arg_required\":false,"
                                      "\"flags\":[\"no_rhs\",\"no_transformer\",\"ancestor\"],"
                                      "\"desc\":\"Ancestor Name\"}"));
    ck_assert_ptr_nonnull(strstr(out, "\"name\":\"evt.arg\",\"type\":\"CHARBUF\",\"is_list\":false,"
                                      "\"arg\":\"index|dotted\",\"arg_required\":true"));
    ck_assert_ptr_null(strstr(out, "evt.outputtime"));
    ck_assert_ptr_null(strstr(out, "ka.user.name"));
    free(out);
    free(err);

    char *a3[] = {"fields", "--json", "--all"};
    ck_assert_int_eq(run_fields(&out, &err, 3, a3), 0);
    ck_assert_ptr_nonnull(strstr(out, "evt.outputtime"));
    ck_assert_ptr_nonnull(strstr(out, "\"source\":\"okta\""));
    ck_assert_ptr_nonnull(strstr(out, "\"path\":\"annotations[\\\"authorization.k8s.io/decision\\\"]\""));
    free(out);
    free(err);

    char *a4[] = {"fields", "--source", "nope"};
    ck_assert_int_eq(run_fields(&out, &err, 3, a4), 2);
    ck_assert_str_eq(out, "");
    ck_assert_ptr_nonnull(strstr(err, "nope"));
    free(out);
    free(err);

    char *a5[] = {"fields", "--bogus"};
    ck_assert_int_eq(run_fields(&out, &err, 2, a5), 2);
    free(out);
    free(err);

    char *a6[] = {"fields", "--source"};
    ck_assert_int_eq(run_fields(&out, &err, 2, a6), 2);
    free(out);
    free(err);

    char *a7[] = {"fields"};
    ck_assert_int_eq(run_fields(&out, &err, 1, a7), 0);
    ck_assert_ptr_nonnull(strstr(out, "Event source: syscall"));
    ck_assert_ptr_nonnull(strstr(out, "Event source: okta"));
    free(out);
    free(err);
}
END_TEST

static Suite *schema_suite(void)
{
    Suite *s = suite_create("schema");
    TCase *tc = tcase_create("schema");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_sources);
    tcase_add_test(tc, test_table_invariants);
    tcase_add_test(tc, test_syscall_fields);
    tcase_add_test(tc, test_dotted);
    tcase_add_test(tc, test_k8s_audit);
    tcase_add_test(tc, test_cloudtrail);
    tcase_add_test(tc, test_github_okta);
    tcase_add_test(tc, test_field_names);
    tcase_add_test(tc, test_events);
    tcase_add_test(tc, test_builtin_plugins_list);
    tcase_add_test(tc, test_builtin_plugin_versions);
    tcase_add_test(tc, test_rules_fields_resolve);
    tcase_add_test(tc, test_used_fields_resolve);
    tcase_add_test(tc, test_cmd_fields);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(schema_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0;
}
