/* extract.c: the ka.* fields of the k8s_audit source.
 *
 * The semantics are those of Falco's k8saudit plugin v0.18.0, which reads
 * the audit Event with fastjson (falco-fields.md section 2, quirks of
 * sections 8 and 8.1):
 *
 *  - nothing is extracted from an object without "auditID" (any value);
 *  - a value found at a path is its text when it is a JSON string, its
 *    compact JSON text otherwise (numbers, booleans, null, objects, arrays:
 *    ka.response.code is "201", ka.req.pod.host_network is "true");
 *  - a path step finds nothing on anything but an object;
 *  - the container, volume, port and rule fields walk "recursively": an
 *    array met before a path step is fanned out over every element (or
 *    narrowed to element N when the field has an index argument), and an
 *    element lacking the rest of the path leaves a hole, which most fields
 *    skip and some treat as an error or a default;
 *  - whatever ends the path is taken whole: ka.req.service.ports is the
 *    text of the whole spec.ports array (one value), add_capabilities the
 *    text of each container's capabilities.add array;
 *  - an error (wrong JSON type, a container without image, a malformed
 *    requestURI) and an empty list both mean "not extracted" (8.1).
 *
 * Dispatch: a field_ref's info points into the k8s_audit table, so its
 * index there selects a descriptor prepared once (by name) from the table
 * below; nothing compares field names per event. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "extract.h"
#include "../schema.h"

/* ---------------------------------------------------------------------- */
/* Field descriptors. */

enum op {
    OP_NONE,
    OP_KEYS,            /* the value at path */
    OP_KEYS_LIST,       /* the array at path: one value per element */
    OP_URI_PARAM,       /* first value of query parameter [arg] of requestURI */
    OP_TARGET_POD_NAME, /* responseObject.metadata.name for pods (no subresource) */
    OP_SUBJECTS,        /* names of requestObject.subjects of kind aux */
    OP_SUBJECTS_NS,     /* "<namespace>:<name>" of ServiceAccount subjects */
    OP_TRUE,            /* ka.req.binding.subject.has_name: always "true" */
    OP_IMAGE0,          /* ka.req.container.image: spec.containers[0].image */
    OP_REPO0,           /* ka.req.container.image.repository */
    OP_PRIV_ANY,        /* ka.req.container.privileged: "true"/"false" */
    OP_RULES,           /* requestObject.rules[*].<aux> arrays, flattened */
    OP_WALK,            /* recursive walk of path, holes skipped */
    OP_VOLUME_HOSTPATH, /* ka.req.volume.hostpath[key]: "true"/"false" */
    OP_VOLUME_TYPE,     /* keys of each spec.volumes[*] object but "name" */
    OP_CONTAINER,       /* ka.req.pod.{containers,initContainers,ephemeralContainers}.* */
};

/* Subfields of the three container lists. */
enum cfield {
    CF_ARGS,     /* args array joined with spaces, per container */
    CF_COMMAND,  /* command array joined with spaces, per container */
    CF_STRICT,   /* name, image: a container without it fails the field */
    CF_REPO,     /* image cut at the first ':', then at the first '@' */
    CF_HOST_PORT,/* ports[*].hostPort, else containerPort */
    CF_SKIPNIL,  /* securityContext.*: holes skipped */
    CF_EFF,      /* containers[*].<aux>, default spec.<aux>, default "0" */
};

struct row {
    const char *name;
    enum op op;
    const char *path; /* keys separated by '|'; a trailing '|' adds an empty key */
    const char *aux;
};

static const struct row rows[] = {
    {"ka.auditid", OP_KEYS, "auditID", NULL},
    {"ka.stage", OP_KEYS, "stage", NULL},
    {"ka.auth.decision", OP_KEYS, "annotations|authorization.k8s.io/decision", NULL},
    {"ka.auth.reason", OP_KEYS, "annotations|authorization.k8s.io/reason", NULL},
    {"ka.auth.openshift.decision", OP_KEYS, "annotations|authentication.openshift.io/decision", NULL},
    {"ka.validations.admission.policy.failure", OP_KEYS,
     "annotations|validation.policy.admission.k8s.io/validation_failure", NULL},
    {"ka.security.pod.violations", OP_KEYS, "annotations|pod-security.kubernetes.io/audit-violations",
     NULL},
    {"ka.auth.openshift.username", OP_KEYS, "annotations|authentication.openshift.io/username", NULL},
    {"ka.user.name", OP_KEYS, "user|username", NULL},
    {"ka.user.groups", OP_KEYS_LIST, "user|groups", NULL},
    {"ka.impuser.name", OP_KEYS, "impersonatedUser|username", NULL},
    {"ka.verb", OP_KEYS, "verb", NULL},
    {"ka.uri", OP_KEYS, "requestURI", NULL},
    {"ka.uri.param", OP_URI_PARAM, "requestURI", NULL},
    {"ka.target.name", OP_KEYS, "objectRef|name", NULL},
    {"ka.target.namespace", OP_KEYS, "objectRef|namespace", NULL},
    {"ka.target.resource", OP_KEYS, "objectRef|resource", NULL},
    {"ka.target.subresource", OP_KEYS, "objectRef|subresource", NULL},
    {"ka.target.pod.name", OP_TARGET_POD_NAME, "responseObject|metadata|name", NULL},
    {"ka.req.binding.subjects", OP_KEYS_LIST, "requestObject|subjects", NULL},
    {"ka.req.binding.subjects.user_names", OP_SUBJECTS, "requestObject|subjects", "User"},
    {"ka.req.binding.subjects.serviceaccount_names", OP_SUBJECTS, "requestObject|subjects",
     "ServiceAccount"},
    {"ka.req.binding.subjects.serviceaccount_ns_names", OP_SUBJECTS_NS, "requestObject|subjects",
     "ServiceAccount"},
    {"ka.req.binding.subjects.group_names", OP_SUBJECTS, "requestObject|subjects", "Group"},
    {"ka.req.binding.role", OP_KEYS, "requestObject|roleRef|name", NULL},
    {"ka.req.binding.subject.has_name", OP_TRUE, "", NULL},
    {"ka.req.configmap.name", OP_KEYS, "objectRef|name", NULL},
    {"ka.req.configmap.obj", OP_KEYS, "requestObject|data", NULL},
    {"ka.req.container.image", OP_IMAGE0, "requestObject|spec|containers|image", NULL},
    {"ka.req.container.image.repository", OP_REPO0, "requestObject|spec|containers|image", NULL},
    {"ka.req.pod.host_ipc", OP_KEYS, "requestObject|spec|hostIPC", NULL},
    {"ka.req.pod.host_network", OP_KEYS, "requestObject|spec|hostNetwork", NULL},
    {"ka.req.container.host_network", OP_KEYS, "requestObject|spec|hostNetwork", NULL},
    {"ka.req.pod.host_pid", OP_KEYS, "requestObject|spec|hostPID", NULL},
    {"ka.req.container.privileged", OP_PRIV_ANY,
     "requestObject|spec|containers|securityContext|privileged", NULL},
    {"ka.req.pod.run_as_user", OP_KEYS, "requestObject|spec|securityContext|runAsUser", NULL},
    {"ka.req.pod.run_as_group", OP_KEYS, "requestObject|spec|securityContext|runAsGroup", NULL},
    {"ka.req.role.rules", OP_KEYS_LIST, "requestObject|rules", NULL},
    {"ka.req.role.rules.apiGroups", OP_RULES, "requestObject|rules|apiGroups", NULL},
    {"ka.req.role.rules.nonResourceURLs", OP_RULES, "requestObject|rules|nonResourceURLs", NULL},
    {"ka.req.role.rules.verbs", OP_RULES, "requestObject|rules|verbs", NULL},
    {"ka.req.role.rules.resources", OP_RULES, "requestObject|rules|resources", NULL},
    {"ka.req.pod.fs_group", OP_KEYS, "requestObject|spec|securityContext|fsGroup", NULL},
    {"ka.req.pod.supplemental_groups", OP_KEYS_LIST,
     "requestObject|spec|securityContext|supplementalGroups", NULL},
    {"ka.req.service.type", OP_KEYS, "requestObject|spec|type", NULL},
    /* The walk ends on the ports array itself: one value, its JSON text. */
    {"ka.req.service.ports", OP_WALK, "requestObject|spec|ports", NULL},
    {"ka.req.pod.volumes.hostpath", OP_WALK, "requestObject|spec|volumes|hostPath|path", NULL},
    {"ka.req.volume.hostpath", OP_VOLUME_HOSTPATH, "requestObject|spec|volumes|hostPath|path", NULL},
    {"ka.req.pod.volumes.flexvolume_driver", OP_WALK, "requestObject|spec|volumes|flexVolume|driver",
     NULL},
    {"ka.req.pod.volumes.volume_type", OP_VOLUME_TYPE, "requestObject|spec|volumes|", NULL},
    {"ka.resp.name", OP_KEYS, "responseObject|metadata|name", NULL},
    {"ka.response.code", OP_KEYS, "responseStatus|code", NULL},
    {"ka.response.reason", OP_KEYS, "responseStatus|reason", NULL},
    {"ka.useragent", OP_KEYS, "userAgent", NULL},
    /* The plugin's reuse bug: the rules helper, not the top-level sourceIPs. */
    {"ka.sourceips", OP_RULES, "requestObject|rules|sourceIPs", NULL},
    {"ka.cluster.name", OP_KEYS, "annotations|cluster_name", NULL},
};

/* ka.req.pod.<list>.<sub>: path below requestObject.spec.<list>. */
struct crow {
    const char *sub;
    enum cfield cf;
    const char *path;
    const char *aux;
};

static const struct crow crows[] = {
    {"args", CF_ARGS, "args", NULL},
    {"command", CF_COMMAND, "command", NULL},
    {"name", CF_STRICT, "name", NULL},
    {"image", CF_STRICT, "image", NULL},
    {"image.repository", CF_REPO, "image", NULL},
    {"host_port", CF_HOST_PORT, "ports", NULL},
    {"privileged", CF_SKIPNIL, "securityContext|privileged", NULL},
    {"allow_privilege_escalation", CF_SKIPNIL, "securityContext|allowPrivilegeEscalation", NULL},
    {"read_only_fs", CF_SKIPNIL, "securityContext|readOnlyRootFilesystem", NULL},
    {"run_as_user", CF_SKIPNIL, "securityContext|runAsUser", NULL},
    /* Quirk (8): no securityContext level for the effective ids. */
    {"eff_run_as_user", CF_EFF, "runAsUser", "runAsUser"},
    {"run_as_group", CF_SKIPNIL, "securityContext|runAsGroup", NULL},
    {"eff_run_as_group", CF_EFF, "runAsGroup", "runAsGroup"},
    {"proc_mount", CF_SKIPNIL, "securityContext|procMount", NULL},
    /* Not flattened: the walk ends on each container's add array. */
    {"add_capabilities", CF_SKIPNIL, "securityContext|capabilities|add", NULL},
};

static const char *const container_lists[] = {"containers", "initContainers", "ephemeralContainers"};

#define MAXKEYS 6
#define MAXFIELDS 256

struct key {
    const char *s;
    size_t len;
};

struct desc {
    enum op op;
    enum cfield cf;
    bool index_arg; /* the field takes an index argument (FF_ARG_INDEX) */
    unsigned npath;
    struct key path[MAXKEYS];
    struct key aux;
};

static struct desc descs[MAXFIELDS];
static const struct field_info *table;
static size_t ntable;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static unsigned add_keys(struct key *keys, unsigned n, const char *path)
{
    if (!*path)
        return n;
    const char *p = path;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (n < MAXKEYS)
            keys[n++] = (struct key){p, len};
        if (!bar)
            break;
        p = bar + 1;
    }
    return n;
}

static bool prepare_container(struct desc *d, const char *name)
{
    static const char prefix[] = "ka.req.pod.";
    if (strncmp(name, prefix, sizeof prefix - 1) != 0)
        return false;
    const char *rest = name + sizeof prefix - 1;
    for (size_t l = 0; l < sizeof container_lists / sizeof container_lists[0]; l++) {
        size_t ll = strlen(container_lists[l]);
        if (strncmp(rest, container_lists[l], ll) != 0 || rest[ll] != '.')
            continue;
        for (size_t c = 0; c < sizeof crows / sizeof crows[0]; c++) {
            if (strcmp(rest + ll + 1, crows[c].sub) != 0)
                continue;
            d->op = OP_CONTAINER;
            d->cf = crows[c].cf;
            d->npath = add_keys(d->path, 0, "requestObject|spec");
            d->path[d->npath++] = (struct key){container_lists[l], ll};
            d->npath = add_keys(d->path, d->npath, crows[c].path);
            if (crows[c].aux)
                d->aux = (struct key){crows[c].aux, strlen(crows[c].aux)};
            return true;
        }
    }
    return false;
}

static void prepare(void)
{
    const struct source_schema *s = schema_source("k8s_audit");
    if (!s || s->nfields > MAXFIELDS)
        return;
    for (size_t i = 0; i < s->nfields; i++) {
        const struct field_info *fi = &s->fields[i];
        struct desc *d = &descs[i];
        d->index_arg = (fi->flags & FF_ARG_INDEX) != 0;
        if (prepare_container(d, fi->name))
            continue;
        for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
            if (strcmp(fi->name, rows[r].name) != 0)
                continue;
            d->op = rows[r].op;
            d->npath = add_keys(d->path, 0, rows[r].path);
            if (rows[r].aux)
                d->aux = (struct key){rows[r].aux, strlen(rows[r].aux)};
            break;
        }
    }
    ntable = s->nfields;
    table = s->fields;
}

static const struct desc *desc_of(const struct field_info *fi)
{
    pthread_once(&init_once, prepare);
    if (!fi || !table)
        return NULL;
    uintptr_t p = (uintptr_t)fi, b = (uintptr_t)table;
    if (p < b || (p - b) % sizeof *table != 0 || (p - b) / sizeof *table >= ntable)
        return NULL;
    const struct desc *d = &descs[(p - b) / sizeof *table];
    return d->op == OP_NONE ? NULL : d;
}

bool k8s_audit_field_known(const struct field_info *f)
{
    return desc_of(f) != NULL;
}

/* ---------------------------------------------------------------------- */
/* Values and JSON walks. */

struct vals {
    struct arena *a;
    struct fvalue *v;
    size_t n, cap;
};

static void push(struct vals *vs, const char *s, size_t len)
{
    if (vs->n == vs->cap) {
        size_t cap = vs->cap ? vs->cap * 2 : 4;
        struct fvalue *nv = arena_alloc(vs->a, cap * sizeof *nv);
        if (vs->n)
            memcpy(nv, vs->v, vs->n * sizeof *nv);
        vs->v = nv;
        vs->cap = cap;
    }
    struct fvalue *fv = &vs->v[vs->n++];
    memset(fv, 0, sizeof *fv);
    fv->str = s;
    fv->len = len;
}

#define PUSH_LIT(vs, lit) push((vs), lit, sizeof(lit) - 1)

/* A walk result: a value, or a hole (an element lacking the rest of the path). */
struct slot {
    json_ref v;
    bool hole;
};

struct slots {
    struct arena *a;
    struct slot *v;
    size_t n, cap;
};

static void slot_push(struct slots *ss, json_ref v, bool hole)
{
    if (ss->n == ss->cap) {
        size_t cap = ss->cap ? ss->cap * 2 : 8;
        struct slot *nv = arena_alloc(ss->a, cap * sizeof *nv);
        if (ss->n)
            memcpy(nv, ss->v, ss->n * sizeof *nv);
        ss->v = nv;
        ss->cap = cap;
    }
    ss->v[ss->n].v = v;
    ss->v[ss->n].hole = hole;
    ss->n++;
}

/* A value as the plugin turns it into a string: the text of a JSON string,
 * the compact JSON text of anything else. */
static void as_string(struct arena *a, json_ref v, const char **s, size_t *len)
{
    if (json_get_string(v, s, len))
        return;
    size_t n;
    const char *t = json_to_text(v, &n);
    *s = arena_strndup(a, t, n);
    *len = n;
}

static void push_value(struct vals *vs, json_ref v)
{
    const char *s;
    size_t len;
    as_string(vs->a, v, &s, &len);
    push(vs, s, len);
}

/* One path step: only objects have members (the keys used here are never
 * array indexes). */
static bool step(json_ref v, struct key k, json_ref *out)
{
    return json_kind(v) == JSON_OBJECT && json_object_get(v, k.s, k.len, out);
}

static bool get_path(json_ref v, const struct key *keys, unsigned n, json_ref *out)
{
    for (unsigned i = 0; i < n; i++)
        if (!step(v, keys[i], &v))
            return false;
    *out = v;
    return true;
}

/* The plugin's recursive walk: before each step, an array is fanned out
 * (idx < 0: every element, an element where the rest of the path is missing
 * leaving a hole) or narrowed to element idx. An empty key keeps the value.
 * False ("not available") when the path is missing outside a fan-out. */
static bool walk(json_ref v, int64_t idx, const struct key *keys, unsigned n, struct slots *out)
{
    for (unsigned i = 0; i < n; i++) {
        if (json_kind(v) == JSON_ARRAY) {
            if (idx < 0) {
                json_iter it;
                json_ref e;
                json_iter_begin(v, &it);
                while (json_iter_next(&it, &e, NULL, NULL))
                    if (!walk(e, idx, keys + i, n - i, out))
                        slot_push(out, e, true);
                return true;
            }
            if (!json_array_at(v, (size_t)idx, &v))
                return false;
        }
        if (keys[i].len && !step(v, keys[i], &v))
            return false;
    }
    slot_push(out, v, false);
    return true;
}

/* ---------------------------------------------------------------------- */
/* requestURI query parameters, as Go's url.Parse then url.ParseQuery: any
 * error of either makes ka.uri.param absent. */

enum umode { U_PATH, U_QUERY, U_HOST, U_ZONE, U_USER, U_FRAG };

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Bytes a host (or zone) may hold unescaped. */
static bool host_byte_ok(unsigned char c)
{
    static const char ok[] = "!$&'()*+,;=:[]<>\"-_.~";
    return is_alnum(c) || memchr(ok, c, sizeof ok - 1) != NULL;
}

/* Validates s for the URL part of mode m and, when dst is not NULL,
 * decodes it there (%XX; '+' is a space in queries). */
static bool url_unescape(const char *s, size_t n, enum umode m, char *dst, size_t *dlen)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n || hexval((unsigned char)s[i + 1]) < 0 || hexval((unsigned char)s[i + 2]) < 0)
                return false;
            unsigned char v = (unsigned char)(hexval((unsigned char)s[i + 1]) << 4 |
                                              hexval((unsigned char)s[i + 2]));
            bool pct25 = s[i + 1] == '2' && s[i + 2] == '5';
            if (m == U_HOST && hexval((unsigned char)s[i + 1]) < 8 && !pct25)
                return false;
            if (m == U_ZONE && !pct25 && v != ' ' && !host_byte_ok(v))
                return false;
            c = v;
            i += 2;
        } else if (c == '+') {
            if (m == U_QUERY)
                c = ' ';
        } else if ((m == U_HOST || m == U_ZONE) && c < 0x80 && !host_byte_ok(c)) {
            return false;
        }
        if (dst)
            dst[o++] = (char)c;
    }
    if (dlen)
        *dlen = o;
    return true;
}

static bool valid_optional_port(const char *p, size_t n)
{
    if (n == 0)
        return true;
    if (p[0] != ':')
        return false;
    for (size_t i = 1; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

static const char *mem_rchr(const char *s, size_t n, char c)
{
    while (n--)
        if (s[n] == c)
            return s + n;
    return NULL;
}

static const char *mem_find(const char *s, size_t n, const char *t, size_t tn)
{
    for (size_t i = 0; i + tn <= n; i++)
        if (memcmp(s + i, t, tn) == 0)
            return s + i;
    return NULL;
}

static bool parse_host(const char *h, size_t n)
{
    if (n > 0 && h[0] == '[') {
        const char *rb = mem_rchr(h, n, ']');
        if (!rb)
            return false;
        size_t i = (size_t)(rb - h);
        if (!valid_optional_port(rb + 1, n - i - 1))
            return false;
        const char *zone = mem_find(h, i, "%25", 3);
        if (zone) {
            size_t z = (size_t)(zone - h);
            return url_unescape(h, z, U_HOST, NULL, NULL) &&
                   url_unescape(zone, i - z, U_ZONE, NULL, NULL) &&
                   url_unescape(rb, n - i, U_HOST, NULL, NULL);
        }
    } else {
        const char *colon = mem_rchr(h, n, ':');
        if (colon && !valid_optional_port(colon, n - (size_t)(colon - h)))
            return false;
    }
    return url_unescape(h, n, U_HOST, NULL, NULL);
}

static bool valid_userinfo(const char *s, size_t n)
{
    static const char ok[] = "-._:~!$&'()*+,;=%@";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!is_alnum(c) && !memchr(ok, c, sizeof ok - 1))
            return false; /* also every non-ASCII byte */
    }
    return true;
}

static bool parse_authority(const char *s, size_t n)
{
    const char *at = mem_rchr(s, n, '@');
    if (!at)
        return parse_host(s, n);
    size_t u = (size_t)(at - s);
    if (!parse_host(at + 1, n - u - 1) || !valid_userinfo(s, u))
        return false;
    const char *colon = memchr(s, ':', u);
    if (!colon)
        return url_unescape(s, u, U_USER, NULL, NULL);
    size_t c = (size_t)(colon - s);
    return url_unescape(s, c, U_USER, NULL, NULL) &&
           url_unescape(colon + 1, u - c - 1, U_USER, NULL, NULL);
}

/* Go's url.Parse: false on error; *q, *qn: the raw query (NULL if none). */
static bool url_parse(const char *s, size_t n, const char **q, size_t *qn)
{
    *q = NULL;
    *qn = 0;
    const char *hash = memchr(s, '#', n);
    size_t un = hash ? (size_t)(hash - s) : n;
    if (hash && !url_unescape(hash + 1, n - un - 1, U_FRAG, NULL, NULL))
        return false;
    for (size_t i = 0; i < un; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    if (un == 1 && s[0] == '*')
        return true;

    /* Scheme: letters, then letters, digits, '+', '-', '.' up to ':'. */
    bool scheme = false;
    size_t r = 0;
    for (size_t i = 0; i < un; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            continue;
        if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
            if (i == 0)
                break;
            continue;
        }
        if (c == ':') {
            if (i == 0)
                return false; /* missing protocol scheme */
            scheme = true;
            r = i + 1;
        }
        break;
    }
    const char *rest = s + r;
    size_t rn = un - r;

    size_t nq = 0;
    for (size_t i = 0; i < rn; i++)
        nq += rest[i] == '?';
    if (nq == 1 && rest[rn - 1] == '?') {
        rn--; /* ForceQuery: an empty query */
    } else if (nq) {
        const char *qm = memchr(rest, '?', rn);
        *q = qm + 1;
        *qn = (size_t)(rest + rn - (qm + 1));
        rn = (size_t)(qm - rest);
    }

    if (rn == 0 || rest[0] != '/') {
        if (scheme)
            return true; /* opaque */
        const char *slash = memchr(rest, '/', rn);
        size_t seg = slash ? (size_t)(slash - rest) : rn;
        if (memchr(rest, ':', seg))
            return false; /* first path segment in URL cannot contain colon */
    }
    bool triple = rn >= 3 && memcmp(rest, "///", 3) == 0;
    if ((scheme || !triple) && rn >= 2 && rest[0] == '/' && rest[1] == '/') {
        const char *auth = rest + 2;
        size_t an = rn - 2;
        const char *slash = memchr(auth, '/', an);
        size_t alen = slash ? (size_t)(slash - auth) : an;
        if (!parse_authority(auth, alen))
            return false;
        rest = auth + alen;
        rn = an - alen;
    }
    return url_unescape(rest, rn, U_PATH, NULL, NULL);
}

/* Go's url.ParseQuery over the whole query (an error anywhere fails the
 * field), keeping the first value of key. */
static bool query_param(struct arena *a, const char *q, size_t n, const char *key, size_t keylen,
                        const char **val, size_t *vlen, bool *found)
{
    bool ok = true;
    size_t p = 0;
    *found = false;
    while (p < n) {
        const char *seg = q + p;
        const char *amp = memchr(seg, '&', n - p);
        size_t sn = amp ? (size_t)(amp - seg) : n - p;
        p = amp ? p + sn + 1 : n;
        if (memchr(seg, ';', sn)) {
            ok = false; /* invalid semicolon separator in query */
            continue;
        }
        if (sn == 0)
            continue;
        const char *eq = memchr(seg, '=', sn);
        size_t kn = eq ? (size_t)(eq - seg) : sn;
        const char *v = eq ? eq + 1 : seg + sn;
        size_t vn = eq ? sn - kn - 1 : 0;
        char *kd = arena_alloc(a, kn + 1), *vd = arena_alloc(a, vn + 1);
        size_t kdn, vdn;
        if (!url_unescape(seg, kn, U_QUERY, kd, &kdn) || !url_unescape(v, vn, U_QUERY, vd, &vdn)) {
            ok = false;
            continue;
        }
        vd[vdn] = '\0';
        if (!*found && kdn == keylen && memcmp(kd, key, keylen) == 0) {
            *found = true;
            *val = vd;
            *vlen = vdn;
        }
    }
    return ok;
}

/* ---------------------------------------------------------------------- */
/* Field handlers. Each fills vs; on an error it leaves vs->n == 0. */

static void x_keys(struct vals *vs, json_ref root, const struct desc *d)
{
    json_ref v;
    if (get_path(root, d->path, d->npath, &v))
        push_value(vs, v);
}

static void x_keys_list(struct vals *vs, json_ref root, const struct desc *d)
{
    json_ref v, e;
    json_iter it;
    if (!get_path(root, d->path, d->npath, &v) || json_kind(v) != JSON_ARRAY)
        return;
    json_iter_begin(v, &it);
    while (json_iter_next(&it, &e, NULL, NULL))
        push_value(vs, e);
}

static void x_uri_param(struct vals *vs, json_ref root, const struct desc *d, const char *arg)
{
    json_ref v;
    const char *s, *q, *val = NULL;
    size_t len, qn, vlen = 0;
    bool found;
    if (!get_path(root, d->path, d->npath, &v))
        return;
    as_string(vs->a, v, &s, &len);
    if (!url_parse(s, len, &q, &qn))
        return;
    if (!arg)
        arg = "";
    if (query_param(vs->a, q, qn, arg, strlen(arg), &val, &vlen, &found) && found)
        push(vs, val, vlen);
}

/* A string member, "" when missing or not a string (fastjson GetStringBytes). */
static bool string_member_is(json_ref obj, const char *key, const char *want)
{
    json_ref v;
    const char *s = "";
    size_t len = 0;
    if (step(obj, (struct key){key, strlen(key)}, &v))
        json_get_string(v, &s, &len);
    return len == strlen(want) && memcmp(s, want, len) == 0;
}

static void x_target_pod_name(struct vals *vs, json_ref root, const struct desc *d)
{
    json_ref ref;
    bool has_ref = step(root, (struct key){"objectRef", 9}, &ref);
    if (!has_ref || !string_member_is(ref, "resource", "pods") ||
        !string_member_is(ref, "subresource", ""))
        return;
    x_keys(vs, root, d);
}

static void x_subjects(struct vals *vs, json_ref root, const struct desc *d, bool ns)
{
    json_ref subjects, subj, kind, name, nsv;
    json_iter it;
    if (!get_path(root, d->path, d->npath, &subjects) || json_kind(subjects) != JSON_ARRAY)
        return; /* missing: an empty list; not an array: an error */
    json_iter_begin(subjects, &it);
    while (json_iter_next(&it, &subj, NULL, NULL)) {
        if (!step(subj, (struct key){"kind", 4}, &kind) || !step(subj, (struct key){"name", 4}, &name))
            continue;
        const char *ks, *ns_s, *nm;
        size_t kl, nsl, nml;
        as_string(vs->a, kind, &ks, &kl);
        if (kl != d->aux.len || memcmp(ks, d->aux.s, kl) != 0)
            continue;
        as_string(vs->a, name, &nm, &nml);
        if (!ns) {
            push(vs, nm, nml);
            continue;
        }
        if (!step(subj, (struct key){"namespace", 9}, &nsv))
            continue;
        as_string(vs->a, nsv, &ns_s, &nsl);
        char *t = arena_alloc(vs->a, nsl + 1 + nml + 1);
        memcpy(t, ns_s, nsl);
        t[nsl] = ':';
        memcpy(t + nsl + 1, nm, nml);
        t[nsl + 1 + nml] = '\0';
        push(vs, t, nsl + 1 + nml);
    }
}

/* Image reference up to the first ':', then up to the first '@'. */
static void push_repository(struct vals *vs, const char *s, size_t len)
{
    const char *c = memchr(s, ':', len);
    if (c)
        len = (size_t)(c - s);
    const char *at = memchr(s, '@', len);
    if (at)
        len = (size_t)(at - s);
    push(vs, arena_strndup(vs->a, s, len), len);
}

/* Values of a walk, every hole an error (arrayAsStrings). */
static bool strict_strings(struct vals *vs, const struct slots *ss, bool repository)
{
    for (size_t i = 0; i < ss->n; i++) {
        if (ss->v[i].hole) {
            vs->n = 0;
            return false;
        }
        if (repository) {
            const char *s;
            size_t len;
            as_string(vs->a, ss->v[i].v, &s, &len);
            push_repository(vs, s, len);
        } else {
            push_value(vs, ss->v[i].v);
        }
    }
    return true;
}

static void skipnil_strings(struct vals *vs, const struct slots *ss)
{
    for (size_t i = 0; i < ss->n; i++)
        if (!ss->v[i].hole)
            push_value(vs, ss->v[i].v);
}

/* args/command: each container's array of strings joined with spaces. */
static void x_joined(struct vals *vs, const struct slots *ss)
{
    for (size_t i = 0; i < ss->n; i++) {
        if (ss->v[i].hole)
            continue;
        json_ref arr = ss->v[i].v, e;
        json_iter it;
        if (json_kind(arr) != JSON_ARRAY) {
            vs->n = 0;
            return;
        }
        size_t total = 0, count = 0;
        const char *s;
        size_t len;
        json_iter_begin(arr, &it);
        while (json_iter_next(&it, &e, NULL, NULL)) {
            if (!json_get_string(e, &s, &len)) {
                vs->n = 0;
                return;
            }
            total += len;
            count++;
        }
        char *t = arena_alloc(vs->a, total + count + 1), *o = t;
        json_iter_begin(arr, &it);
        while (json_iter_next(&it, &e, NULL, NULL)) {
            json_get_string(e, &s, &len);
            if (o != t)
                *o++ = ' ';
            memcpy(o, s, len);
            o += len;
        }
        *o = '\0';
        push(vs, t, (size_t)(o - t));
    }
}

static void x_host_ports(struct vals *vs, const struct slots *ss)
{
    static const struct key host_port = {"hostPort", 8}, container_port = {"containerPort", 13};
    for (size_t i = 0; i < ss->n; i++) {
        if (ss->v[i].hole)
            continue;
        json_ref ports = ss->v[i].v, port, p;
        json_iter it;
        if (json_kind(ports) != JSON_ARRAY) {
            vs->n = 0;
            return;
        }
        json_iter_begin(ports, &it);
        while (json_iter_next(&it, &port, NULL, NULL)) {
            if (step(port, host_port, &p) || step(port, container_port, &p))
                push_value(vs, p);
        }
    }
}

static void x_effective(struct vals *vs, json_ref root, const struct desc *d, const struct slots *ss)
{
    const struct key pod_path[3] = {{"requestObject", 13}, {"spec", 4}, d->aux};
    const char *def = "0";
    size_t deflen = 1;
    json_ref v;
    if (get_path(root, pod_path, 3, &v))
        as_string(vs->a, v, &def, &deflen);
    for (size_t i = 0; i < ss->n; i++) {
        if (ss->v[i].hole)
            push(vs, def, deflen);
        else
            push_value(vs, ss->v[i].v);
    }
}

static void x_container(struct vals *vs, json_ref root, const struct desc *d, int64_t idx)
{
    struct slots ss = {.a = vs->a};
    if (!walk(root, idx, d->path, d->npath, &ss))
        return;
    switch (d->cf) {
    case CF_ARGS:
    case CF_COMMAND:
        x_joined(vs, &ss);
        break;
    case CF_STRICT:
        strict_strings(vs, &ss, false);
        break;
    case CF_REPO:
        strict_strings(vs, &ss, true);
        break;
    case CF_HOST_PORT:
        x_host_ports(vs, &ss);
        break;
    case CF_SKIPNIL:
        skipnil_strings(vs, &ss);
        break;
    case CF_EFF:
        x_effective(vs, root, d, &ss);
        break;
    }
}

static void x_first_image(struct vals *vs, json_ref root, const struct desc *d, bool repository)
{
    struct slots ss = {.a = vs->a};
    if (!walk(root, 0, d->path, d->npath, &ss) || !strict_strings(vs, &ss, repository))
        return;
    if (vs->n > 1)
        vs->n = 1;
}

static void x_privileged_any(struct vals *vs, json_ref root, const struct desc *d)
{
    struct slots ss = {.a = vs->a};
    if (!walk(root, -1, d->path, d->npath, &ss))
        return; /* no spec.containers: absent, not "false" (8.1) */
    for (size_t i = 0; i < ss.n; i++) {
        bool b;
        if (!ss.v[i].hole && json_get_bool(ss.v[i].v, &b) && b) {
            PUSH_LIT(vs, "true");
            return;
        }
    }
    PUSH_LIT(vs, "false");
}

static void x_rules(struct vals *vs, json_ref root, const struct desc *d, int64_t idx)
{
    struct slots ss = {.a = vs->a};
    if (!walk(root, idx, d->path, d->npath, &ss))
        return;
    for (size_t i = 0; i < ss.n; i++) {
        if (ss.v[i].hole || json_kind(ss.v[i].v) != JSON_ARRAY)
            continue;
        json_iter it;
        json_ref e;
        json_iter_begin(ss.v[i].v, &it);
        while (json_iter_next(&it, &e, NULL, NULL))
            push_value(vs, e);
    }
}

static void x_walk(struct vals *vs, json_ref root, const struct desc *d, int64_t idx)
{
    struct slots ss = {.a = vs->a};
    if (walk(root, idx, d->path, d->npath, &ss))
        skipnil_strings(vs, &ss);
}

static void x_volume_hostpath(struct vals *vs, json_ref root, const struct desc *d, const char *arg)
{
    struct slots ss = {.a = vs->a};
    if (!walk(root, -1, d->path, d->npath, &ss))
        return;
    size_t alen = arg ? strlen(arg) : 0;
    if (alen == 0)
        return; /* the plugin cannot cut the '*' of an empty key */
    bool prefix = arg[alen - 1] == '*';
    for (size_t i = 0; i < ss.n; i++) {
        if (ss.v[i].hole)
            continue;
        const char *s;
        size_t len;
        as_string(vs->a, ss.v[i].v, &s, &len);
        if ((prefix && len >= alen - 1 && memcmp(s, arg, alen - 1) == 0) ||
            (len == alen && memcmp(s, arg, alen) == 0)) {
            PUSH_LIT(vs, "true");
            return;
        }
    }
    PUSH_LIT(vs, "false");
}

static void x_volume_type(struct vals *vs, json_ref root, const struct desc *d, int64_t idx)
{
    struct slots ss = {.a = vs->a};
    if (!walk(root, idx, d->path, d->npath, &ss))
        return;
    for (size_t i = 0; i < ss.n; i++) {
        if (ss.v[i].hole || json_kind(ss.v[i].v) != JSON_OBJECT)
            continue;
        json_iter it;
        json_ref e;
        const char *k;
        size_t kl;
        json_iter_begin(ss.v[i].v, &it);
        while (json_iter_next(&it, &e, &k, &kl))
            if (!(kl == 4 && memcmp(k, "name", 4) == 0))
                push(vs, k, kl);
    }
}

/* The plugin's index filter: the index of an index argument (Go's int of
 * it: 2^64-1 is -1, "no filter"); none for key arguments, which the engine
 * evaluates over every element (8.1). */
static int64_t index_filter(const struct field_ref *f, const struct desc *d)
{
    if (!d->index_arg || !f->has_index)
        return -1;
    return (int64_t)f->index;
}

bool k8s_audit_extract(const struct event *ev, const struct field_ref *f, struct arena *a,
                       struct fvalues *out)
{
    out->v = NULL;
    out->n = 0;
    const struct desc *d = desc_of(f->info);
    if (!d)
        return false;
    json_ref root = ev->root, id;
    if (json_kind(root) != JSON_OBJECT || !json_object_get(root, "auditID", 7, &id))
        return true; /* not an audit event: every ka.* field is absent */

    struct vals vs = {.a = a};
    int64_t idx = index_filter(f, d);
    if (idx < -1)
        return true; /* an index past INT64_MAX (the plugin would panic) */
    switch (d->op) {
    case OP_NONE:
        break;
    case OP_KEYS:
        x_keys(&vs, root, d);
        break;
    case OP_KEYS_LIST:
        x_keys_list(&vs, root, d);
        break;
    case OP_URI_PARAM:
        x_uri_param(&vs, root, d, f->arg);
        break;
    case OP_TARGET_POD_NAME:
        x_target_pod_name(&vs, root, d);
        break;
    case OP_SUBJECTS:
        x_subjects(&vs, root, d, false);
        break;
    case OP_SUBJECTS_NS:
        x_subjects(&vs, root, d, true);
        break;
    case OP_TRUE:
        PUSH_LIT(&vs, "true");
        break;
    case OP_IMAGE0:
        x_first_image(&vs, root, d, false);
        break;
    case OP_REPO0:
        x_first_image(&vs, root, d, true);
        break;
    case OP_PRIV_ANY:
        x_privileged_any(&vs, root, d);
        break;
    case OP_RULES:
        x_rules(&vs, root, d, idx);
        break;
    case OP_WALK:
        x_walk(&vs, root, d, idx);
        break;
    case OP_VOLUME_HOSTPATH:
        x_volume_hostpath(&vs, root, d, f->arg);
        break;
    case OP_VOLUME_TYPE:
        x_volume_type(&vs, root, d, idx);
        break;
    case OP_CONTAINER:
        x_container(&vs, root, d, idx);
        break;
    }
    if (vs.n) {
        out->v = vs.v;
        out->n = vs.n;
    }
    return true;
}
