/* test_ct_extract.c: the aws_cloudtrail extractor (plugins/aws_cloudtrail/
 * extract.c) on the sample records of ../shared/peer/events/cloudtrail and
 * on hand-written records for the quirks of falco-fields.md 3 and 8 (and of
 * the cloudtrail plugin's extract.go where the spec text differs). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_cloudtrail/extract.h"
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

/* A record of a CloudTrail file ({"Records": [...]}). */
static json_ref record(json_ref file, size_t i)
{
    json_ref recs, r;
    ck_assert(json_object_get(file, "Records", 7, &recs));
    json_iter it;
    json_iter_begin(recs, &it);
    for (size_t k = 0; json_iter_next(&it, &r, NULL, NULL); k++)
        if (k == i)
            return r;
    ck_abort_msg("no record %zu", i);
    return r;
}

static const struct field_info *lookup(const char *name)
{
    const struct source_schema *s = schema_source("aws_cloudtrail");
    ck_assert_ptr_nonnull(s);
    const char *dotted = NULL;
    const struct field_info *fi = schema_lookup(s, name, &dotted);
    ck_assert_msg(fi != NULL, "no field %s", name);
    return fi;
}

/* Extracts "name" or "name[N]" from root. */
static struct fvalues ex(json_ref root, const char *spec)
{
    char name[128];
    struct field_ref f = {0};
    const char *br = strchr(spec, '[');
    size_t n = br ? (size_t)(br - spec) : strlen(spec);
    ck_assert(n < sizeof name);
    memcpy(name, spec, n);
    name[n] = '\0';
    f.info = lookup(name);
    if (br) {
        f.arg = br + 1;
        f.has_index = true;
        f.index = strtoull(br + 1, NULL, 10);
    }
    struct event ev = {.root = root, .num = ++evnum, .source = "aws_cloudtrail", .input = "-"};
    struct fvalues out = {(struct fvalue *)1, 99};
    ck_assert_msg(aws_cloudtrail_extract(&ev, &f, &arena, &out), "%s not known", spec);
    return out;
}

#define STR(root, field, want)                                                              \
    do {                                                                                    \
        struct fvalues v_ = ex((root), (field));                                            \
        ck_assert_msg(v_.n == 1, "%s: %zu values, want \"%s\"", (field), v_.n, (want));     \
        ck_assert_msg(v_.v[0].len == strlen(want) && memcmp(v_.v[0].str, (want), v_.v[0].len) == 0, \
                      "%s: \"%.*s\", want \"%s\"", (field), (int)v_.v[0].len, v_.v[0].str, (want)); \
        ck_assert_msg(v_.v[0].str[v_.v[0].len] == '\0', "%s: not NUL-terminated", (field)); \
    } while (0)

#define ABSENT(root, field)                                                                 \
    do {                                                                                    \
        struct fvalues v_ = ex((root), (field));                                            \
        ck_assert_msg(v_.n == 0, "%s: %zu values, want none (first \"%.*s\")", (field), v_.n, \
                      v_.n ? (int)v_.v[0].len : 0, v_.n ? v_.v[0].str : "");               \
    } while (0)

#define U64(root, field, want)                                                              \
    do {                                                                                    \
        struct fvalues v_ = ex((root), (field));                                            \
        ck_assert_msg(v_.n == 1, "%s: %zu values", (field), v_.n);                          \
        ck_assert_msg(v_.v[0].as.u == (uint64_t)(want), "%s: %llu, want %llu", (field),     \
                      (unsigned long long)v_.v[0].as.u, (unsigned long long)(want));        \
    } while (0)

static void list_is(json_ref root, const char *field, const char *const *want, size_t n)
{
    struct fvalues v = ex(root, field);
    ck_assert_msg(v.n == n, "%s: %zu values, want %zu", field, v.n, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(v.v[i].len == strlen(want[i]) && memcmp(v.v[i].str, want[i], v.v[i].len) == 0,
                      "%s[%zu]: \"%.*s\", want \"%s\"", field, i, (int)v.v[i].len, v.v[i].str,
                      want[i]);
}

static char *sample(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/peer/events/cloudtrail/%s", STOOP_SHARED_DIR, name);
    size_t len;
    char *text = read_file(path, &len);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    return text;
}

/* ---- every row of the table has a handler ---- */

START_TEST(every_field_known)
{
    const struct source_schema *s = schema_source("aws_cloudtrail");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->nfields, 79);
    for (size_t i = 0; i < s->nfields; i++)
        ck_assert_msg(aws_cloudtrail_field_known(&s->fields[i]), "%s has no extractor",
                      s->fields[i].name);
    /* a field of another table is not ours */
    const struct source_schema *g = schema_source("github");
    ck_assert(!aws_cloudtrail_field_known(&g->fields[0]));
    struct field_ref f = {.info = &g->fields[0]};
    json_ref r = parse("{}");
    struct event ev = {.root = r, .num = 1};
    struct fvalues out = {(struct fvalue *)1, 5};
    ck_assert(!aws_cloudtrail_extract(&ev, &f, &arena, &out));
    ck_assert_uint_eq(out.n, 0);
}
END_TEST

/* ---- the samples ---- */

/* alice_start_instances.json: an IAMUser StartInstances record. */
static void check_alice(json_ref r)
{
    ABSENT(r, "ct.id"); /* no eventID */
    ABSENT(r, "ct.error");
    ABSENT(r, "ct.errormessage");
    STR(r, "ct.time", "2014-03-06T21:22:54Z");
    STR(r, "ct.src", "ec2.amazonaws.com");
    STR(r, "ct.shortsrc", "ec2");
    STR(r, "ct.name", "StartInstances");
    STR(r, "ct.user", "Alice");         /* IAMUser -> userIdentity.userName */
    STR(r, "ct.originaluser", "Alice"); /* not AssumedRole -> userName */
    STR(r, "ct.user.accountid", "123456789012");
    STR(r, "ct.user.identitytype", "IAMUser");
    STR(r, "ct.user.principalid", "EX_PRINCIPAL_ID");
    STR(r, "ct.user.arn", "arn:aws:iam::123456789012:user/Alice");
    STR(r, "ct.region", "us-east-2");
    ABSENT(r, "ct.response.subnetid");
    ABSENT(r, "ct.response.reservationid");
    /* python3: json.dumps(r['responseElements'], separators=(',',':')) */
    STR(r, "ct.response",
        "{\"instancesSet\":{\"items\":[{\"instanceId\":\"i-ebeaf9e2\",\"currentState\":{\"code\":0,"
        "\"name\":\"pending\"},\"previousState\":{\"code\":80,\"name\":\"stopped\"}}]}}");
    STR(r, "ct.request", "{\"instancesSet\":{\"items\":[{\"instanceId\":\"i-ebeaf9e2\"}]}}");
    ABSENT(r, "ct.request.availabilityzone");
    ABSENT(r, "ct.request.host");
    ABSENT(r, "ct.request.username");
    ABSENT(r, "ct.request.documentname");
    STR(r, "ct.srcip", "205.251.233.176");
    STR(r, "ct.useragent", "ec2-api-tools 1.6.12.2");
    /* no readOnly -> "←"; no error; no S3 or Host details */
    STR(r, "ct.info", "Alice via 205.251.233.176 \xe2\x86\x90 StartInstances");
    ABSENT(r, "ct.managementevent");
    ABSENT(r, "ct.readonly");
    ABSENT(r, "ct.requestid");
    STR(r, "ct.eventtype", "AwsApiCall");
    ABSENT(r, "ct.apiversion");
    ABSENT(r, "ct.resources");
    ABSENT(r, "ct.recipientaccountid");
    ABSENT(r, "ct.sessioncredentialfromconsole");
    ABSENT(r, "ct.tlsdetails.tlsversion");
    ABSENT(r, "ct.additionaleventdata");
    ABSENT(r, "s3.uri");
    ABSENT(r, "s3.bucket");
    ABSENT(r, "s3.key");
    ABSENT(r, "s3.bytes");
    ABSENT(r, "s3.bytes.in");
    ABSENT(r, "s3.cnt.get");
    ABSENT(r, "s3.cnt.put");
    U64(r, "s3.cnt.other", 1);
    ABSENT(r, "ec2.name");
    /* responseElements.instancesSet.items exists but has no imageId: no
     * fallback to the request */
    ABSENT(r, "ec2.imageid");
    ABSENT(r, "ec2.imageids");
    ABSENT(r, "ec2.imageids[0]");
    ABSENT(r, "ecr.repository");
    ABSENT(r, "iam.role");
    /* aliases */
    STR(r, "aws.eventSource", "ec2.amazonaws.com");
    STR(r, "aws.eventName", "StartInstances");
    STR(r, "aws.user", "Alice");
    STR(r, "aws.sourceIP", "205.251.233.176");
    STR(r, "aws.region", "us-east-2");
    ABSENT(r, "aws.errorCode");
}

START_TEST(sample_alice)
{
    char *text = sample("alice_start_instances.json");
    check_alice(record(parse(text), 0));
    free(text);
}
END_TEST

START_TEST(sample_alice_bigevent)
{
    /* the same record with a 64737-byte extra string field */
    char *text = sample("alice_start_instances_bigevent.json");
    check_alice(record(parse(text), 0));
    free(text);
}
END_TEST

/* ---- aws.* aliases equal their ct.* field on every record here ---- */

static const char *const alias_pairs[][2] = {
    {"aws.eventSource", "ct.src"}, {"aws.eventName", "ct.name"}, {"aws.user", "ct.user"},
    {"aws.sourceIP", "ct.srcip"},  {"aws.region", "ct.region"},  {"aws.errorCode", "ct.error"},
};

/* Long records are split over lines; the parentheses tell clang the
 * concatenation is meant. */
static const char *const alias_records[] = {
    ("{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"userIdentity\":{\"type\":"
     "\"AssumedRole\"},\"sourceIPAddress\":\"1.2.3.4\",\"awsRegion\":\"eu-west-1\",\"errorCode\":"
     "\"AccessDenied\"}"),
    ("{\"eventSource\":5,\"eventName\":null,\"userIdentity\":{\"type\":\"Root\",\"userName\":7},"
     "\"sourceIPAddress\":{},\"awsRegion\":[],\"errorCode\":true}"),
    "{}",
    "{\"userIdentity\":{\"type\":\"Weird\"}}",
};

START_TEST(aliases_equal_ct_fields)
{
    for (size_t i = 0; i < COUNT(alias_records); i++) {
        json_ref r = parse(alias_records[i]);
        for (size_t k = 0; k < COUNT(alias_pairs); k++) {
            struct fvalues a = ex(r, alias_pairs[k][0]);
            struct fvalues c = ex(r, alias_pairs[k][1]);
            ck_assert_msg(a.n == c.n, "record %zu: %s has %zu values, %s %zu", i,
                          alias_pairs[k][0], a.n, alias_pairs[k][1], c.n);
            if (a.n)
                ck_assert(a.v[0].len == c.v[0].len &&
                          memcmp(a.v[0].str, c.v[0].str, a.v[0].len) == 0);
        }
    }
}
END_TEST

/* ---- quirks ---- */

START_TEST(non_string_values_give_empty)
{
    /* fastjson GetStringBytes: a present non-string value reads as "" */
    json_ref r = parse("{\"eventID\":12,\"errorCode\":5,\"awsRegion\":null,\"userAgent\":{\"a\":1},"
                       "\"eventName\":[1],\"requestParameters\":{\"userName\":false,\"Host\":1.5},"
                       "\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":{\"x\":1}}}");
    STR(r, "ct.id", "");
    STR(r, "ct.error", "");
    STR(r, "ct.region", "");
    STR(r, "ct.useragent", "");
    STR(r, "ct.name", "");
    STR(r, "ct.request.username", "");
    STR(r, "ct.request.host", "");
    STR(r, "ct.user", "");
    STR(r, "aws.errorCode", "");
    /* the JSON-text fields keep their text */
    STR(r, "ct.request", "{\"userName\":false,\"Host\":1.5}");
    /* a missing parent object: absent */
    ABSENT(r, "ct.response.subnetid");
    /* a parent that is not an object: absent */
    json_ref r2 = parse("{\"requestParameters\":\"x\",\"responseElements\":null}");
    ABSENT(r2, "ct.request.username");
    ABSENT(r2, "ct.response.subnetid");
    STR(r2, "ct.request", "\"x\"");
    STR(r2, "ct.response", "null");
}
END_TEST

START_TEST(shortsrc)
{
    json_ref r = parse("{\"eventSource\":\"iam.amazonaws.com\"}");
    STR(r, "ct.shortsrc", "iam");
    /* without the suffix the plugin falls through to its generic return and
     * gives the whole eventSource (falco-fields.md says absent; extract.go
     * at the cited commit does not) */
    r = parse("{\"eventSource\":\"custom.example.org\"}");
    STR(r, "ct.shortsrc", "custom.example.org");
    r = parse("{\"eventSource\":\".amazonaws.com\"}"); /* not longer than the suffix */
    STR(r, "ct.shortsrc", ".amazonaws.com");
    r = parse("{\"eventSource\":3}");
    STR(r, "ct.shortsrc", "");
    r = parse("{}");
    ABSENT(r, "ct.shortsrc");
}
END_TEST

START_TEST(documentname_never)
{
    json_ref r = parse("{\"requestParameters\":{\"documentName\":\"doc\",\"documentname\":\"d\"}}");
    ABSENT(r, "ct.request.documentname");
}
END_TEST

START_TEST(users)
{
    /* AssumedRole with a session issuer; the ARN has 3 "/" parts */
    json_ref r = parse(
        "{\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAX:alice-session\","
        "\"arn\":\"arn:aws:sts::123456789012:assumed-role/Admin/alice-session\",\"accountId\":"
        "\"123456789012\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\",\"userName\":"
        "\"Admin\"}}},\"sourceIPAddress\":\"10.0.0.1\",\"eventName\":\"ListBuckets\","
        "\"readOnly\":true}");
    STR(r, "ct.user", "Admin");
    STR(r, "aws.user", "Admin");
    STR(r, "ct.originaluser", "alice-session");
    STR(r, "ct.info", "Admin via 10.0.0.1 \xe2\x86\x90 ListBuckets");

    /* AssumedRole without issuer: the literal; ARN without 3 parts: the
     * principal's part after ":" */
    r = parse("{\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAX:bob\","
              "\"arn\":\"arn:aws:sts::1:assumed-role/OnlyTwo\"}}");
    STR(r, "ct.user", "AssumedRole");
    STR(r, "ct.originaluser", "bob");
    /* neither works: absent */
    r = parse("{\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"a:b:c\"}}");
    ABSENT(r, "ct.originaluser");
    /* the issuer's userName exists but is not a string: "" */
    r = parse("{\"userIdentity\":{\"type\":\"AssumedRole\",\"sessionContext\":{\"sessionIssuer\":"
              "{\"userName\":null}}}}");
    STR(r, "ct.user", "");

    /* AWSService: invokedBy; equal to the source IP, "via" is left out */
    r = parse("{\"userIdentity\":{\"type\":\"AWSService\",\"invokedBy\":\"ec2.amazonaws.com\"},"
              "\"sourceIPAddress\":\"ec2.amazonaws.com\",\"eventName\":\"AssumeRole\","
              "\"readOnly\":false,\"errorCode\":\"Denied\"}");
    STR(r, "ct.user", "ec2.amazonaws.com");
    STR(r, "ct.info", "ec2.amazonaws.com !\xe2\x86\x92 AssumeRole");
    ABSENT(r, "ct.originaluser"); /* no userName */

    r = parse("{\"userIdentity\":{\"type\":\"AWSService\"}}");
    ABSENT(r, "ct.user");
    r = parse("{\"userIdentity\":{\"type\":\"AWSAccount\",\"userName\":\"x\"}}");
    STR(r, "ct.user", "AWSAccount");
    STR(r, "ct.originaluser", "x");
    r = parse("{\"userIdentity\":{\"type\":\"FederatedUser\"}}");
    STR(r, "ct.user", "FederatedUser");
    r = parse("{\"userIdentity\":{\"type\":\"SAMLUser\",\"userName\":\"x\"}}");
    ABSENT(r, "ct.user");
    r = parse("{\"userIdentity\":{\"type\":\"Root\"}}");
    ABSENT(r, "ct.user");
    r = parse("{\"userIdentity\":{\"type\":1,\"userName\":\"x\"}}");
    ABSENT(r, "ct.user");
    STR(r, "ct.user.identitytype", ""); /* present, not a string */
}
END_TEST

START_TEST(accountid_fallback)
{
    json_ref r = parse("{\"userIdentity\":{},\"recipientAccountId\":\"999\"}");
    STR(r, "ct.user.accountid", "999");
    STR(r, "ct.recipientaccountid", "999");
    r = parse("{\"userIdentity\":{\"accountId\":7},\"recipientAccountId\":\"999\"}");
    STR(r, "ct.user.accountid", ""); /* present, so no fallback */
    r = parse("{}");
    ABSENT(r, "ct.user.accountid");
}
END_TEST

START_TEST(info_invalid)
{
    json_ref r = parse("{\"sourceIPAddress\":\"1.1.1.1\",\"eventName\":\"X\"}");
    STR(r, "ct.info", "<invalid cloudtrail event: userIdentity field missing>");
    r = parse("{\"userIdentity\":{\"type\":\"Root\",\"userName\":\"r\"},\"eventName\":\"X\"}");
    STR(r, "ct.info", "<invalid cloudtrail event: eventSource field missing>");
    r = parse("{\"userIdentity\":{\"type\":\"Root\",\"userName\":\"r\"},\"sourceIPAddress\":\"i\"}");
    STR(r, "ct.info", "<invalid cloudtrail event: eventName field missing>");
}
END_TEST

START_TEST(booleans)
{
    json_ref r = parse("{\"managementEvent\":true,\"readOnly\":false,"
                       "\"sessionCredentialFromConsole\":true}");
    STR(r, "ct.managementevent", "true");
    STR(r, "ct.readonly", "false");
    STR(r, "ct.sessioncredentialfromconsole", "true");
    r = parse("{\"managementEvent\":\"true\",\"readOnly\":\"yes\","
              "\"sessionCredentialFromConsole\":null}");
    STR(r, "ct.managementevent", "false"); /* only a JSON true is "true" */
    STR(r, "ct.readonly", "false");
    STR(r, "ct.sessioncredentialfromconsole", "false");
    r = parse("{\"eventName\":\"StartInstances\"}"); /* no heuristics: absent */
    ABSENT(r, "ct.readonly");
    ABSENT(r, "ct.managementevent");
    ABSENT(r, "ct.sessioncredentialfromconsole");
}
END_TEST

START_TEST(s3_fields)
{
    json_ref r = parse(
        "{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"userIdentity\":"
        "{\"type\":\"IAMUser\",\"userName\":\"bob\"},\"sourceIPAddress\":\"1.2.3.4\",\"readOnly\":"
        "true,\"requestParameters\":{\"bucketName\":\"my-bucket\",\"key\":\"dir/file.txt\",\"Host\":"
        "\"my-bucket.s3.amazonaws.com\"},\"additionalEventData\":{\"bytesTransferredIn\":10.7,"
        "\"bytesTransferredOut\":33}}");
    STR(r, "s3.uri", "s3://my-bucket/dir/file.txt");
    STR(r, "s3.bucket", "my-bucket");
    STR(r, "s3.key", "dir/file.txt");
    U64(r, "s3.bytes", 43); /* 10.7 truncated to 10, + 33 */
    U64(r, "s3.bytes.in", 10);
    U64(r, "s3.bytes.out", 33);
    U64(r, "s3.cnt.get", 1);
    ABSENT(r, "s3.cnt.put");
    ABSENT(r, "s3.cnt.other");
    STR(r, "ct.additionaleventdata", "{\"bytesTransferredIn\":10.7,\"bytesTransferredOut\":33}");
    STR(r, "ct.info", "bob via 1.2.3.4 \xe2\x86\x90 GetObject Size=43 URI=s3://my-bucket/dir/file.txt");

    /* only one byte count; the bucket without a key */
    r = parse("{\"eventName\":\"PutObject\",\"userIdentity\":{\"type\":\"Root\",\"userName\":\"r\"},"
              "\"sourceIPAddress\":\"i\",\"requestParameters\":{\"bucketName\":\"b\"},"
              "\"additionalEventData\":{\"bytesTransferredOut\":\"12\"}}");
    U64(r, "s3.bytes", 0); /* a string counts as 0, but the key is there */
    ABSENT(r, "s3.bytes.in");
    U64(r, "s3.bytes.out", 0);
    ABSENT(r, "s3.uri");
    U64(r, "s3.cnt.put", 1);
    ABSENT(r, "s3.cnt.get");
    ABSENT(r, "s3.cnt.other");
    STR(r, "ct.info", "r via i \xe2\x86\x90 PutObject Size=0 Bucket=b");

    /* a non-string bucket: s3.bucket "" but no s3.uri */
    r = parse("{\"requestParameters\":{\"bucketName\":1,\"key\":\"k\"}}");
    STR(r, "s3.bucket", "");
    ABSENT(r, "s3.uri");
    U64(r, "s3.cnt.other", 1); /* no eventName at all */

    /* key only, then host only */
    r = parse("{\"eventName\":\"E\",\"userIdentity\":{\"type\":\"Root\",\"userName\":\"r\"},"
              "\"sourceIPAddress\":\"i\",\"requestParameters\":{\"key\":\"k\"}}");
    STR(r, "ct.info", "r via i \xe2\x86\x90 E Key=k");
    r = parse("{\"eventName\":\"E\",\"userIdentity\":{\"type\":\"Root\",\"userName\":\"r\"},"
              "\"sourceIPAddress\":\"i\",\"requestParameters\":{\"Host\":\"h\"}}");
    STR(r, "ct.info", "r via i \xe2\x86\x90 E Host=h");

    /* big and negative counts (Go's uint64(float64) on amd64) */
    r = parse("{\"additionalEventData\":{\"bytesTransferredIn\":18446744073709551615,"
              "\"bytesTransferredOut\":1}}");
    U64(r, "s3.bytes.in", UINT64_MAX);
    U64(r, "s3.bytes", 0); /* wraps */
    r = parse("{\"additionalEventData\":{\"bytesTransferredIn\":-5}}");
    U64(r, "s3.bytes.in", (uint64_t)-5);
}
END_TEST

START_TEST(public_access_block_info)
{
    /* the plugin reads the four flags from the record's top level */
    json_ref r = parse(
        "{\"eventName\":\"PutBucketPublicAccessBlock\",\"userIdentity\":{\"type\":\"Root\","
        "\"userName\":\"root\"},\"sourceIPAddress\":\"5.6.7.8\",\"requestParameters\":{"
        "\"bucketName\":\"b\",\"PublicAccessBlockConfiguration\":{\"BlockPublicAcls\":true}},"
        "\"RestrictPublicBuckets\":true}");
    STR(r, "ct.info",
        "root via 5.6.7.8 \xe2\x86\x90 PutBucketPublicAccessBlock BlockPublicAcls=false "
        "BlockPublicPolicy=false IgnorePublicAcls=false RestrictPublicBuckets=true ");
    /* without the configuration object: nothing appended, no S3 details */
    r = parse("{\"eventName\":\"PutBucketPublicAccessBlock\",\"userIdentity\":{\"type\":\"Root\","
              "\"userName\":\"root\"},\"sourceIPAddress\":\"5.6.7.8\",\"requestParameters\":{"
              "\"bucketName\":\"b\"}}");
    STR(r, "ct.info", "root via 5.6.7.8 \xe2\x86\x90 PutBucketPublicAccessBlock");
}
END_TEST

START_TEST(ec2_images)
{
    json_ref r = parse("{\"responseElements\":{\"instancesSet\":{\"items\":[{\"imageId\":\"ami-1\"},"
                       "{\"imageId\":\"\"},{\"x\":1},{\"imageId\":\"ami-4\"},{\"imageId\":5}]}},"
                       "\"requestParameters\":{\"imageId\":\"ami-req\"}}");
    static const char *const all[] = {"ami-1", "ami-4"}; /* empty and non-string ones left out */
    list_is(r, "ec2.imageids", all, 2);
    STR(r, "ec2.imageids[0]", "ami-1");
    STR(r, "ec2.imageids[1]", "");
    ABSENT(r, "ec2.imageids[2]"); /* no imageId key */
    STR(r, "ec2.imageids[3]", "ami-4");
    STR(r, "ec2.imageids[4]", "");
    ABSENT(r, "ec2.imageids[5]");
    STR(r, "ec2.imageid", "ami-1");

    /* the request's single image: index 0 only */
    r = parse("{\"requestParameters\":{\"imageId\":\"ami-req\"}}");
    static const char *const one[] = {"ami-req"};
    list_is(r, "ec2.imageids", one, 1);
    STR(r, "ec2.imageids[0]", "ami-req");
    ABSENT(r, "ec2.imageids[1]");
    STR(r, "ec2.imageid", "ami-req");
    r = parse("{\"requestParameters\":{\"DescribeFastLaunchImagesRequest\":{\"ImageId\":"
              "{\"content\":\"ami-fast\"}}}}");
    STR(r, "ec2.imageid", "ami-fast");
    r = parse("{\"requestParameters\":{\"launchSpecification\":{\"imageId\":\"ami-spot\"}}}");
    STR(r, "ec2.imageids[0]", "ami-spot");

    /* an items value that is not an array: no fallback, nothing */
    r = parse("{\"responseElements\":{\"instancesSet\":{\"items\":{}}},"
              "\"requestParameters\":{\"imageId\":\"ami-req\"}}");
    ABSENT(r, "ec2.imageids");
    ABSENT(r, "ec2.imageid");
    r = parse("{\"responseElements\":{\"instancesSet\":{\"items\":[]}}}");
    ABSENT(r, "ec2.imageids");
}
END_TEST

START_TEST(ec2_name)
{
    json_ref r = parse(
        "{\"requestParameters\":{\"tagSpecificationSet\":{\"items\":["
        "{\"resourceType\":\"volume\",\"tags\":[{\"key\":\"Name\",\"value\":\"vol\"}]},"
        "{\"resourceType\":\"instance\",\"tags\":[{\"key\":\"env\",\"value\":\"prod\"},"
        "{\"key\":\"Name\",\"value\":\"web-1\"},{\"key\":\"Name\",\"value\":\"second\"}]}]}}}");
    STR(r, "ec2.name", "web-1");
    /* the last instance item with a Name tag wins; "" is absent */
    r = parse("{\"requestParameters\":{\"tagSpecificationSet\":{\"items\":["
              "{\"resourceType\":\"instance\",\"tags\":[{\"key\":\"Name\",\"value\":\"a\"}]},"
              "{\"resourceType\":\"instance\",\"tags\":[{\"key\":\"Name\",\"value\":\"b\"}]},"
              "{\"resourceType\":\"instance\",\"tags\":[]}]}}}");
    STR(r, "ec2.name", "b");
    r = parse("{\"requestParameters\":{\"tagSpecificationSet\":{\"items\":["
              "{\"resourceType\":\"instance\",\"tags\":[{\"key\":\"Name\",\"value\":7}]}]}}}");
    ABSENT(r, "ec2.name");
}
END_TEST

START_TEST(resources_and_more)
{
    json_ref r = parse(
        "{\"resources\":[{\"ARN\":\"arn:a\",\"type\":\"AWS::S3::Object\"},{\"ARN\":\"arn:b\"}],"
        "\"requestID\":\"req-1\",\"eventType\":\"AwsApiCall\",\"apiVersion\":\"2012\","
        "\"serviceEventDetails\":\"d\",\"sharedEventID\":\"s\",\"vpcEndpointId\":\"vpce-1\","
        "\"eventCategory\":\"Management\",\"addendum\":{\"reason\":\"DELIVERY_DELAY\","
        "\"updatedFields\":\"f\",\"originalRequestID\":\"orq\",\"originalEventID\":\"oev\"},"
        "\"edgeDeviceDetails\":\"e\",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.2\",\"cipherSuite\":"
        "\"ECDHE\",\"clientProvidedHostHeader\":\"h.example\"},\"errorMessage\":\"m\","
        "\"requestParameters\":{\"availabilityZone\":\"az\",\"cluster\":\"c\",\"functionName\":\"f\","
        "\"groupName\":\"g\",\"name\":\"n\",\"policy\":\"p\",\"reason\":\"r\",\"target\":\"t\","
        "\"serialNumber\":\"sn\",\"serviceName\":\"svc\",\"subnetId\":\"sub\",\"taskDefinition\":"
        "\"td\",\"repositoryName\":\"repo\",\"imageTag\":\"v1\",\"roleName\":\"role\",\"policyName\":"
        "\"pol\"},\"responseElements\":{\"subnetId\":\"rsub\",\"reservationId\":\"r-1\"}}");
    STR(r, "ct.resources", "{\"ARN\":\"arn:a\",\"type\":\"AWS::S3::Object\"},{\"ARN\":\"arn:b\"}");
    STR(r, "ct.requestid", "req-1");
    STR(r, "ct.eventtype", "AwsApiCall");
    STR(r, "ct.apiversion", "2012");
    STR(r, "ct.serviceeventdetails", "d");
    STR(r, "ct.sharedeventid", "s");
    STR(r, "ct.vpcendpointid", "vpce-1");
    STR(r, "ct.eventcategory", "Management");
    STR(r, "ct.addendum.reason", "DELIVERY_DELAY");
    STR(r, "ct.addendum.updatedfields", "f");
    STR(r, "ct.addendum.originalrequestid", "orq");
    STR(r, "ct.addendum.originaleventid", "oev");
    STR(r, "ct.edgedevicedetails", "e");
    STR(r, "ct.tlsdetails.tlsversion", "TLSv1.2");
    STR(r, "ct.tlsdetails.ciphersuite", "ECDHE");
    STR(r, "ct.tlsdetails.clientprovidedhostheader", "h.example");
    STR(r, "ct.errormessage", "m");
    STR(r, "ct.request.availabilityzone", "az");
    STR(r, "ct.request.cluster", "c");
    STR(r, "ct.request.functionname", "f");
    STR(r, "ct.request.groupname", "g");
    STR(r, "ct.request.name", "n");
    STR(r, "ct.request.policy", "p");
    STR(r, "ct.request.reason", "r");
    STR(r, "ct.request.target", "t");
    STR(r, "ct.request.serialnumber", "sn");
    STR(r, "ct.request.servicename", "svc");
    STR(r, "ct.request.subnetid", "sub");
    STR(r, "ct.request.taskdefinition", "td");
    STR(r, "ecr.repository", "repo");
    STR(r, "ecr.imagetag", "v1");
    STR(r, "iam.role", "role");
    STR(r, "iam.policy", "pol");
    STR(r, "ct.response.subnetid", "rsub");
    STR(r, "ct.response.reservationid", "r-1");

    r = parse("{\"resources\":[]}");
    ABSENT(r, "ct.resources");
    r = parse("{\"resources\":{\"a\":1}}");
    ABSENT(r, "ct.resources");
    r = parse("{\"resources\":[1,\"x\",null]}");
    STR(r, "ct.resources", "1,\"x\",null");
}
END_TEST

START_TEST(escapes_unescaped)
{
    /* string values are the unescaped text */
    json_ref r = parse("{\"eventName\":\"a\\\"b\\u00e9\\n\",\"userAgent\":\"\\/x\"}");
    STR(r, "ct.name", "a\"b\xc3\xa9\n");
    STR(r, "ct.useragent", "/x");
}
END_TEST

static Suite *ct_suite(void)
{
    Suite *s = suite_create("ct_extract");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_field_known);
    tcase_add_test(tc, sample_alice);
    tcase_add_test(tc, sample_alice_bigevent);
    tcase_add_test(tc, aliases_equal_ct_fields);
    tcase_add_test(tc, non_string_values_give_empty);
    tcase_add_test(tc, shortsrc);
    tcase_add_test(tc, documentname_never);
    tcase_add_test(tc, users);
    tcase_add_test(tc, accountid_fallback);
    tcase_add_test(tc, info_invalid);
    tcase_add_test(tc, booleans);
    tcase_add_test(tc, s3_fields);
    tcase_add_test(tc, public_access_block_info);
    tcase_add_test(tc, ec2_images);
    tcase_add_test(tc, ec2_name);
    tcase_add_test(tc, resources_and_more);
    tcase_add_test(tc, escapes_unescaped);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ct_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
