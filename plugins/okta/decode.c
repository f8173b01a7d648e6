/* okta/decode.c: Okta System Log events (ecosystem.md 3.6): one LogEvent
 * object per document, or a JSON array of them (the body of GET
 * /api/v1/logs). The event time is `published` (RFC 3339). Falco's okta
 * plugin ignores a parse error and stamps the event with Go's UnixNano() of
 * the zero time.Time, which wraps around int64: 0xa1b203eb3d1a0000 ns
 * (2339-03-21T22:18:14.838206464Z). stoop gives such events (a missing or
 * impossible published, like the "2017-09-31" of Okta's documentation
 * example) that same time, so alerts match Falco's. */
#include "decode.h"
#include "extractors.h"

static bool okta_decode(json_ref doc, void (*emit)(void *ctx, json_ref event), void *ctx,
                        const char **why)
{
    json_iter it;
    json_ref e;
    if (json_kind(doc) == JSON_ARRAY) {
        json_iter_begin(doc, &it);
        while (json_iter_next(&it, &e, NULL, NULL)) {
            if (json_kind(e) != JSON_OBJECT) {
                *why = "not an Okta log event: an array element is not an object";
                return false;
            }
        }
        json_iter_begin(doc, &it);
        while (json_iter_next(&it, &e, NULL, NULL))
            emit(ctx, e);
        return true;
    }
    if (json_kind(doc) != JSON_OBJECT) {
        *why = "not an Okta log event: not a JSON object";
        return false;
    }
    emit(ctx, doc);
    return true;
}

/* (uint64)(int64)(-62135596800 * 1e9 mod 2^64): Go's zero time in ns. */
#define GO_ZERO_TIME_NS 0xa1b203eb3d1a0000ull

static uint64_t okta_timestamp(json_ref ev)
{
    uint64_t ns;
    return json_member_time(ev, "published", &ns) ? ns : GO_ZERO_TIME_NS;
}

const struct source_plugin okta_source = {
    .name = "okta",
    .decode = okta_decode,
    .timestamp = okta_timestamp,
    .extract = okta_extract,
    .reject = NULL,
};
