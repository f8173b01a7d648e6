/* extract.c: ct.*, s3.*, ec2.*, ecr.*, iam.* and aws.* fields of one
 * CloudTrail record (falco-fields.md section 3, quirks of section 8).
 *
 * Semantics follow the cloudtrail plugin (v0.17.1, extract.go), which reads
 * the record with fastjson:
 *  - a plain string field is absent when its key is missing; a key holding a
 *    non-string value (number, object, null...) gives "" (GetStringBytes);
 *  - ct.request, ct.response, ct.additionaleventdata and ct.resources are
 *    compact JSON text;
 *  - ct.managementevent, ct.readonly, ct.sessioncredentialfromconsole are
 *    "true" only for a JSON true, "false" for any other value, absent when
 *    the key is missing;
 *  - ct.shortsrc: eventSource without a trailing ".amazonaws.com"; when the
 *    suffix is not there the plugin falls through to its generic return and
 *    gives the whole eventSource (falco-fields.md says "absent": the plugin
 *    code at the cited commit does not do that);
 *  - ct.request.documentname never extracts (the plugin's switch spells it
 *    documentName);
 *  - uint64 fields accept integers, and floats truncated as Go's
 *    uint64(float64) does on amd64.
 *
 * Dispatch: the handler of each row of the field table is found once (by
 * name, the first time anything is extracted); afterwards a field is one
 * pointer subtraction and an indexed call. */
#include "extract.h"
#include "extractors.h"
#include "field_table.h" /* the shared declarations; checked against ours */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- JSON helpers (fastjson semantics) ---- */

/* Value at a path of object keys (fastjson Get(keys...)). */
static bool get_path(json_ref v, const char *const *keys, json_ref *out)
{
    for (; *keys; keys++) {
        if (!json_object_get(v, *keys, strlen(*keys), &v))
            return false;
    }
    *out = v;
    return true;
}

static bool get1(json_ref v, const char *k, json_ref *out)
{
    return json_object_get(v, k, strlen(k), out);
}

struct sv {
    const char *s;
    size_t n;
};

/* fastjson GetStringBytes of a present value: its text if a string, else "". */
static struct sv str_of(json_ref v)
{
    struct sv r = {"", 0};
    if (!json_get_string(v, &r.s, &r.n)) {
        r.s = "";
        r.n = 0;
    }
    return r;
}

/* Present only if the value at the path is a JSON string (GetStringBytes
 * with keys returns nil otherwise). */
static bool str_at(json_ref root, const char *const *keys, struct sv *out)
{
    json_ref v;
    return get_path(root, keys, &v) && json_get_string(v, &out->s, &out->n);
}

static bool sv_eq(struct sv a, const char *lit)
{
    size_t n = strlen(lit);
    return a.n == n && memcmp(a.s, lit, n) == 0;
}

static bool is_true(json_ref v)
{
    bool b;
    return json_kind(v) == JSON_BOOL && json_get_bool(v, &b) && b;
}

/* Go's uint64(float64) as compiled for amd64 (the plugin's conversion of
 * float byte counts): truncation below 2^63, negative values wrap through
 * int64, out of range gives 1<<63. */
static uint64_t go_f2u(double d)
{
    const double two63 = 9223372036854775808.0;
    if (d != d)
        return UINT64_C(1) << 63;
    if (d < two63) {
        if (d <= -two63)
            return UINT64_C(1) << 63;
        return (uint64_t)(int64_t)d;
    }
    double y = d - two63;
    if (y >= two63)
        return UINT64_C(1) << 63;
    return (uint64_t)(int64_t)y | (UINT64_C(1) << 63);
}

/* getvalueU64: Uint64() of an integer, else Float64() truncated, else 0. */
static uint64_t u64_of(json_ref v)
{
    switch (json_kind(v)) {
    case JSON_UINT64: {
        uint64_t u = 0;
        json_get_uint64(v, &u);
        return u;
    }
    case JSON_INT64: {
        int64_t i = 0;
        json_get_int64(v, &i);
        if (i >= 0)
            return (uint64_t)i;
        return go_f2u((double)i); /* ParseUint64 fails on "-n"; Float64 then */
    }
    case JSON_DOUBLE: {
        double d = 0;
        json_get_double(v, &d);
        return go_f2u(d);
    }
    default:
        return 0;
    }
}

/* ---- output ---- */

/* A struct sv (document string) as the one value. */
static void out_str(struct arena *a, struct fvalues *out, struct sv s)
{
    fvalues_set_str(a, out, s.s, s.n);
}

static void out_u64(struct arena *a, struct fvalues *out, uint64_t u)
{
    fvalues_one(a, out)->as.u = u;
}

/* ---- derived values shared by several fields and ct.info ---- */

#define P(...) ((const char *const[]){__VA_ARGS__, NULL})

/* getUser: by userIdentity.type. */
static bool ct_user(json_ref r, struct sv *out)
{
    struct sv t;
    json_ref v;
    if (!str_at(r, P("userIdentity", "type"), &t))
        return false;
    if (sv_eq(t, "Root") || sv_eq(t, "IAMUser")) {
        if (!get_path(r, P("userIdentity", "userName"), &v))
            return false;
    } else if (sv_eq(t, "AWSService")) {
        if (!get_path(r, P("userIdentity", "invokedBy"), &v))
            return false;
    } else if (sv_eq(t, "AssumedRole")) {
        if (!get_path(r, P("userIdentity", "sessionContext", "sessionIssuer", "userName"), &v)) {
            *out = (struct sv){"AssumedRole", 11};
            return true;
        }
    } else if (sv_eq(t, "AWSAccount") || sv_eq(t, "FederatedUser")) {
        *out = t;
        return true;
    } else {
        return false;
    }
    *out = str_of(v);
    return true;
}

/* Present if the key exists (any value: a non-string gives ""). */
static bool str_present(json_ref r, const char *const *keys, struct sv *out)
{
    json_ref v;
    if (!get_path(r, keys, &v))
        return false;
    *out = str_of(v);
    return true;
}

static bool ct_readonly(json_ref r, struct sv *out)
{
    json_ref v;
    if (!get1(r, "readOnly", &v))
        return false;
    *out = is_true(v) ? (struct sv){"true", 4} : (struct sv){"false", 5};
    return true;
}

/* s3.bytes: in + out; present if either key exists. */
static bool s3_bytes(json_ref r, uint64_t *out)
{
    json_ref vi, vo;
    bool hi = get_path(r, P("additionalEventData", "bytesTransferredIn"), &vi);
    bool ho = get_path(r, P("additionalEventData", "bytesTransferredOut"), &vo);
    *out = (hi ? u64_of(vi) : 0) + (ho ? u64_of(vo) : 0);
    return hi || ho;
}

/* s3.uri: bucketName and key both JSON strings. */
static bool s3_uri(json_ref r, struct sv *bucket, struct sv *key)
{
    return str_at(r, P("requestParameters", "bucketName"), bucket) &&
           str_at(r, P("requestParameters", "key"), key);
}

/* ---- handlers ---- */

struct ct_entry;
typedef void (*ct_fn)(const struct ct_entry *e, json_ref r, const struct field_ref *f,
                      struct arena *a, struct fvalues *out);
struct ct_entry {
    const char *name;
    ct_fn fn;
    const char *const *keys; /* path for the generic handlers */
};

/* A string at a path: absent if missing, "" if not a string. */
static void x_str(const struct ct_entry *e, json_ref r, const struct field_ref *f, struct arena *a,
                  struct fvalues *out)
{
    struct sv s;
    if (str_present(r, e->keys, &s))
        out_str(a, out, s);
}

/* Any value at a path as compact JSON text. */
static void x_text(const struct ct_entry *e, json_ref r, const struct field_ref *f,
                   struct arena *a, struct fvalues *out)
{
    json_ref v;
    if (!get_path(r, e->keys, &v))
        return;
    size_t n;
    const char *t = json_to_text(v, &n);
    fvalues_set_copy(a, out, t, n);
}

/* "true" for a JSON true, "false" for anything else, absent if missing. */
static void x_boolstr(const struct ct_entry *e, json_ref r, const struct field_ref *f,
                      struct arena *a, struct fvalues *out)
{
    json_ref v;
    if (get_path(r, e->keys, &v))
        out_str(a, out, is_true(v) ? (struct sv){"true", 4} : (struct sv){"false", 5});
}

static void x_never(const struct ct_entry *e, json_ref r, const struct field_ref *f,
                    struct arena *a, struct fvalues *out)
{
}

static void x_shortsrc(const struct ct_entry *e, json_ref r, const struct field_ref *f,
                       struct arena *a, struct fvalues *out)
{
    static const char suffix[] = ".amazonaws.com";
    const size_t sl = sizeof suffix - 1;
    struct sv s;
    if (!str_present(r, P("eventSource"), &s))
        return;
    if (s.n > sl && memcmp(s.s + s.n - sl, suffix, sl) == 0)
        fvalues_set_copy(a, out, s.s, s.n - sl);
    else
        out_str(a, out, s);
}

static void x_user(const struct ct_entry *e, json_ref r, const struct field_ref *f,
                   struct arena *a, struct fvalues *out)
{
    struct sv s;
    if (ct_user(r, &s))
        out_str(a, out, s);
}

/* AssumedRole: session name from the ARN (3 "/" parts) or the principal
 * ("id:session"); any other type: userIdentity.userName. */
static void x_originaluser(const struct ct_entry *e, json_ref r, const struct field_ref *f,
                           struct arena *a, struct fvalues *out)
{
    struct sv t, s;
    json_ref v;
    if (str_at(r, P("userIdentity", "type"), &t) && sv_eq(t, "AssumedRole")) {
        if (get_path(r, P("userIdentity", "arn"), &v)) {
            s = str_of(v);
            size_t parts = 1, last = 0;
            for (size_t i = 0; i < s.n; i++)
                if (s.s[i] == '/') {
                    parts++;
                    last = i + 1;
                }
            if (parts == 3) {
                out_str(a, out, (struct sv){s.s + last, s.n - last}); /* a suffix: NUL-terminated */
                return;
            }
        }
        if (get_path(r, P("userIdentity", "principalId"), &v)) {
            s = str_of(v);
            size_t parts = 1, first = 0;
            for (size_t i = 0; i < s.n; i++)
                if (s.s[i] == ':') {
                    if (parts == 1)
                        first = i + 1;
                    parts++;
                }
            if (parts == 2) {
                out_str(a, out, (struct sv){s.s + first, s.n - first});
                return;
            }
        }
        return;
    }
    if (str_present(r, P("userIdentity", "userName"), &s))
        out_str(a, out, s);
}

static void x_accountid(const struct ct_entry *e, json_ref r, const struct field_ref *f,
                        struct arena *a, struct fvalues *out)
{
    struct sv s;
    if (str_present(r, P("userIdentity", "accountId"), &s) ||
        str_present(r, P("recipientAccountId"), &s))
        out_str(a, out, s);
}

static void x_readonly(const struct ct_entry *e, json_ref r, const struct field_ref *f,
                       struct arena *a, struct fvalues *out)
{
    struct sv s;
    if (ct_readonly(r, &s))
        out_str(a, out, s);
}

/* resources[] elements as JSON text joined by ","; absent when empty or not
 * an array. */
static void x_resources(const struct ct_entry *e, json_ref r, const struct field_ref *f,
                        struct arena *a, struct fvalues *out)
{
    json_ref v, item;
    if (!get1(r, "resources", &v) || json_kind(v) != JSON_ARRAY)
        return;
    struct strbuf sb = {0};
    json_iter it;
    json_iter_begin(v, &it);
    bool first = true;
    while (json_iter_next(&it, &item, NULL, NULL)) {
        size_t n;
        const char *t = json_to_text(item, &n);
        if (!first)
            sb_putc(&sb, ',');
        sb_append(&sb, t, n);
        first = false;
    }
    if (sb.len)
        fvalues_set_copy(a, out, sb.s, sb.len);
    sb_free(&sb);
}

static void x_s3uri(const struct ct_entry *e, json_ref r, const struct field_ref *f,
                    struct arena *a, struct fvalues *out)
{
    struct sv b, k;
    if (!s3_uri(r, &b, &k))
        return;
    size_t n = 5 + b.n + 1 + k.n;
    char *p = arena_alloc(a, n + 1);
    memcpy(p, "s3://", 5);
    memcpy(p + 5, b.s, b.n);
    p[5 + b.n] = '/';
    memcpy(p + 6 + b.n, k.s, k.n);
    p[n] = '\0';
    struct fvalue *v = fvalues_one(a, out);
    v->str = p;
    v->len = n;
}

static void x_s3bytes(const struct ct_entry *e, json_ref r, const struct field_ref *f,
                      struct arena *a, struct fvalues *out)
{
    uint64_t u;
    if (s3_bytes(r, &u))
        out_u64(a, out, u);
}

/* A number at a path (s3.bytes.in/out). */
static void x_u64(const struct ct_entry *e, json_ref r, const struct field_ref *f,
                  struct arena *a, struct fvalues *out)
{
    json_ref v;
    if (get_path(r, e->keys, &v))
        out_u64(a, out, u64_of(v));
}

static struct sv event_name(json_ref r)
{
    struct sv s;
    if (!str_at(r, P("eventName"), &s))
        s = (struct sv){"", 0};
    return s;
}

static void x_cnt_get(const struct ct_entry *e, json_ref r, const struct field_ref *f,
                      struct arena *a, struct fvalues *out)
{
    if (sv_eq(event_name(r), "GetObject"))
        out_u64(a, out, 1);
}

static void x_cnt_put(const struct ct_entry *e, json_ref r, const struct field_ref *f,
                      struct arena *a, struct fvalues *out)
{
    if (sv_eq(event_name(r), "PutObject"))
        out_u64(a, out, 1);
}

static void x_cnt_other(const struct ct_entry *e, json_ref r, const struct field_ref *f,
                        struct arena *a, struct fvalues *out)
{
    struct sv n = event_name(r);
    if (!sv_eq(n, "GetObject") && !sv_eq(n, "PutObject"))
        out_u64(a, out, 1);
}

/* Value of the "Name" tag of the instance items of the tag specification
 * (the last instance item that has one wins); absent if "". */
static void x_ec2name(const struct ct_entry *e, json_ref r, const struct field_ref *f,
                      struct arena *a, struct fvalues *out)
{
    json_ref items, item, tags, tag, v;
    if (!get_path(r, P("requestParameters", "tagSpecificationSet", "items"), &items) ||
        json_kind(items) != JSON_ARRAY)
        return;
    struct sv name = {"", 0};
    json_iter it;
    json_iter_begin(items, &it);
    while (json_iter_next(&it, &item, NULL, NULL)) {
        struct sv rt;
        if (!str_at(item, P("resourceType"), &rt) || !sv_eq(rt, "instance"))
            continue;
        if (!get1(item, "tags", &tags) || json_kind(tags) != JSON_ARRAY)
            continue;
        json_iter jt;
        json_iter_begin(tags, &jt);
        while (json_iter_next(&jt, &tag, NULL, NULL)) {
            struct sv k;
            if (str_at(tag, P("key"), &k) && sv_eq(k, "Name")) {
                name = get1(tag, "value", &v) ? str_of(v) : (struct sv){"", 0};
                break;
            }
        }
    }
    if (name.n)
        out_str(a, out, name);
}

/* getImageIds: the image IDs of responseElements.instancesSet.items (all of
 * them without an index: the non-empty ones; with an index: that item's,
 * absent if it has no imageId); without that path, one ID from the request
 * (index 0 only). */
static void image_ids(json_ref r, bool has_index, uint64_t index, struct arena *a,
                      struct fvalues *out)
{
    json_ref items, item, v;
    if (get_path(r, P("responseElements", "instancesSet", "items"), &items)) {
        if (json_kind(items) != JSON_ARRAY)
            return;
        size_t n = json_array_size(items);
        if (has_index) {
            if (index < n && json_array_at(items, (size_t)index, &item) &&
                get1(item, "imageId", &v))
                out_str(a, out, str_of(v));
            return;
        }
        if (n == 0)
            return;
        struct fvalue *vals = arena_alloc(a, n * sizeof *vals);
        size_t k = 0;
        json_iter it;
        json_iter_begin(items, &it);
        while (json_iter_next(&it, &item, NULL, NULL) && k < n) {
            struct sv s;
            if (!str_at(item, P("imageId"), &s) || s.n == 0)
                continue;
            memset(&vals[k], 0, sizeof vals[k]);
            vals[k].str = s.s;
            vals[k].len = s.n;
            k++;
        }
        if (k) {
            out->v = vals;
            out->n = k;
        }
        return;
    }
    if (has_index && index != 0)
        return;
    struct sv s;
    if (str_present(r, P("requestParameters", "imageId"), &s) ||
        str_present(r, P("requestParameters", "DescribeFastLaunchImagesRequest", "ImageId", "content"), &s) ||
        str_present(r, P("requestParameters", "launchSpecification", "imageId"), &s))
        out_str(a, out, s);
}

static void x_imageid(const struct ct_entry *e, json_ref r, const struct field_ref *f,
                      struct arena *a, struct fvalues *out)
{
    image_ids(r, true, 0, a, out);
}

static void x_imageids(const struct ct_entry *e, json_ref r, const struct field_ref *f,
                       struct arena *a, struct fvalues *out)
{
    image_ids(r, f->has_index, f->index, a, out);
}

/* ct.info: "<user> via <srcip> [!]<←|→> <name>" plus S3 or host details. */
static void x_info(const struct ct_entry *e, json_ref r, const struct field_ref *f,
                   struct arena *a, struct fvalues *out)
{
    struct sv user, srcip, name, ro, tmp, b, k;
    const char *msg = NULL;
    if (!ct_user(r, &user))
        msg = "<invalid cloudtrail event: userIdentity field missing>";
    else if (!str_present(r, P("sourceIPAddress"), &srcip))
        msg = "<invalid cloudtrail event: eventSource field missing>";
    else if (!str_present(r, P("eventName"), &name))
        msg = "<invalid cloudtrail event: eventName field missing>";
    if (msg) {
        out_str(a, out, (struct sv){msg, strlen(msg)});
        return;
    }
    bool err = str_present(r, P("errorCode"), &tmp);
    const char *rw = ct_readonly(r, &ro) && sv_eq(ro, "false") ? "\xe2\x86\x92" : "\xe2\x86\x90";

    struct strbuf sb = {0};
    sb_append(&sb, user.s, user.n);
    if (!(user.n == srcip.n && memcmp(user.s, srcip.s, user.n) == 0)) {
        sb_puts(&sb, " via ");
        sb_append(&sb, srcip.s, srcip.n);
    }
    sb_putc(&sb, ' ');
    if (err)
        sb_putc(&sb, '!');
    sb_puts(&sb, rw);
    sb_putc(&sb, ' ');
    sb_append(&sb, name.s, name.n);

    json_ref pac;
    uint64_t bytes;
    if (sv_eq(name, "PutBucketPublicAccessBlock")) {
        /* The plugin reads the four flags from the record's top level (a
         * bug), so they are false unless the record itself has them. */
        if (get_path(r, P("requestParameters", "PublicAccessBlockConfiguration"), &pac) &&
            json_kind(pac) == JSON_OBJECT) {
            static const char *const flags[] = {"BlockPublicAcls", "BlockPublicPolicy",
                                                "IgnorePublicAcls", "RestrictPublicBuckets"};
            for (size_t i = 0; i < 4; i++) {
                json_ref fv;
                bool t = get1(r, flags[i], &fv) && is_true(fv);
                sb_printf(&sb, " %s=%s", flags[i], t ? "true" : "false");
            }
            sb_putc(&sb, ' ');
        }
    } else {
        if (s3_bytes(r, &bytes))
            sb_printf(&sb, " Size=%llu", (unsigned long long)bytes);
        if (s3_uri(r, &b, &k)) {
            sb_puts(&sb, " URI=s3://");
            sb_append(&sb, b.s, b.n);
            sb_putc(&sb, '/');
            sb_append(&sb, k.s, k.n);
        } else if (str_present(r, P("requestParameters", "bucketName"), &tmp)) {
            sb_puts(&sb, " Bucket=");
            sb_append(&sb, tmp.s, tmp.n);
        } else if (str_present(r, P("requestParameters", "key"), &tmp)) {
            sb_puts(&sb, " Key=");
            sb_append(&sb, tmp.s, tmp.n);
        } else if (str_present(r, P("requestParameters", "Host"), &tmp)) {
            sb_puts(&sb, " Host=");
            sb_append(&sb, tmp.s, tmp.n);
        }
    }
    fvalues_set_copy(a, out, sb.s, sb.len);
    sb_free(&sb);
}

/* ---- the table ---- */

static const struct ct_entry entries[] = {
    {"ct.id", x_str, P("eventID")},
    {"ct.error", x_str, P("errorCode")},
    {"ct.errormessage", x_str, P("errorMessage")},
    {"ct.time", x_str, P("eventTime")},
    {"ct.src", x_str, P("eventSource")},
    {"ct.shortsrc", x_shortsrc, NULL},
    {"ct.name", x_str, P("eventName")},
    {"ct.user", x_user, NULL},
    {"ct.originaluser", x_originaluser, NULL},
    {"ct.user.accountid", x_accountid, NULL},
    {"ct.user.identitytype", x_str, P("userIdentity", "type")},
    {"ct.user.principalid", x_str, P("userIdentity", "principalId")},
    {"ct.user.arn", x_str, P("userIdentity", "arn")},
    {"ct.region", x_str, P("awsRegion")},
    {"ct.response.subnetid", x_str, P("responseElements", "subnetId")},
    {"ct.response.reservationid", x_str, P("responseElements", "reservationId")},
    {"ct.response", x_text, P("responseElements")},
    {"ct.request.availabilityzone", x_str, P("requestParameters", "availabilityZone")},
    {"ct.request.cluster", x_str, P("requestParameters", "cluster")},
    {"ct.request.functionname", x_str, P("requestParameters", "functionName")},
    {"ct.request.groupname", x_str, P("requestParameters", "groupName")},
    {"ct.request.host", x_str, P("requestParameters", "Host")},
    {"ct.request.name", x_str, P("requestParameters", "name")},
    {"ct.request.policy", x_str, P("requestParameters", "policy")},
    {"ct.request.reason", x_str, P("requestParameters", "reason")},
    {"ct.request.target", x_str, P("requestParameters", "target")},
    {"ct.request.documentname", x_never, NULL},
    {"ct.request.serialnumber", x_str, P("requestParameters", "serialNumber")},
    {"ct.request.servicename", x_str, P("requestParameters", "serviceName")},
    {"ct.request.subnetid", x_str, P("requestParameters", "subnetId")},
    {"ct.request.taskdefinition", x_str, P("requestParameters", "taskDefinition")},
    {"ct.request.username", x_str, P("requestParameters", "userName")},
    {"ct.request", x_text, P("requestParameters")},
    {"ct.srcip", x_str, P("sourceIPAddress")},
    {"ct.useragent", x_str, P("userAgent")},
    {"ct.info", x_info, NULL},
    {"ct.managementevent", x_boolstr, P("managementEvent")},
    {"ct.readonly", x_readonly, NULL},
    {"ct.requestid", x_str, P("requestID")},
    {"ct.eventtype", x_str, P("eventType")},
    {"ct.apiversion", x_str, P("apiVersion")},
    {"ct.resources", x_resources, NULL},
    {"ct.recipientaccountid", x_str, P("recipientAccountId")},
    {"ct.serviceeventdetails", x_str, P("serviceEventDetails")},
    {"ct.sharedeventid", x_str, P("sharedEventID")},
    {"ct.vpcendpointid", x_str, P("vpcEndpointId")},
    {"ct.eventcategory", x_str, P("eventCategory")},
    {"ct.addendum.reason", x_str, P("addendum", "reason")},
    {"ct.addendum.updatedfields", x_str, P("addendum", "updatedFields")},
    {"ct.addendum.originalrequestid", x_str, P("addendum", "originalRequestID")},
    {"ct.addendum.originaleventid", x_str, P("addendum", "originalEventID")},
    {"ct.sessioncredentialfromconsole", x_boolstr, P("sessionCredentialFromConsole")},
    {"ct.edgedevicedetails", x_str, P("edgeDeviceDetails")},
    {"ct.tlsdetails.tlsversion", x_str, P("tlsDetails", "tlsVersion")},
    {"ct.tlsdetails.ciphersuite", x_str, P("tlsDetails", "cipherSuite")},
    {"ct.tlsdetails.clientprovidedhostheader", x_str, P("tlsDetails", "clientProvidedHostHeader")},
    {"ct.additionaleventdata", x_text, P("additionalEventData")},
    {"s3.uri", x_s3uri, NULL},
    {"s3.bucket", x_str, P("requestParameters", "bucketName")},
    {"s3.key", x_str, P("requestParameters", "key")},
    {"s3.bytes", x_s3bytes, NULL},
    {"s3.bytes.in", x_u64, P("additionalEventData", "bytesTransferredIn")},
    {"s3.bytes.out", x_u64, P("additionalEventData", "bytesTransferredOut")},
    {"s3.cnt.get", x_cnt_get, NULL},
    {"s3.cnt.put", x_cnt_put, NULL},
    {"s3.cnt.other", x_cnt_other, NULL},
    {"ec2.name", x_ec2name, NULL},
    {"ec2.imageid", x_imageid, NULL},
    {"ec2.imageids", x_imageids, NULL},
    {"ecr.repository", x_str, P("requestParameters", "repositoryName")},
    {"ecr.imagetag", x_str, P("requestParameters", "imageTag")},
    {"iam.role", x_str, P("requestParameters", "roleName")},
    {"iam.policy", x_str, P("requestParameters", "policyName")},
    /* aws.* aliases: exactly their ct.* field */
    {"aws.eventSource", x_str, P("eventSource")},
    {"aws.eventName", x_str, P("eventName")},
    {"aws.user", x_user, NULL},
    {"aws.sourceIP", x_str, P("sourceIPAddress")},
    {"aws.region", x_str, P("awsRegion")},
    {"aws.errorCode", x_str, P("errorCode")},
};

/* The handler of each row of the schema table (NULL if none). */
static struct field_table handlers = FIELD_TABLE_INIT("aws_cloudtrail", entries);

static const struct ct_entry *entry_of(const struct field_info *fi)
{
    return field_table_entry(&handlers, fi);
}

bool aws_cloudtrail_field_known(const struct field_info *f)
{
    return entry_of(f) != NULL;
}

bool aws_cloudtrail_extract(const struct event *ev, const struct field_ref *f, struct arena *a,
                            struct fvalues *out)
{
    out->v = NULL;
    out->n = 0;
    const struct ct_entry *e = entry_of(f->info);
    if (!e)
        return false;
    e->fn(e, ev->root, f, a, out);
    return true;
}
