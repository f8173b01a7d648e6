/* generic/extract.c: the generic evt.* class libsinsp offers every plugin
 * source (falco-fields.md 1), computed from the event's own time and
 * stoop's bookkeeping:
 *   evt.num             the event's number in the run (1 for the first)
 *   evt.time            local HH:MM:SS.nnnnnnnnn, evt.time.s HH:MM:SS
 *   evt.datetime        local YYYY-MM-DD HH:MM:SS.nnnnnnnnn, .s without ns
 *   evt.time.iso8601    UTC YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ
 *   evt.rawtime         ns since the epoch; .s seconds, .ns the ns part
 *   evt.reltime         ns since the run's first event; .s, .ns likewise
 *   evt.source          the source name, evt.pluginname the Falco plugin's
 *   evt.plugininfo      what the plugin's String() gives: the event JSON
 *                       (k8saudit, okta, github, json), CloudTrail's one-line
 *                       "region user src name info" summary
 *   evt.is_async        false; evt.asynctype absent (no async events)
 *   evt.hostname        the host name of the run
 * Local time follows libsinsp: the UTC offset is the one in force when the
 * run started (gmt2local(0)), applied to every event. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../extractors.h"

#define NS 1000000000ull

static long utc_offset_s;
static pthread_once_t offset_once = PTHREAD_ONCE_INIT;

static void compute_offset(void)
{
    time_t now = time(NULL);
    struct tm lt;
    if (localtime_r(&now, &lt))
        utc_offset_s = lt.tm_gmtoff;
}

static struct fvalue *one(struct arena *a, struct fvalues *out)
{
    struct fvalue *v = arena_alloc(a, sizeof *v);
    memset(v, 0, sizeof *v);
    out->v = v;
    out->n = 1;
    return v;
}

static bool put_str(struct arena *a, struct fvalues *out, const char *s, size_t n)
{
    struct fvalue *v = one(a, out);
    v->str = s;
    v->len = n;
    return true;
}

static bool put_copy(struct arena *a, struct fvalues *out, const char *s, size_t n)
{
    return put_str(a, out, arena_strndup(a, s, n), n);
}

static bool put_u64(struct arena *a, struct fvalues *out, uint64_t u)
{
    one(a, out)->as.u = u;
    return true;
}

/* libsinsp ts_to_string: local time of day, optionally with the date. */
static bool put_local(struct arena *a, struct fvalues *out, uint64_t ts, bool date, bool ns)
{
    pthread_once(&offset_once, compute_offset);
    int64_t local = (int64_t)(ts / NS) + utc_offset_s;
    int64_t s = local % 86400;
    if (s < 0)
        s += 86400;
    char buf[64];
    int n = 0;
    if (date) {
        time_t day = (time_t)(local - s);
        struct tm tm;
        if (gmtime_r(&day, &tm))
            n = snprintf(buf, sizeof buf, "%04d-%02d-%02d ", tm.tm_year + 1900, tm.tm_mon + 1,
                         tm.tm_mday);
        else
            n = snprintf(buf, sizeof buf, "<date error> ");
    }
    if (ns)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "%02d:%02d:%02d.%09u", (int)(s / 3600),
                      (int)(s % 3600 / 60), (int)(s % 60), (unsigned)(ts % NS));
    else
        n += snprintf(buf + n, sizeof buf - (size_t)n, "%02d:%02d:%02d", (int)(s / 3600),
                      (int)(s % 3600 / 60), (int)(s % 60));
    return put_copy(a, out, buf, (size_t)n);
}

static bool put_iso8601(struct arena *a, struct fvalues *out, uint64_t ts)
{
    time_t sec = (time_t)(ts / NS);
    struct tm tm;
    char buf[64];
    if (!gmtime_r(&sec, &tm))
        return false;
    int n = snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     (unsigned)(ts % NS));
    return put_copy(a, out, buf, (size_t)n);
}

static const char *plugin_name(const struct source_plugin *sp)
{
    const struct source_schema *s = schema_source(sp->name);
    return s && s->plugin ? s->plugin : sp->name;
}

/* Extracts a field of sp's own table by name, for evt.plugininfo. */
static bool own_field(const struct source_plugin *sp, const struct event *ev, const char *name,
                      struct arena *a, const char **s, size_t *n)
{
    const struct source_schema *schema = schema_source(sp->name);
    const char *dotted = NULL;
    const struct field_info *fi = schema ? schema_lookup(schema, name, &dotted) : NULL;
    struct fvalues vals = {0};
    if (!fi || !sp->extract)
        return false;
    struct field_ref ref = {.info = fi};
    if (!sp->extract(ev, &ref, a, &vals) || vals.n == 0)
        return false;
    *s = vals.v[0].str;
    *n = vals.v[0].len;
    return *s != NULL;
}

static bool member_str(json_ref obj, const char *key, const char **s, size_t *n)
{
    json_ref v;
    return json_object_get(obj, key, strlen(key), &v) && json_get_string(v, s, n);
}

/* The cloudtrail plugin's String(): "<region>[ <user>] <src> <name> <info>",
 * src without its ".amazonaws.com"; nothing if a part is missing. */
static bool cloudtrail_info(const struct source_plugin *sp, const struct event *ev,
                            struct arena *a, struct fvalues *out)
{
    const char *src, *region, *name, *user = NULL, *info = NULL;
    size_t nsrc, nregion, nname, nuser = 0, ninfo = 0;
    if (!member_str(ev->root, "eventSource", &src, &nsrc) ||
        !member_str(ev->root, "awsRegion", &region, &nregion) ||
        !member_str(ev->root, "eventName", &name, &nname))
        return false;
    static const char suffix[] = ".amazonaws.com";
    size_t ls = sizeof suffix - 1;
    if (nsrc > ls && memcmp(src + nsrc - ls, suffix, ls) == 0)
        nsrc -= ls;
    own_field(sp, ev, "ct.user", a, &user, &nuser);
    own_field(sp, ev, "ct.info", a, &info, &ninfo);
    size_t cap = nregion + nuser + nsrc + nname + ninfo + 8;
    char *buf = arena_alloc(a, cap);
    size_t n = 0;
    memcpy(buf + n, region, nregion), n += nregion;
    if (nuser) {
        buf[n++] = ' ';
        memcpy(buf + n, user, nuser), n += nuser;
    }
    buf[n++] = ' ';
    memcpy(buf + n, src, nsrc), n += nsrc;
    buf[n++] = ' ';
    memcpy(buf + n, name, nname), n += nname;
    buf[n++] = ' ';
    if (ninfo)
        memcpy(buf + n, info, ninfo), n += ninfo;
    buf[n] = '\0';
    return put_str(a, out, buf, n);
}

bool generic_extract(const struct source_plugin *sp, const struct event *ev,
                     const struct field_ref *f, struct arena *a, struct fvalues *out)
{
    const char *name = f->info->name + 4; /* after "evt." */
    uint64_t ts = ev->ts_ns;
    uint64_t rel = ts >= ev->first_ts_ns ? ts - ev->first_ts_ns : 0;
    out->v = NULL;
    out->n = 0;
    switch (name[0]) {
    case 'n':
        if (strcmp(name, "num") == 0)
            return put_u64(a, out, ev->num);
        break;
    case 't':
        if (strcmp(name, "time") == 0)
            return put_local(a, out, ts, false, true);
        if (strcmp(name, "time.s") == 0)
            return put_local(a, out, ts, false, false);
        if (strcmp(name, "time.iso8601") == 0)
            return put_iso8601(a, out, ts);
        break;
    case 'd':
        if (strcmp(name, "datetime") == 0)
            return put_local(a, out, ts, true, true);
        if (strcmp(name, "datetime.s") == 0)
            return put_local(a, out, ts, true, false);
        break;
    case 'r':
        if (strcmp(name, "rawtime") == 0)
            return put_u64(a, out, ts);
        if (strcmp(name, "rawtime.s") == 0)
            return put_u64(a, out, ts / NS);
        if (strcmp(name, "rawtime.ns") == 0)
            return put_u64(a, out, ts % NS);
        if (strcmp(name, "reltime") == 0)
            return put_u64(a, out, rel);
        if (strcmp(name, "reltime.s") == 0)
            return put_u64(a, out, rel / NS);
        if (strcmp(name, "reltime.ns") == 0)
            return put_u64(a, out, rel % NS);
        break;
    case 's':
        if (strcmp(name, "source") == 0 && ev->source)
            return put_str(a, out, ev->source, strlen(ev->source));
        break;
    case 'p':
        if (strcmp(name, "pluginname") == 0) {
            const char *p = plugin_name(sp);
            return put_str(a, out, p, strlen(p));
        }
        if (strcmp(name, "plugininfo") == 0) {
            if (strcmp(sp->name, "aws_cloudtrail") == 0)
                return cloudtrail_info(sp, ev, a, out);
            size_t n;
            const char *t = json_to_text(ev->root, &n);
            return put_copy(a, out, t, n);
        }
        break;
    case 'i':
        if (strcmp(name, "is_async") == 0) {
            one(a, out)->as.b = false;
            return true;
        }
        break;
    case 'h':
        if (strcmp(name, "hostname") == 0 && ev->hostname)
            return put_str(a, out, ev->hostname, strlen(ev->hostname));
        break;
    default:
        break;
    }
    return false; /* evt.asynctype (no async events), or not a generic field */
}
