/* syscall/extract.c: the fields of stoop's synthetic syscall events
 * (decode.c describes the event). Where each value comes from:
 *
 *  - evt.type and evt.dir: the event's own "evt.type" and "evt.dir" ("<"
 *    when absent); evt.type.is.<name>: 1 when evt.type is <name>, else 0;
 *  - the generic class (evt.num, evt.time*, evt.datetime*, evt.rawtime*,
 *    evt.reltime*, evt.source, evt.hostname, evt.is_async): computed from
 *    "ts" and the run, as for every source (plugins/generic);
 *  - every other field: the member of the event's "fields" object named as
 *    a rule writes the field: "proc.name", "evt.arg.flags" (dotted form),
 *    "proc.aname[2]", "container.mount.dest[/var/run/docker.sock]" (the
 *    argument in brackets, as written). The ancestor fields (proc.aname,
 *    proc.apid, proc.aexe, proc.aexepath, proc.acmdline, proc.aenv) may
 *    instead give every ancestor in one array, parent first:
 *    "proc.aname": ["bash", "sshd", "systemd"]. Then proc.aname[N] is
 *    element N-1 (when there is no "proc.aname[N]" member), proc.aname[0]
 *    the process's own field ("proc.name"), and proc.aname without
 *    argument every element (a comparison holds if it holds for one).
 *
 * Values are taken as they are, never converted: a string field (and a
 * bytes field) needs a JSON string; a numeric field a JSON number (an
 * integer for integer types, non-negative for unsigned ones; any number for
 * DOUBLE); a BOOL field true or false; an IP field, and a network field
 * (fd.net, fd.snet... : the address matched against the rule's network), an
 * address string ("10.0.0.1", "fe80::1"). A list field (FF_IS_LIST, and an
 * ancestor field without argument) takes an array of such values, or one
 * value. A missing key, or a value of another type, is "not extracted"
 * (falco-fields.md 8.1); an empty array too. evt.rawarg.<name> has the type
 * of that event parameter (events.def), as the checker types it.
 *
 * Dispatch: the few fields with their own handling are mapped from their
 * schema row once (field_table); every other row of the table reads
 * "fields". A lookup is one scan of the small event object for "fields",
 * then one of "fields" for the key: nothing is parsed twice. */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "extract.h"
#include "extractors.h"
#include "field_table.h"
#include "types.h"

enum op {
    OP_FIELD,    /* the member of "fields" */
    OP_TYPE,     /* evt.type */
    OP_DIR,      /* evt.dir */
    OP_TYPE_IS,  /* evt.type.is.<name> */
    OP_GENERIC,  /* plugins/generic */
    OP_ANCESTOR, /* "fields" member, or the array of ancestors */
    OP_RAWARG,   /* "fields" member typed by the event parameter */
};

struct sc_entry {
    const char *name;
    enum op op;
    const char *self; /* OP_ANCESTOR: the process's own field, for [0] */
};

static const struct sc_entry entries[] = {
    {"evt.type", OP_TYPE, NULL},
    {"evt.dir", OP_DIR, NULL},
    {"evt.type.is", OP_TYPE_IS, NULL},
    {"evt.rawarg", OP_RAWARG, NULL},
    {"evt.num", OP_GENERIC, NULL},
    {"evt.time", OP_GENERIC, NULL},
    {"evt.time.s", OP_GENERIC, NULL},
    {"evt.time.iso8601", OP_GENERIC, NULL},
    {"evt.datetime", OP_GENERIC, NULL},
    {"evt.datetime.s", OP_GENERIC, NULL},
    {"evt.rawtime", OP_GENERIC, NULL},
    {"evt.rawtime.s", OP_GENERIC, NULL},
    {"evt.rawtime.ns", OP_GENERIC, NULL},
    {"evt.reltime", OP_GENERIC, NULL},
    {"evt.reltime.s", OP_GENERIC, NULL},
    {"evt.reltime.ns", OP_GENERIC, NULL},
    {"evt.source", OP_GENERIC, NULL},
    {"evt.hostname", OP_GENERIC, NULL},
    {"evt.is_async", OP_GENERIC, NULL},
    {"proc.aname", OP_ANCESTOR, "proc.name"},
    {"proc.apid", OP_ANCESTOR, "proc.pid"},
    {"proc.aexe", OP_ANCESTOR, "proc.exe"},
    {"proc.aexepath", OP_ANCESTOR, "proc.exepath"},
    {"proc.acmdline", OP_ANCESTOR, "proc.cmdline"},
    {"proc.aenv", OP_ANCESTOR, "proc.env"},
};

static struct field_table handlers = FIELD_TABLE_INIT("syscall", entries);

/* ---- the table, and the types of event parameters ---- */

struct param_type {
    const char *name;
    enum field_type type;
};

static const struct field_info *rows;
static size_t nrows;
static struct param_type *params; /* sorted by name; the first event's type wins */
static size_t nparams;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static int param_cmp(const void *a, const void *b)
{
    const struct param_type *x = a, *y = b;
    return strcmp(x->name, y->name);
}

static void init(void)
{
    const struct source_schema *s = schema_source("syscall");
    if (s) {
        rows = s->fields;
        nrows = s->nfields;
    }
    size_t cap = 0;
    for (size_t e = 0; e < schema_event_count(); e++)
        for (const char *const *p = schema_event(e)->params; *p; p++)
            cap++;
    params = calloc(cap ? cap : 1, sizeof *params);
    if (!params)
        return;
    for (size_t e = 0; e < schema_event_count(); e++) {
        const struct event_info *ev = schema_event(e);
        for (size_t i = 0; ev->params[i]; i++) {
            bool seen = false;
            for (size_t j = 0; j < nparams && !seen; j++)
                seen = strcmp(params[j].name, ev->params[i]) == 0;
            if (!seen)
                params[nparams++] = (struct param_type){ev->params[i], ev->param_types[i]};
        }
    }
    qsort(params, nparams, sizeof *params, param_cmp);
}

static bool param_type(const char *name, enum field_type *out)
{
    struct param_type key = {name, FT_DYN};
    const struct param_type *p =
        name ? bsearch(&key, params, nparams, sizeof *params, param_cmp) : NULL;
    if (p)
        *out = p->type;
    return p != NULL;
}

bool syscall_field_known(const struct field_info *f)
{
    pthread_once(&init_once, init);
    uintptr_t p = (uintptr_t)f, b = (uintptr_t)rows;
    return f && rows && p >= b && p < b + nrows * sizeof *rows;
}

/* ---- values ---- */

static bool ip_value(json_ref v, struct fvalue *out)
{
    const char *s;
    size_t n;
    if (!json_get_string(v, &s, &n) || memchr(s, 0, n))
        return false;
    bool v6 = memchr(s, ':', n) != NULL;
    if (inet_pton(v6 ? AF_INET6 : AF_INET, s, out->as.ip.addr) != 1)
        return false;
    out->as.ip.family = v6 ? 6 : 4;
    return true;
}

/* One JSON value as a value of type t. */
static bool scalar(json_ref v, enum field_type t, struct fvalue *out)
{
    memset(out, 0, sizeof *out);
    switch (field_type_class(t)) {
    case TC_STRING:
    case TC_BYTES:
    case TC_OTHER:
        return json_get_string(v, &out->str, &out->len);
    case TC_NUMERIC:
        if (t == FT_DOUBLE) {
            double d;
            if (!json_get_double(v, &d))
                return false;
            memcpy(&out->as.u, &d, sizeof d);
            return true;
        }
        if (field_type_is_signed(t))
            return json_get_int64(v, &out->as.i);
        return json_get_uint64(v, &out->as.u);
    case TC_BOOL:
        return json_get_bool(v, &out->as.b);
    case TC_IP:
    case TC_NET:
        return ip_value(v, out);
    }
    return false;
}

/* v as the values of a field of type t; a list takes an array too. */
static void put_values(json_ref v, enum field_type t, bool list, struct arena *a,
                       struct fvalues *out)
{
    struct fvalue one;
    if (list && json_kind(v) == JSON_ARRAY) {
        size_t n = json_array_size(v), i = 0;
        if (n == 0)
            return;
        struct fvalue *vals = arena_alloc(a, n * sizeof *vals);
        json_iter it;
        json_ref e;
        json_iter_begin(v, &it);
        while (i < n && json_iter_next(&it, &e, NULL, NULL))
            if (!scalar(e, t, &vals[i++]))
                return; /* one bad element spoils the field */
        out->v = vals;
        out->n = i;
        return;
    }
    if (scalar(v, t, &one))
        *fvalues_one(a, out) = one;
}

/* ---- keys ---- */

struct key {
    char buf[128];
    const char *s;
    size_t n;
};

/* The member name a field is given under: "name", "name.dotted" or
 * "name[arg]". */
static void key_of(const struct field_ref *f, struct arena *a, struct key *k)
{
    const char *name = f->info->name;
    const char *sep = f->dotted ? "." : f->arg ? "[" : NULL;
    const char *arg = f->dotted ? f->dotted : f->arg;
    size_t nl = strlen(name);
    if (!sep) {
        k->s = name;
        k->n = nl;
        return;
    }
    size_t al = strlen(arg), n = nl + 1 + al + (*sep == '[');
    char *p = n < sizeof k->buf ? k->buf : arena_alloc(a, n + 1);
    memcpy(p, name, nl);
    p[nl] = *sep;
    memcpy(p + nl + 1, arg, al);
    if (*sep == '[')
        p[n - 1] = ']';
    p[n] = '\0';
    k->s = p;
    k->n = n;
}

static bool member(const struct event *ev, const char *key, size_t n, json_ref *out)
{
    json_ref fields;
    return json_object_get(ev->root, "fields", 6, &fields) &&
           json_object_get(fields, key, n, out);
}

/* proc.aname and the other ancestor fields. */
static void ancestor(const struct event *ev, const struct field_ref *f, const char *self,
                     struct arena *a, struct fvalues *out)
{
    enum field_type t = f->info->type;
    struct key k;
    json_ref v, e;
    if (!f->arg) { /* every ancestor */
        if (member(ev, f->info->name, strlen(f->info->name), &v))
            put_values(v, t, true, a, out);
        return;
    }
    key_of(f, a, &k);
    if (member(ev, k.s, k.n, &v)) {
        put_values(v, t, false, a, out);
        return;
    }
    if (!f->has_index)
        return;
    if (f->index == 0) {
        if (member(ev, self, strlen(self), &v))
            put_values(v, t, false, a, out);
        return;
    }
    if (member(ev, f->info->name, strlen(f->info->name), &v) && json_kind(v) == JSON_ARRAY &&
        json_array_at(v, (size_t)(f->index - 1), &e))
        put_values(e, t, false, a, out);
}

static bool event_str(const struct event *ev, const char *key, size_t n, const char **s,
                      size_t *len)
{
    json_ref v;
    return json_object_get(ev->root, key, n, &v) && json_get_string(v, s, len);
}

bool syscall_extract(const struct event *ev, const struct field_ref *f, struct arena *a,
                     struct fvalues *out)
{
    out->v = NULL;
    out->n = 0;
    if (!syscall_field_known(f->info))
        return false;
    const struct sc_entry *e = field_table_entry(&handlers, f->info);
    enum op op = e ? e->op : OP_FIELD;
    const char *s;
    size_t n;
    json_ref v;
    struct key k;
    enum field_type t = f->info->type;
    switch (op) {
    case OP_TYPE:
        if (event_str(ev, "evt.type", 8, &s, &n))
            fvalues_set_str(a, out, s, n);
        return true;
    case OP_DIR:
        if (!json_object_get(ev->root, "evt.dir", 7, &v))
            fvalues_set_str(a, out, "<", 1);
        else if (json_get_string(v, &s, &n))
            fvalues_set_str(a, out, s, n);
        return true;
    case OP_TYPE_IS:
        if (f->dotted && event_str(ev, "evt.type", 8, &s, &n))
            fvalues_one(a, out)->as.u = strlen(f->dotted) == n && memcmp(f->dotted, s, n) == 0;
        return true;
    case OP_GENERIC:
        generic_extract(&syscall_source, ev, f, a, out);
        return true;
    case OP_ANCESTOR:
        ancestor(ev, f, e->self, a, out);
        return true;
    case OP_RAWARG:
        if (!f->dotted || !param_type(f->dotted, &t))
            return true;
        break;
    case OP_FIELD:
        break;
    }
    key_of(f, a, &k);
    if (member(ev, k.s, k.n, &v))
        put_values(v, t, (f->info->flags & FF_IS_LIST) != 0, a, out);
    return true;
}
