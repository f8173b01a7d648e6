/* extract.c: okta.* fields of one Okta System Log event (falco-fields.md
 * section 5, quirks of section 8).
 *
 * The okta plugin (v0.12.0, okta.go) decodes each event with Go's
 * encoding/json into its LogEvent struct and extracts from the struct. We
 * decode the same way, once per event, into a flat C struct:
 *  - keys match the struct's JSON names exactly or ASCII case-insensitively
 *    (Go's rule); a repeated key overwrites the earlier one; other keys are
 *    ignored;
 *  - a missing key or a JSON null leaves the zero value: string fields give
 *    "" (present), numbers 0;
 *  - a value of the wrong JSON type for its struct field (a number or a
 *    boolean where a string is declared, a fraction for an int, a string
 *    where an object is declared...) is an unmarshal error: the plugin then
 *    fails every extraction of that event, so every field is absent and the
 *    MFA counters do not see it. Note that securityContext.isProxy is
 *    declared string: an event with "isProxy": false extracts nothing;
 *  - client.geographicalContext.geolocation.lonDe is the struct tag of the
 *    longitude (a typo in the plugin): okta.client.geo.lon reads "lonDe",
 *    so it is "0" for real events; lat/lon print as Go's %v of a float64;
 *  - okta.authentication.step (int) and okta.security.asnumber (int) are
 *    passed by the plugin to a string / uint64 field, which panics in the
 *    plugin SDK (Falco stops). We give the decimal text and the number.
 *  - okta.org is the plugin's configured organization
 *    (okta_extract_set_org), not a value of the event.
 *
 * Not replicated: the plugin decodes each event into a copy of the previous
 * event's struct, so a missing or null key keeps the previous event's value;
 * falco-fields.md and this extractor give "" / 0 instead.
 *
 * okta.mfa.failure.countlast[N] / okta.mfa.deny.countlast[N] are stateful.
 * The first time an event is seen (any field extracted), if it is a
 * user.mfa.okta_verify.deny_push event, or a
 * user.authentication.auth_via_mfa event with outcome.result FAILURE, its
 * timestamp (evt time: ev->ts_ns, from "published") is recorded under the
 * key "<eventType>:<actor.id>": a list of distinct timestamps in arrival
 * order, the oldest dropped beyond 200. On such an event both countlast
 * fields give the number of recorded timestamps of the event's own key
 * (so both fields count the same thing, as in the plugin) strictly newer
 * than ts - N seconds (uint64 arithmetic, as the plugin's); on any other
 * event they are absent. The plugin keeps this in a cache of 10000 keys
 * that expire 84600 s of wall-clock time after their last update; for
 * replayed files we expire a key when an event comes more than 84600 s of
 * event time after its last update, and when 10000 keys are live we drop
 * the least used one. The state is per run: okta_extract_reset() clears it,
 * and so does an event whose evt.num does not grow (a new run), so
 * replaying the same file gives the same counts every time. */
#include "extract.h"
#include "extractors.h"
#include "field_table.h" /* the shared declarations; checked against ours */

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct sv {
    const char *s;
    size_t n;
};

/* ---- the LogEvent struct, flattened ---- */

struct okta_target {
    struct sv id, type, alternate_id, display_name;
};

struct okta_evt {
    struct sv uuid, published, event_type, version, severity, legacy_event_type, display_message;
    struct sv actor_id, actor_type, actor_alternate_id, actor_display_name;
    struct sv ua_os, ua_browser, ua_raw;
    double lat, lon;
    struct sv city, state, country, postal_code;
    struct sv zone, ip_address, device, client_id;
    struct sv result, reason;
    struct sv tx_type, tx_id;
    struct sv request_uri, p_id, p_type, p_alternate_id, p_display_name, behaviors,
        log_only_security_data;
    int64_t auth_step;
    struct sv external_session_id, auth_provider, credential_provider;
    int64_t as_number;
    struct sv as_org, isp, domain, is_proxy;
};

enum gkind { G_STR, G_INT, G_FLOAT, G_STRUCT, G_TARGETS };

struct gstruct;
struct gfield {
    const char *name; /* JSON name (struct tag) */
    enum gkind kind;
    size_t off; /* in struct okta_evt, or struct okta_target for target[] items */
    const struct gstruct *sub;
};
struct gstruct {
    const struct gfield *f;
    size_t n;
};

#define COUNT(x) (sizeof(x) / sizeof((x)[0]))
#define GS(arr) {arr, COUNT(arr)}
#define E_STR(name, m) {name, G_STR, offsetof(struct okta_evt, m), NULL}
#define T_STR(name, m) {name, G_STR, offsetof(struct okta_target, m), NULL}
#define SUB(name, d) {name, G_STRUCT, 0, &d}

static const struct gfield target_f[] = {
    T_STR("id", id), T_STR("type", type), T_STR("alternateId", alternate_id),
    T_STR("displayName", display_name),
};
static const struct gstruct target_d = GS(target_f);

static const struct gfield actor_f[] = {
    E_STR("id", actor_id), E_STR("type", actor_type), E_STR("alternateId", actor_alternate_id),
    E_STR("displayName", actor_display_name),
};
static const struct gstruct actor_d = GS(actor_f);

static const struct gfield useragent_f[] = {
    E_STR("os", ua_os), E_STR("browser", ua_browser), E_STR("rawUserAgent", ua_raw),
};
static const struct gstruct useragent_d = GS(useragent_f);

static const struct gfield geolocation_f[] = {
    {"lat", G_FLOAT, offsetof(struct okta_evt, lat), NULL},
    {"lonDe", G_FLOAT, offsetof(struct okta_evt, lon), NULL},
};
static const struct gstruct geolocation_d = GS(geolocation_f);

static const struct gfield geo_f[] = {
    SUB("geolocation", geolocation_d), E_STR("city", city), E_STR("state", state),
    E_STR("country", country), E_STR("postalCode", postal_code),
};
static const struct gstruct geo_d = GS(geo_f);

static const struct gfield client_f[] = {
    SUB("userAgent", useragent_d), SUB("geographicalContext", geo_d), E_STR("zone", zone),
    E_STR("ipAddress", ip_address), E_STR("device", device), E_STR("id", client_id),
};
static const struct gstruct client_d = GS(client_f);

static const struct gfield outcome_f[] = {E_STR("result", result), E_STR("reason", reason)};
static const struct gstruct outcome_d = GS(outcome_f);

static const struct gfield transaction_f[] = {E_STR("type", tx_type), E_STR("id", tx_id)};
static const struct gstruct transaction_d = GS(transaction_f);

static const struct gfield principal_f[] = {
    E_STR("id", p_id), E_STR("type", p_type), E_STR("alternateId", p_alternate_id),
    E_STR("displayName", p_display_name),
};
static const struct gstruct principal_d = GS(principal_f);

static const struct gfield debugdata_f[] = {
    E_STR("requestUri", request_uri), SUB("originalPrincipal", principal_d),
    E_STR("behaviors", behaviors), E_STR("logOnlySecurityData", log_only_security_data),
};
static const struct gstruct debugdata_d = GS(debugdata_f);

static const struct gfield debugcontext_f[] = {SUB("debugData", debugdata_d)};
static const struct gstruct debugcontext_d = GS(debugcontext_f);

static const struct gfield authctx_f[] = {
    {"authenticationStep", G_INT, offsetof(struct okta_evt, auth_step), NULL},
    E_STR("externalSessionId", external_session_id),
    E_STR("authenticationProvider", auth_provider),
    E_STR("credentialProvider", credential_provider),
};
static const struct gstruct authctx_d = GS(authctx_f);

static const struct gfield secctx_f[] = {
    {"asNumber", G_INT, offsetof(struct okta_evt, as_number), NULL},
    E_STR("asOrg", as_org), E_STR("isp", isp), E_STR("domain", domain),
    E_STR("isProxy", is_proxy),
};
static const struct gstruct secctx_d = GS(secctx_f);

static const struct gfield logevent_f[] = {
    E_STR("uuid", uuid),
    E_STR("published", published),
    E_STR("eventType", event_type),
    E_STR("version", version),
    E_STR("severity", severity),
    E_STR("legacyEventType", legacy_event_type),
    E_STR("displayMessage", display_message),
    SUB("actor", actor_d),
    SUB("client", client_d),
    SUB("outcome", outcome_d),
    {"target", G_TARGETS, 0, NULL},
    SUB("transaction", transaction_d),
    SUB("debugContext", debugcontext_d),
    SUB("authenticationContext", authctx_d),
    SUB("securityContext", secctx_d),
};
static const struct gstruct logevent_d = GS(logevent_f);

/* ---- per-thread state: the decoded event and the MFA counters ---- */

#define MFA_MAX_TIMES 200   /* the plugin's cache_usermaxsize default */
#define MFA_MAX_KEYS 10000  /* its gcache size */
#define MFA_EXPIRE_NS (UINT64_C(84600) * 1000000000u) /* its cache_expiration default */

struct mfa_entry {
    struct mfa_entry *next;
    uint64_t hash;
    uint64_t last_set; /* event time of the last update */
    uint64_t uses;
    uint64_t *ts; /* distinct timestamps, arrival order */
    size_t n, cap;
    size_t keylen;
    char key[];
};

struct okta_state {
    /* identity of the event decoded last */
    bool have;
    uint64_t num, ts;
    json_ref root;
    const char *input;
    size_t offset;
    /* its decode */
    bool ok;
    struct okta_evt e;
    struct okta_target *targets;
    size_t ntargets, tcap;
    bool mfa; /* it is an event the counters track */
    /* the counters */
    struct mfa_entry **buckets;
    size_t nbuckets, nkeys;
    struct strbuf key;
};

static _Thread_local struct okta_state st;
static char *org; /* okta_extract_set_org */

/* ---- Go-style decode ---- */

static bool key_is(const char *k, size_t kl, const char *name, bool fold)
{
    size_t n = strlen(name);
    if (kl != n)
        return false;
    if (!fold)
        return memcmp(k, name, n) == 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char a = (unsigned char)k[i], b = (unsigned char)name[i];
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (unsigned char)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

static bool decode_struct(json_ref v, const struct gstruct *d, char *base);

static bool decode_targets(json_ref v)
{
    enum json_kind k = json_kind(v);
    if (k == JSON_NULL) {
        st.ntargets = 0;
        return true;
    }
    if (k != JSON_ARRAY)
        return false;
    st.ntargets = 0;
    json_iter it;
    json_ref item;
    json_iter_begin(v, &it);
    while (json_iter_next(&it, &item, NULL, NULL)) {
        if (st.ntargets == st.tcap) {
            st.tcap = st.tcap ? 2 * st.tcap : 8;
            st.targets = xrealloc(st.targets, st.tcap * sizeof *st.targets);
        }
        struct okta_target *t = &st.targets[st.ntargets++];
        memset(t, 0, sizeof *t);
        if (!decode_struct(item, &target_d, (char *)t))
            return false;
    }
    return true;
}

static bool decode_value(json_ref v, const struct gfield *f, char *base)
{
    enum json_kind k = json_kind(v);
    switch (f->kind) {
    case G_STR:
        if (k == JSON_NULL)
            return true;
        if (k != JSON_STRING)
            return false;
        struct sv *s = (struct sv *)(base + f->off);
        return json_get_string(v, &s->s, &s->n);
    case G_INT:
        if (k == JSON_NULL)
            return true;
        /* Go: strconv.ParseInt of the literal; fractions, exponents and
         * values beyond int64 are type errors. */
        if (k != JSON_INT64)
            return false;
        return json_get_int64(v, (int64_t *)(void *)(base + f->off));
    case G_FLOAT:
        if (k == JSON_NULL)
            return true;
        if (k != JSON_INT64 && k != JSON_UINT64 && k != JSON_DOUBLE)
            return false;
        return json_get_double(v, (double *)(void *)(base + f->off));
    case G_STRUCT:
        return decode_struct(v, f->sub, base);
    case G_TARGETS:
        return decode_targets(v);
    }
    return false;
}

static bool decode_struct(json_ref v, const struct gstruct *d, char *base)
{
    enum json_kind k = json_kind(v);
    if (k == JSON_NULL)
        return true;
    if (k != JSON_OBJECT)
        return false;
    json_iter it;
    json_ref val;
    const char *key;
    size_t kl;
    json_iter_begin(v, &it);
    while (json_iter_next(&it, &val, &key, &kl)) {
        const struct gfield *f = NULL;
        for (size_t i = 0; i < d->n && !f; i++)
            if (key_is(key, kl, d->f[i].name, false))
                f = &d->f[i];
        for (size_t i = 0; i < d->n && !f; i++)
            if (key_is(key, kl, d->f[i].name, true))
                f = &d->f[i];
        if (f && !decode_value(val, f, base))
            return false;
    }
    return true;
}

/* ---- MFA counters ---- */

static uint64_t hash_key(const char *s, size_t n)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

static void mfa_free_entry(struct mfa_entry *e)
{
    free(e->ts);
    free(e);
}

static void mfa_remove(struct mfa_entry *e)
{
    struct mfa_entry **pp = &st.buckets[e->hash & (st.nbuckets - 1)];
    while (*pp != e)
        pp = &(*pp)->next;
    *pp = e->next;
    mfa_free_entry(e);
    st.nkeys--;
}

static bool expired(const struct mfa_entry *e, uint64_t now)
{
    return now > e->last_set && now - e->last_set > MFA_EXPIRE_NS;
}

static struct mfa_entry *mfa_find(const char *k, size_t n, uint64_t h)
{
    if (!st.nbuckets)
        return NULL;
    for (struct mfa_entry *e = st.buckets[h & (st.nbuckets - 1)]; e; e = e->next)
        if (e->hash == h && e->keylen == n && memcmp(e->key, k, n) == 0)
            return e;
    return NULL;
}

/* Makes room for one more key: drops expired keys, then the least used. */
static void mfa_make_room(uint64_t now)
{
    for (size_t b = 0; b < st.nbuckets; b++) {
        struct mfa_entry *e = st.buckets[b];
        while (e) {
            struct mfa_entry *next = e->next;
            if (expired(e, now))
                mfa_remove(e);
            e = next;
        }
    }
    while (st.nkeys >= MFA_MAX_KEYS) {
        struct mfa_entry *victim = NULL;
        for (size_t b = 0; b < st.nbuckets; b++)
            for (struct mfa_entry *e = st.buckets[b]; e; e = e->next)
                if (!victim || e->uses < victim->uses ||
                    (e->uses == victim->uses && e->last_set < victim->last_set))
                    victim = e;
        mfa_remove(victim);
    }
}

static struct mfa_entry *mfa_insert(const char *k, size_t n, uint64_t h, uint64_t now)
{
    if (st.nkeys >= MFA_MAX_KEYS)
        mfa_make_room(now);
    if (!st.nbuckets) {
        st.nbuckets = 64;
        st.buckets = xcalloc(st.nbuckets, sizeof *st.buckets);
    } else if (st.nkeys >= st.nbuckets) {
        size_t nb = st.nbuckets * 2;
        struct mfa_entry **nbk = xcalloc(nb, sizeof *nbk);
        for (size_t b = 0; b < st.nbuckets; b++) {
            struct mfa_entry *e = st.buckets[b];
            while (e) {
                struct mfa_entry *next = e->next;
                e->next = nbk[e->hash & (nb - 1)];
                nbk[e->hash & (nb - 1)] = e;
                e = next;
            }
        }
        free(st.buckets);
        st.buckets = nbk;
        st.nbuckets = nb;
    }
    struct mfa_entry *e = xcalloc(1, sizeof *e + n + 1);
    e->hash = h;
    e->keylen = n;
    memcpy(e->key, k, n);
    e->next = st.buckets[h & (st.nbuckets - 1)];
    st.buckets[h & (st.nbuckets - 1)] = e;
    st.nkeys++;
    return e;
}

static void mfa_clear(void)
{
    for (size_t b = 0; b < st.nbuckets; b++) {
        struct mfa_entry *e = st.buckets[b];
        while (e) {
            struct mfa_entry *next = e->next;
            mfa_free_entry(e);
            e = next;
        }
    }
    free(st.buckets);
    st.buckets = NULL;
    st.nbuckets = st.nkeys = 0;
}

static bool sv_eq(struct sv a, const char *lit)
{
    size_t n = strlen(lit);
    return a.n == n && memcmp(a.s, lit, n) == 0;
}

/* "<eventType>:<actor.id>" in st.key. */
static void mfa_key(void)
{
    st.key.len = 0;
    sb_append(&st.key, st.e.event_type.s, st.e.event_type.n);
    sb_putc(&st.key, ':');
    sb_append(&st.key, st.e.actor_id.s, st.e.actor_id.n);
}

/* The plugin's cache update for an MFA event at time ts. */
static void mfa_record(uint64_t ts)
{
    mfa_key();
    uint64_t h = hash_key(st.key.s, st.key.len);
    struct mfa_entry *e = mfa_find(st.key.s, st.key.len, h);
    if (e && expired(e, ts)) {
        mfa_remove(e);
        e = NULL;
    }
    if (!e)
        e = mfa_insert(st.key.s, st.key.len, h, ts);
    e->uses++;
    e->last_set = ts;
    for (size_t i = 0; i < e->n; i++)
        if (e->ts[i] == ts)
            return; /* removeDuplicateUint64 */
    if (e->n == e->cap) {
        e->cap = e->cap ? 2 * e->cap : 4;
        e->ts = xrealloc(e->ts, e->cap * sizeof *e->ts);
    }
    e->ts[e->n++] = ts;
    if (e->n > MFA_MAX_TIMES) {
        memmove(e->ts, e->ts + 1, (e->n - 1) * sizeof *e->ts);
        e->n--;
    }
}

/* ---- per-event decode ---- */

static bool same_event(const struct event *ev)
{
    return st.have && st.num == ev->num && st.ts == ev->ts_ns && st.input == ev->input &&
           st.offset == ev->offset && memcmp(&st.root, &ev->root, sizeof st.root) == 0;
}

static void see_event(const struct event *ev)
{
    if (same_event(ev))
        return;
    if (st.have && ev->num <= st.num)
        mfa_clear(); /* evt.num went back: a new run */
    st.have = true;
    st.num = ev->num;
    st.ts = ev->ts_ns;
    st.root = ev->root;
    st.input = ev->input;
    st.offset = ev->offset;
    memset(&st.e, 0, sizeof st.e);
    st.ntargets = 0;
    st.ok = decode_struct(ev->root, &logevent_d, (char *)&st.e);
    st.mfa = st.ok && (sv_eq(st.e.event_type, "user.mfa.okta_verify.deny_push") ||
                       (sv_eq(st.e.event_type, "user.authentication.auth_via_mfa") &&
                        sv_eq(st.e.result, "FAILURE")));
    if (st.mfa)
        mfa_record(ev->ts_ns);
}

void okta_extract_reset(void)
{
    mfa_clear();
    free(st.targets);
    sb_free(&st.key);
    memset(&st, 0, sizeof st);
}

void okta_extract_set_org(const char *o)
{
    free(org);
    org = o ? xstrdup(o) : NULL;
}

/* ---- Go's %v of a float64 (strconv 'g' with the shortest precision):
 * the shortest digits that read back to the same double, in %e form
 * ("1.5e+06", at least two exponent digits) when the decimal exponent is
 * < -4 or >= 6, else plain ("37.7749", "0.0001"). ---- */

static size_t go_float(double d, char *out /* >= 40 bytes */)
{
    char *p = out;
    if (d != d)
        return (size_t)sprintf(out, "NaN");
    if (d < 0 || (d == 0 && 1 / d < 0)) {
        *p++ = '-';
        d = -d;
    }
    if (d == 0) {
        *p++ = '0';
        *p = '\0';
        return (size_t)(p - out);
    }
    if (d > 1.7976931348623157e308) {
        strcpy(p, "Inf"); /* Go: +Inf / -Inf; JSON has no infinities */
        return (size_t)(p + 3 - out);
    }
    char buf[40];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    /* buf: "d.ddde[+-]xx" */
    char digits[24];
    size_t nd = 0;
    const char *q = buf;
    for (; *q && *q != 'e'; q++)
        if (*q >= '0' && *q <= '9')
            digits[nd++] = *q;
    int exp = atoi(q + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    int dp = exp + 1;
    if (exp < -4 || exp >= 6) {
        *p++ = digits[0];
        if (nd > 1) {
            *p++ = '.';
            memcpy(p, digits + 1, nd - 1);
            p += nd - 1;
        }
        p += sprintf(p, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        return (size_t)(p - out);
    }
    if (dp <= 0) {
        *p++ = '0';
        *p++ = '.';
        for (int i = 0; i < -dp; i++)
            *p++ = '0';
        memcpy(p, digits, nd);
        p += nd;
    } else {
        for (int i = 0; i < dp; i++)
            *p++ = (size_t)i < nd ? digits[i] : '0';
        if ((size_t)dp < nd) {
            *p++ = '.';
            memcpy(p, digits + dp, nd - (size_t)dp);
            p += nd - (size_t)dp;
        }
    }
    *p = '\0';
    return (size_t)(p - out);
}

/* ---- output ---- */

/* A struct sv (document string) as the one value; a missing one is "". */
static void out_str(struct arena *a, struct fvalues *out, struct sv s)
{
    fvalues_set_str(a, out, s.s ? s.s : "", s.s ? s.n : 0);
}

/* ---- handlers ---- */

struct okta_entry;
typedef void (*okta_fn)(const struct okta_entry *e, const struct event *ev,
                        const struct field_ref *f, struct arena *a, struct fvalues *out);
struct okta_entry {
    const char *name;
    okta_fn fn;
    size_t off; /* struct okta_evt / okta_target member of the generic handlers */
    const char *match; /* target type of the okta.target.* fields */
};

static void x_str(const struct okta_entry *e, const struct event *ev, const struct field_ref *f,
                  struct arena *a, struct fvalues *out)
{
    out_str(a, out, *(const struct sv *)(const void *)((const char *)&st.e + e->off));
}

static void x_float(const struct okta_entry *e, const struct event *ev,
                    const struct field_ref *f, struct arena *a, struct fvalues *out)
{
    char buf[48];
    size_t n = go_float(*(const double *)(const void *)((const char *)&st.e + e->off), buf);
    fvalues_set_copy(a, out, buf, n);
}

static void x_app(const struct okta_entry *e, const struct event *ev, const struct field_ref *f,
                  struct arena *a, struct fvalues *out)
{
    struct sv u = st.e.request_uri;
    if (u.n < 5 || memcmp(u.s, "/app/", 5) != 0)
        return;
    size_t end = 5;
    while (end < u.n && u.s[end] != '/')
        end++;
    fvalues_set_copy(a, out, u.s + 5, end - 5);
}

static void x_org(const struct okta_entry *e, const struct event *ev, const struct field_ref *f,
                  struct arena *a, struct fvalues *out)
{
    out_str(a, out, org ? (struct sv){org, strlen(org)} : (struct sv){"", 0});
}

static void x_auth_step(const struct okta_entry *e, const struct event *ev,
                        const struct field_ref *f, struct arena *a, struct fvalues *out)
{
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%" PRId64, st.e.auth_step);
    fvalues_set_copy(a, out, buf, (size_t)n);
}

static void x_asnumber(const struct okta_entry *e, const struct event *ev,
                       const struct field_ref *f, struct arena *a, struct fvalues *out)
{
    fvalues_one(a, out)->as.u = (uint64_t)st.e.as_number;
}

/* The last target of type e->match: its member e->off; absent if none. */
static void x_target(const struct okta_entry *e, const struct event *ev,
                     const struct field_ref *f, struct arena *a, struct fvalues *out)
{
    const struct okta_target *hit = NULL;
    for (size_t i = 0; i < st.ntargets; i++)
        if (sv_eq(st.targets[i].type, e->match))
            hit = &st.targets[i];
    if (hit)
        out_str(a, out, *(const struct sv *)(const void *)((const char *)hit + e->off));
}

static void x_targets_names(const struct okta_entry *e, const struct event *ev,
                            const struct field_ref *f, struct arena *a, struct fvalues *out)
{
    if (!st.ntargets)
        return;
    if (f->has_index) {
        if (f->index < st.ntargets)
            out_str(a, out, st.targets[f->index].display_name);
        return;
    }
    struct strbuf sb = {0};
    sb_putc(&sb, '(');
    for (size_t i = 0; i < st.ntargets; i++) {
        if (i)
            sb_putc(&sb, ',');
        sb_append(&sb, st.targets[i].display_name.s, st.targets[i].display_name.n);
    }
    sb_putc(&sb, ')');
    fvalues_set_copy(a, out, sb.s, sb.len);
    sb_free(&sb);
}

static void x_countlast(const struct okta_entry *e, const struct event *ev,
                        const struct field_ref *f, struct arena *a, struct fvalues *out)
{
    if (!st.mfa)
        return;
    mfa_key();
    const struct mfa_entry *m =
        mfa_find(st.key.s, st.key.len, hash_key(st.key.s, st.key.len));
    if (!m)
        return;
    uint64_t shift = f->has_index ? f->index : 0;
    uint64_t oldest = ev->ts_ns - shift * UINT64_C(1000000000);
    uint64_t count = 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->ts[i] > oldest)
            count++;
    fvalues_one(a, out)->as.u = count;
}

#define OE(name, m) {name, x_str, offsetof(struct okta_evt, m), NULL}
#define OT(name, type, m) {name, x_target, offsetof(struct okta_target, m), type}

static const struct okta_entry entries[] = {
    {"okta.app", x_app, 0, NULL},
    OE("okta.behaviors", behaviors),
    {"okta.org", x_org, 0, NULL},
    OE("okta.evt.type", event_type),
    OE("okta.evt.legacytype", legacy_event_type),
    OE("okta.severity", severity),
    OE("okta.message", display_message),
    OE("okta.published", published),
    OE("okta.logonlysecuritydata", log_only_security_data),
    OE("okta.actor.id", actor_id),
    OE("okta.actor.Type", actor_type),
    OE("okta.actor.alternateid", actor_alternate_id),
    OE("okta.actor.name", actor_display_name),
    OE("okta.client.zone", zone),
    OE("okta.client.ip", ip_address),
    OE("okta.client.device", device),
    OE("okta.client.id", client_id),
    OE("okta.client.geo.city", city),
    OE("okta.client.geo.state", state),
    OE("okta.client.geo.country", country),
    OE("okta.client.geo.postalcode", postal_code),
    {"okta.client.geo.lat", x_float, offsetof(struct okta_evt, lat), NULL},
    {"okta.client.geo.lon", x_float, offsetof(struct okta_evt, lon), NULL},
    OE("okta.useragent.os", ua_os),
    OE("okta.useragent.browser", ua_browser),
    OE("okta.useragent.raw", ua_raw),
    OE("okta.result", result),
    OE("okta.reason", reason),
    OE("okta.transaction.id", tx_id),
    OE("okta.transaction.type", tx_type),
    OE("okta.requesturi", request_uri),
    OE("okta.principal.id", p_id),
    OE("okta.principal.alternateid", p_alternate_id),
    OE("okta.principal.type", p_type),
    OE("okta.principal.name", p_display_name),
    {"okta.authentication.step", x_auth_step, 0, NULL},
    OE("okta.authentication.sessionid", external_session_id),
    OE("okta.authentication.provider", auth_provider),
    OE("okta.authentication.credentialprovider", credential_provider),
    {"okta.security.asnumber", x_asnumber, 0, NULL},
    OE("okta.security.asorg", as_org),
    OE("okta.security.isp", isp),
    OE("okta.security.domain", domain),
    OE("okta.security.isproxy", is_proxy),
    OT("okta.target.user.id", "User", id),
    OT("okta.target.user.alternateid", "User", alternate_id),
    OT("okta.target.user.name", "User", display_name),
    OT("okta.target.group.id", "UserGroup", id),
    OT("okta.target.group.alternateid", "UserGroup", alternate_id),
    OT("okta.target.group.name", "UserGroup", display_name),
    OT("okta.target.app.alternateid", "AppInstance", alternate_id),
    {"okta.targets.displayName", x_targets_names, 0, NULL},
    {"okta.mfa.failure.countlast", x_countlast, 0, NULL},
    {"okta.mfa.deny.countlast", x_countlast, 0, NULL},
};

static struct field_table handlers = FIELD_TABLE_INIT("okta", entries);

static const struct okta_entry *entry_of(const struct field_info *fi)
{
    return field_table_entry(&handlers, fi);
}

bool okta_field_known(const struct field_info *f)
{
    return entry_of(f) != NULL;
}

bool okta_extract(const struct event *ev, const struct field_ref *f, struct arena *a,
                  struct fvalues *out)
{
    out->v = NULL;
    out->n = 0;
    const struct okta_entry *e = entry_of(f->info);
    if (!e)
        return false;
    see_event(ev);
    if (st.ok)
        e->fn(e, ev, f, a, out);
    return true;
}
