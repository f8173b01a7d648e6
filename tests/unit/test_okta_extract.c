/* test_okta_extract.c: the okta extractor (plugins/okta/extract.c) on the
 * sample event of ../shared/peer/events/okta and on hand-written events:
 * missing keys, Go decoding (type errors, case-insensitive keys, nulls),
 * targets, float formatting, and the stateful okta.mfa.*.countlast fields
 * (falco-fields.md 5 and 8, the okta plugin's okta.go). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "okta/extract.h"
#include "json_fixture.h"
#include "util.h"

#define SEC UINT64_C(1000000000)
#define T0 (UINT64_C(1700000000) * SEC)

static struct event cur; /* the event being extracted */

static void setup(void)
{
    fixture_setup();
    okta_extract_reset();
}

static void teardown(void)
{
    fixture_teardown();
    okta_extract_reset();
    okta_extract_set_org(NULL);
}

/* Makes text the current event, with the next evt.num and time ts. */
static void event_at(const char *text, uint64_t ts)
{
    arena_reset(&arena);
    cur = (struct event){.root = parse(text), .num = ++evnum, .ts_ns = ts, .source = "okta",
                         .input = "-"};
}

static void event(const char *text)
{
    event_at(text, T0);
}

/* Extracts "name" or "name[N]" from the current event. */
static struct fvalues ex(const char *spec)
{
    char name[128];
    struct field_ref f = {0};
    const char *br = strchr(spec, '[');
    size_t n = br ? (size_t)(br - spec) : strlen(spec);
    ck_assert(n < sizeof name);
    memcpy(name, spec, n);
    name[n] = '\0';
    const struct source_schema *s = schema_source("okta");
    ck_assert_ptr_nonnull(s);
    const char *dotted = NULL;
    f.info = schema_lookup(s, name, &dotted);
    ck_assert_msg(f.info != NULL, "no field %s", name);
    if (br) {
        f.arg = br + 1;
        f.has_index = true;
        f.index = strtoull(br + 1, NULL, 10);
    }
    struct fvalues out = {(struct fvalue *)1, 99};
    ck_assert_msg(okta_extract(&cur, &f, &arena, &out), "%s not known", spec);
    return out;
}

static void expect(const char *field, const char *want)
{
    struct fvalues v = ex(field);
    if (!want) {
        ck_assert_msg(v.n == 0, "%s: %zu values, want none (first \"%.*s\")", field, v.n,
                      v.n ? (int)v.v[0].len : 0, v.n ? v.v[0].str : "");
        return;
    }
    ck_assert_msg(v.n == 1, "%s: %zu values, want \"%s\"", field, v.n, want);
    ck_assert_msg(v.v[0].len == strlen(want) && memcmp(v.v[0].str, want, v.v[0].len) == 0,
                  "%s: \"%.*s\", want \"%s\"", field, (int)v.v[0].len, v.v[0].str, want);
    ck_assert_msg(v.v[0].str[v.v[0].len] == '\0', "%s: not NUL-terminated", field);
}

#define STR(field, want) expect((field), (want))
#define ABSENT(field) expect((field), NULL)
#define U64(field, want)                                                                      \
    do {                                                                                      \
        struct fvalues v_ = ex(field);                                                        \
        ck_assert_msg(v_.n == 1, "%s: %zu values, want %llu", (field), v_.n,                  \
                      (unsigned long long)(want));                                            \
        ck_assert_msg(v_.v[0].as.u == (uint64_t)(want), "%s: %llu, want %llu", (field),       \
                      (unsigned long long)v_.v[0].as.u, (unsigned long long)(want));          \
    } while (0)

START_TEST(every_field_known)
{
    const struct source_schema *s = schema_source("okta");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->nfields, 54);
    for (size_t i = 0; i < s->nfields; i++)
        ck_assert_msg(okta_field_known(&s->fields[i]), "%s has no extractor", s->fields[i].name);
    const struct source_schema *c = schema_source("aws_cloudtrail");
    ck_assert(!okta_field_known(&c->fields[0]));
}
END_TEST

/* okta_docs_example_logevent.json: Okta's documentation example, a
 * user.session.start without target, geolocation or securityContext.
 * Values read off the file with python3 (json.load). */
START_TEST(sample_docs_example)
{
    char path[512];
    snprintf(path, sizeof path, "%s/peer/events/okta/okta_docs_example_logevent.json",
             STOOP_SHARED_DIR);
    size_t len;
    char *text = read_file(path, &len);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    event(text);
    ABSENT("okta.app"); /* requestUri is /login/do-login */
    STR("okta.behaviors", "");
    STR("okta.org", "");
    STR("okta.evt.type", "user.session.start");
    STR("okta.evt.legacytype", "core.user_auth.login_success");
    STR("okta.severity", "INFO");
    STR("okta.message", "User login to Okta");
    STR("okta.published", "2017-09-31T22:23:07.777Z");
    STR("okta.logonlysecuritydata", "");
    STR("okta.actor.id", "00u1qw1mqitPHM8AJ0g7");
    STR("okta.actor.Type", "User");
    STR("okta.actor.alternateid", "admin@example.com");
    STR("okta.actor.name", "John Doe");
    STR("okta.client.zone", "OFF_NETWORK");
    STR("okta.client.ip", "12.97.85.90");
    STR("okta.client.device", "Unknown");
    STR("okta.client.id", "");
    STR("okta.client.geo.city", "");
    STR("okta.client.geo.state", "");
    STR("okta.client.geo.country", "");
    STR("okta.client.geo.postalcode", "");
    STR("okta.client.geo.lat", "0");
    STR("okta.client.geo.lon", "0");
    STR("okta.useragent.os", "Unknown");
    STR("okta.useragent.browser", "UNKNOWN");
    STR("okta.useragent.raw", "UNKNOWN-DOWNLOAD");
    STR("okta.result", "SUCCESS");
    STR("okta.reason", "");
    STR("okta.transaction.id", "V04Oy4ubUOc5UuG6s9DyNQAABtc");
    STR("okta.transaction.type", "WEB");
    STR("okta.requesturi", "/login/do-login");
    STR("okta.principal.id", "");
    STR("okta.principal.alternateid", "");
    STR("okta.principal.type", "");
    STR("okta.principal.name", "");
    STR("okta.authentication.step", "0");
    STR("okta.authentication.sessionid", "1013FfF-DKQSvCI4RVXChzX-w");
    STR("okta.authentication.provider", "");
    STR("okta.authentication.credentialprovider", "");
    U64("okta.security.asnumber", 0);
    STR("okta.security.asorg", "");
    STR("okta.security.isp", "");
    STR("okta.security.domain", "");
    STR("okta.security.isproxy", "");
    ABSENT("okta.target.user.id"); /* no target */
    ABSENT("okta.target.user.name");
    ABSENT("okta.target.group.name");
    ABSENT("okta.target.app.alternateid");
    ABSENT("okta.targets.displayName");
    ABSENT("okta.targets.displayName[0]");
    ABSENT("okta.mfa.failure.countlast[300]"); /* not an MFA event */
    ABSENT("okta.mfa.deny.countlast[300]");
    free(text);
}
END_TEST

static const char full_event[] =
    "{\"uuid\":\"u-1\",\"published\":\"2024-01-02T03:04:05.678Z\",\"eventType\":"
    "\"app.generic.unauth_app_access_attempt\",\"version\":\"0\",\"severity\":\"WARN\","
    "\"legacyEventType\":null,\"displayMessage\":\"Unauthorized\","
    "\"actor\":{\"id\":\"a1\",\"type\":\"User\",\"alternateId\":\"jane@example.com\","
    "\"displayName\":\"Jane\",\"detailEntry\":null},"
    "\"client\":{\"userAgent\":{\"rawUserAgent\":\"Mozilla/5.0\",\"os\":\"Mac OS X\",\"browser\":"
    "\"CHROME\"},\"zone\":\"null\",\"device\":\"Computer\",\"id\":null,\"ipAddress\":\"198.51.100.7\","
    "\"geographicalContext\":{\"city\":\"San Francisco\",\"state\":\"California\",\"country\":"
    "\"United States\",\"postalCode\":\"94107\",\"geolocation\":{\"lat\":37.7749,\"lon\":-122.4194,"
    "\"lonDe\":-122.4194}}},"
    "\"outcome\":{\"result\":\"FAILURE\",\"reason\":\"User not assigned\"},"
    "\"target\":[{\"id\":\"u1\",\"type\":\"User\",\"alternateId\":\"u1@example.com\",\"displayName\":"
    "\"User One\"},{\"id\":\"g1\",\"type\":\"UserGroup\",\"alternateId\":\"unknown\",\"displayName\":"
    "\"Admins\"},{\"id\":\"u2\",\"type\":\"User\",\"alternateId\":\"u2@example.com\"},"
    "{\"id\":\"app1\",\"type\":\"AppInstance\",\"alternateId\":\"Salesforce\",\"displayName\":"
    "\"Salesforce.com\"}],"
    "\"transaction\":{\"type\":\"WEB\",\"id\":\"tx-9\",\"detail\":{}},"
    "\"debugContext\":{\"debugData\":{\"requestUri\":\"/app/salesforce/exk123/sso/saml\","
    "\"behaviors\":\"{New Geo-Location=NEGATIVE}\",\"logOnlySecurityData\":\"{\\\"risk\\\":{}}\","
    "\"originalPrincipal\":{\"id\":\"p1\",\"type\":\"User\",\"alternateId\":\"admin@example.com\","
    "\"displayName\":\"Admin\"}}},"
    "\"authenticationContext\":{\"authenticationStep\":2,\"externalSessionId\":\"sess-1\","
    "\"authenticationProvider\":\"OKTA_AUTHENTICATION_PROVIDER\",\"credentialProvider\":null},"
    "\"securityContext\":{\"asNumber\":7922,\"asOrg\":\"comcast\",\"isp\":\"comcast\",\"domain\":"
    "\"comcast.net\",\"isProxy\":null}}";

START_TEST(full_event_fields)
{
    okta_extract_set_org("example-org");
    event(full_event);
    STR("okta.app", "salesforce");
    STR("okta.behaviors", "{New Geo-Location=NEGATIVE}");
    STR("okta.org", "example-org");
    STR("okta.evt.type", "app.generic.unauth_app_access_attempt");
    STR("okta.evt.legacytype", ""); /* null */
    STR("okta.severity", "WARN");
    STR("okta.message", "Unauthorized");
    STR("okta.published", "2024-01-02T03:04:05.678Z");
    STR("okta.logonlysecuritydata", "{\"risk\":{}}");
    STR("okta.actor.id", "a1");
    STR("okta.actor.Type", "User");
    STR("okta.actor.alternateid", "jane@example.com");
    STR("okta.actor.name", "Jane");
    STR("okta.client.zone", "null");
    STR("okta.client.ip", "198.51.100.7");
    STR("okta.client.device", "Computer");
    STR("okta.client.id", "");
    STR("okta.client.geo.city", "San Francisco");
    STR("okta.client.geo.state", "California");
    STR("okta.client.geo.country", "United States");
    STR("okta.client.geo.postalcode", "94107");
    STR("okta.client.geo.lat", "37.7749");
    STR("okta.client.geo.lon", "-122.4194"); /* from "lonDe", not "lon" */
    STR("okta.useragent.os", "Mac OS X");
    STR("okta.useragent.browser", "CHROME");
    STR("okta.useragent.raw", "Mozilla/5.0");
    STR("okta.result", "FAILURE");
    STR("okta.reason", "User not assigned");
    STR("okta.transaction.id", "tx-9");
    STR("okta.transaction.type", "WEB");
    STR("okta.requesturi", "/app/salesforce/exk123/sso/saml");
    STR("okta.principal.id", "p1");
    STR("okta.principal.alternateid", "admin@example.com");
    STR("okta.principal.type", "User");
    STR("okta.principal.name", "Admin");
    STR("okta.authentication.step", "2");
    STR("okta.authentication.sessionid", "sess-1");
    STR("okta.authentication.provider", "OKTA_AUTHENTICATION_PROVIDER");
    STR("okta.authentication.credentialprovider", "");
    U64("okta.security.asnumber", 7922);
    STR("okta.security.asorg", "comcast");
    STR("okta.security.isp", "comcast");
    STR("okta.security.domain", "comcast.net");
    STR("okta.security.isproxy", "");
    /* the last target of each type wins; u2 has no displayName */
    STR("okta.target.user.id", "u2");
    STR("okta.target.user.alternateid", "u2@example.com");
    STR("okta.target.user.name", "");
    STR("okta.target.group.id", "g1");
    STR("okta.target.group.alternateid", "unknown");
    STR("okta.target.group.name", "Admins");
    STR("okta.target.app.alternateid", "Salesforce");
    STR("okta.targets.displayName", "(User One,Admins,,Salesforce.com)");
    STR("okta.targets.displayName[0]", "User One");
    STR("okta.targets.displayName[2]", "");
    STR("okta.targets.displayName[3]", "Salesforce.com");
    ABSENT("okta.targets.displayName[4]");
    /* an app access failure is not an MFA event */
    ABSENT("okta.mfa.failure.countlast[300]");
}
END_TEST

START_TEST(missing_keys)
{
    /* every plain string field is "" (present) */
    event("{}");
    const struct source_schema *s = schema_source("okta");
    for (size_t i = 0; i < s->nfields; i++) {
        const char *n = s->fields[i].name;
        if (s->fields[i].type != FT_CHARBUF || !strncmp(n, "okta.target", 11) ||
            !strcmp(n, "okta.app"))
            continue;
        const char *want = "";
        if (!strcmp(n, "okta.client.geo.lat") || !strcmp(n, "okta.client.geo.lon") ||
            !strcmp(n, "okta.authentication.step"))
            want = "0";
        expect(n, want);
    }
    U64("okta.security.asnumber", 0);
    ABSENT("okta.app");
    ABSENT("okta.target.user.id");
    ABSENT("okta.targets.displayName");
    ABSENT("okta.mfa.deny.countlast[60]");

    /* nulls everywhere are no-ops */
    event("{\"eventType\":null,\"actor\":null,\"client\":{\"geographicalContext\":null},"
          "\"target\":null,\"authenticationContext\":{\"authenticationStep\":null}}");
    STR("okta.evt.type", "");
    STR("okta.actor.name", "");
    STR("okta.authentication.step", "0");
    ABSENT("okta.targets.displayName");
    /* an empty target list */
    event("{\"target\":[]}");
    ABSENT("okta.targets.displayName");
    ABSENT("okta.target.user.name");
    /* a null item is a zero target */
    event("{\"target\":[null,{\"type\":\"User\",\"displayName\":\"U\"}]}");
    STR("okta.targets.displayName", "(,U)");
    STR("okta.target.user.name", "U");
}
END_TEST

START_TEST(type_errors_fail_the_event)
{
    /* Go's json.Unmarshal fails on a value of the wrong type: the plugin then
     * extracts nothing from the event, okta.org included */
    static const char *const bad[] = {
        "{\"eventType\":\"x\",\"securityContext\":{\"isProxy\":false}}",
        "{\"eventType\":\"x\",\"authenticationContext\":{\"authenticationStep\":1.5}}",
        "{\"eventType\":\"x\",\"securityContext\":{\"asNumber\":\"7922\"}}",
        "{\"eventType\":\"x\",\"securityContext\":{\"asNumber\":9223372036854775808}}",
        "{\"eventType\":\"x\",\"actor\":\"someone\"}",
        "{\"eventType\":\"x\",\"target\":{\"id\":\"t\"}}",
        "{\"eventType\":\"x\",\"target\":[\"t\"]}",
        "{\"eventType\":\"x\",\"target\":[{\"displayName\":3}]}",
        "{\"eventType\":7}",
        "{\"eventType\":\"x\",\"uuid\":1}",
        "{\"eventType\":\"x\",\"client\":{\"geographicalContext\":{\"geolocation\":{\"lat\":\"1\"}}}}",
        "{\"eventType\":\"x\",\"debugContext\":{\"debugData\":[]}}",
        "[{\"eventType\":\"x\"}]",
    };
    okta_extract_set_org("org");
    for (size_t i = 0; i < COUNT(bad); i++) {
        event(bad[i]);
        struct fvalues v = ex("okta.evt.type");
        ck_assert_msg(v.n == 0, "event %zu: okta.evt.type extracted", i);
        v = ex("okta.org");
        ck_assert_msg(v.n == 0, "event %zu: okta.org extracted", i);
    }
    /* types Go accepts: integers for floats, unknown keys of any type */
    event("{\"eventType\":\"x\",\"client\":{\"geographicalContext\":{\"geolocation\":{\"lat\":1,"
          "\"lon\":\"w\"}}},\"unknown\":[1,{}],\"securityContext\":{\"asNumber\":-1}}");
    STR("okta.evt.type", "x");
    STR("okta.client.geo.lat", "1");
    U64("okta.security.asnumber", UINT64_MAX); /* Go int -1 as uint64 */
}
END_TEST

START_TEST(go_key_matching)
{
    /* case-insensitive keys; a repeated key overwrites, a null does not */
    event("{\"EVENTTYPE\":\"first\",\"eventType\":\"second\",\"Actor\":{\"DisplayName\":\"N\"},"
          "\"severity\":\"S\",\"severity\":null,\"client\":{\"geographicalContext\":{\"geolocation\":"
          "{\"LONDE\":2.5}}}}");
    STR("okta.evt.type", "second");
    STR("okta.actor.name", "N");
    STR("okta.severity", "S");
    STR("okta.client.geo.lon", "2.5");
    event("{\"eventtype\":\"only\"}");
    STR("okta.evt.type", "only");
}
END_TEST

START_TEST(app_field)
{
    event("{\"debugContext\":{\"debugData\":{\"requestUri\":\"/app/\"}}}");
    STR("okta.app", "");
    event("{\"debugContext\":{\"debugData\":{\"requestUri\":\"/app/jira\"}}}");
    STR("okta.app", "jira");
    event("{\"debugContext\":{\"debugData\":{\"requestUri\":\"/apps/jira/x\"}}}");
    ABSENT("okta.app");
    event("{\"debugContext\":{\"debugData\":{\"requestUri\":\"app/jira/x\"}}}");
    ABSENT("okta.app");
}
END_TEST

/* Go's %v of float64 values (worked out from strconv's shortest 'g'). */
static const struct {
    const char *json, *want;
} floats[] = {
    {"0", "0"},
    {"-0.0", "-0"},
    {"1", "1"},
    {"-0.5", "-0.5"},
    {"37.7749", "37.7749"},
    {"100000", "100000"},
    {"123456", "123456"},
    {"999999.5", "999999.5"},
    {"1000000", "1e+06"},
    {"1234567.5", "1.2345675e+06"},
    {"0.0001", "0.0001"},
    {"0.00012", "0.00012"},
    {"0.00001", "1e-05"},
    {"1.5e-7", "1.5e-07"},
    {"1e21", "1e+21"},
    {"1e100", "1e+100"},
    {"0.1", "0.1"},
    {"0.30000000000000004", "0.30000000000000004"},
    {"-122.41941550000001", "-122.41941550000001"},
    {"5e-324", "5e-324"},
    {"1.7976931348623157e308", "1.7976931348623157e+308"},
};

START_TEST(float_format)
{
    char text[256];
    snprintf(text, sizeof text,
             "{\"client\":{\"geographicalContext\":{\"geolocation\":{\"lat\":%s,\"lonDe\":%s}}}}",
             floats[_i].json, floats[_i].json);
    event(text);
    STR("okta.client.geo.lat", floats[_i].want);
    STR("okta.client.geo.lon", floats[_i].want);
}
END_TEST

/* ---- okta.mfa.*.countlast ---- */

static char *mfa_event(const char *type, const char *actor, const char *result)
{
    return xasprintf("{\"eventType\":\"%s\",\"actor\":{\"id\":\"%s\",\"displayName\":\"%s\"},"
                     "\"outcome\":{\"result\":\"%s\"}}",
                     type, actor, actor, result);
}

#define FAIL_T "user.authentication.auth_via_mfa"
#define DENY_T "user.mfa.okta_verify.deny_push"

static void at(const char *type, const char *actor, const char *result, uint64_t ts)
{
    char *t = mfa_event(type, actor, result);
    event_at(t, ts);
    free(t);
}

/* One run of a small replay; checks its counts. */
static void mfa_sequence(void)
{
    at(FAIL_T, "A", "FAILURE", T0);
    U64("okta.mfa.failure.countlast[300]", 1);
    U64("okta.mfa.failure.countlast[300]", 1); /* extracting again counts nothing more */
    U64("okta.mfa.failure.countlast[0]", 0);   /* strictly newer than ts - 0 */

    at(FAIL_T, "A", "FAILURE", T0 + 100 * SEC);
    U64("okta.mfa.failure.countlast[300]", 2);
    U64("okta.mfa.failure.countlast[60]", 1);
    U64("okta.mfa.failure.countlast[100]", 1); /* T0 is not newer than T0 */
    U64("okta.mfa.failure.countlast[101]", 2);

    at(FAIL_T, "A", "FAILURE", T0 + 250 * SEC);
    U64("okta.mfa.failure.countlast[300]", 3);
    U64("okta.mfa.failure.countlast[200]", 2);
    /* both fields count the event's own kind (the plugin keys by eventType) */
    U64("okta.mfa.deny.countlast[300]", 3);

    at(DENY_T, "A", "SUCCESS", T0 + 260 * SEC); /* a deny push counts whatever its result */
    U64("okta.mfa.deny.countlast[300]", 1);
    U64("okta.mfa.failure.countlast[300]", 1);

    at(FAIL_T, "B", "FAILURE", T0 + 270 * SEC); /* another actor */
    U64("okta.mfa.failure.countlast[300]", 1);

    at(FAIL_T, "A", "SUCCESS", T0 + 280 * SEC); /* not a failure: absent */
    ABSENT("okta.mfa.failure.countlast[300]");
    ABSENT("okta.mfa.deny.countlast[300]");
    at("user.session.start", "A", "FAILURE", T0 + 290 * SEC);
    ABSENT("okta.mfa.failure.countlast[300]");

    /* the same timestamp again is recorded once */
    at(FAIL_T, "A", "FAILURE", T0 + 250 * SEC);
    U64("okta.mfa.failure.countlast[300]", 3);

    at(FAIL_T, "A", "FAILURE", T0 + 300 * SEC);
    U64("okta.mfa.failure.countlast[300]", 3); /* T0 fell out of the window */
    U64("okta.mfa.failure.countlast[3600]", 4);

    /* an event the plugin cannot decode is not counted */
    event_at("{\"eventType\":\"" FAIL_T "\",\"actor\":{\"id\":\"A\"},\"outcome\":{\"result\":"
             "\"FAILURE\"},\"securityContext\":{\"isProxy\":true}}",
             T0 + 310 * SEC);
    ABSENT("okta.mfa.failure.countlast[300]");
    at(FAIL_T, "A", "FAILURE", T0 + 320 * SEC);
    U64("okta.mfa.failure.countlast[3600]", 5);
}

START_TEST(mfa_countlast)
{
    mfa_sequence();
}
END_TEST

START_TEST(mfa_replay_is_repeatable)
{
    /* a second run (evt.num starting again at 1) starts from empty counters */
    mfa_sequence();
    evnum = 0;
    mfa_sequence();
    /* and so does an explicit reset */
    okta_extract_reset();
    evnum = 100;
    mfa_sequence();
}
END_TEST

START_TEST(mfa_expiry_and_cap)
{
    at(FAIL_T, "A", "FAILURE", T0);
    U64("okta.mfa.failure.countlast[100000]", 1);
    at(FAIL_T, "A", "FAILURE", T0 + 84600 * SEC);
    U64("okta.mfa.failure.countlast[100000]", 2); /* 84600 s after: still there */
    at(FAIL_T, "A", "FAILURE", T0 + (2 * 84600 + 1) * SEC);
    U64("okta.mfa.failure.countlast[1000000]", 1); /* expired 84600 s after its last update */

    /* at most 200 timestamps per key */
    for (unsigned i = 0; i < 205; i++) {
        at(DENY_T, "C", "FAILURE", T0 + (1000000 + i) * SEC);
        U64("okta.mfa.deny.countlast[10000]", i < 200 ? i + 1 : 200);
    }
    /* a window larger than the time since the epoch: ts - N*1e9 wraps (as
     * the plugin's uint64 arithmetic) and nothing is newer */
    at(DENY_T, "D", "FAILURE", 5 * SEC);
    U64("okta.mfa.deny.countlast[10]", 0);
    U64("okta.mfa.deny.countlast[4]", 1);
}
END_TEST

START_TEST(mfa_many_keys)
{
    /* more than 10000 actors: the least used keys are dropped, the counts of
     * a busy key stay right */
    for (unsigned i = 0; i < 10050; i++) {
        char actor[32];
        snprintf(actor, sizeof actor, "u%u", i);
        at(FAIL_T, actor, "FAILURE", T0 + i * SEC);
        U64("okta.mfa.failure.countlast[60]", 1);
        if (i % 100 == 0) {
            at(FAIL_T, "busy", "FAILURE", T0 + i * SEC);
            U64("okta.mfa.failure.countlast[100000]", i / 100 + 1);
        }
    }
}
END_TEST

static Suite *okta_suite(void)
{
    Suite *s = suite_create("okta_extract");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, every_field_known);
    tcase_add_test(tc, sample_docs_example);
    tcase_add_test(tc, full_event_fields);
    tcase_add_test(tc, missing_keys);
    tcase_add_test(tc, type_errors_fail_the_event);
    tcase_add_test(tc, go_key_matching);
    tcase_add_test(tc, app_field);
    tcase_add_loop_test(tc, float_format, 0, COUNT(floats));
    tcase_add_test(tc, mfa_countlast);
    tcase_add_test(tc, mfa_replay_is_repeatable);
    tcase_add_test(tc, mfa_expiry_and_cap);
    tcase_add_test(tc, mfa_many_keys);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(okta_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
