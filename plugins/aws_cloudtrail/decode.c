/* aws_cloudtrail/decode.c: CloudTrail log files (ecosystem.md 3.7): a
 * document `{"Records":[...]}` gives one event per record (a JSON array of
 * such documents is read the same way). As Falco's cloudtrail plugin does,
 * a record is dropped when it has no eventTime string that parses as
 * RFC 3339 or no eventType string, and CloudTrail Insight records
 * (`"eventType":"AwsCloudTrailInsight"`) are filtered out. */
#include <string.h>

#include "decode.h"
#include "extractors.h"

static bool is_log_file(json_ref v, json_ref *records)
{
    return json_kind(v) == JSON_OBJECT && json_object_get(v, "Records", 7, records) &&
           json_kind(*records) == JSON_ARRAY;
}

static bool ct_decode(json_ref doc, void (*emit)(void *ctx, json_ref event), void *ctx,
                      const char **why)
{
    json_ref records, e, r;
    json_iter it, rit;
    if (json_kind(doc) == JSON_ARRAY) {
        json_iter_begin(doc, &it);
        while (json_iter_next(&it, &e, NULL, NULL)) {
            if (!is_log_file(e, &records)) {
                *why = "not a CloudTrail log: an array element has no \"Records\" array";
                return false;
            }
        }
        json_iter_begin(doc, &it);
        while (json_iter_next(&it, &e, NULL, NULL)) {
            is_log_file(e, &records);
            json_iter_begin(records, &rit);
            while (json_iter_next(&rit, &r, NULL, NULL))
                emit(ctx, r);
        }
        return true;
    }
    if (!is_log_file(doc, &records)) {
        *why = "not a CloudTrail log: no \"Records\" array";
        return false;
    }
    json_iter_begin(records, &rit);
    while (json_iter_next(&rit, &r, NULL, NULL))
        emit(ctx, r);
    return true;
}

static uint64_t ct_timestamp(json_ref ev)
{
    uint64_t ns;
    return json_member_time(ev, "eventTime", &ns) ? ns : 0;
}

static bool ct_reject(json_ref ev, const char **why, bool *quiet)
{
    json_ref v;
    const char *s;
    size_t n;
    uint64_t ns;
    *quiet = false;
    if (json_kind(ev) != JSON_OBJECT) {
        *why = "CloudTrail record is not an object";
        return true;
    }
    if (!json_object_get(ev, "eventTime", 9, &v) || !json_get_string(v, &s, &n)) {
        *why = "CloudTrail record without eventTime";
        return true;
    }
    if (!rfc3339_parse(s, n, &ns)) {
        *why = "CloudTrail record with an eventTime that is not an RFC 3339 time";
        return true;
    }
    if (!json_object_get(ev, "eventType", 9, &v) || !json_get_string(v, &s, &n)) {
        *why = "CloudTrail record without eventType";
        return true;
    }
    if (n == 20 && memcmp(s, "AwsCloudTrailInsight", 20) == 0) {
        *why = "CloudTrail Insight record";
        *quiet = true;
        return true;
    }
    return false;
}

const struct source_plugin aws_cloudtrail_source = {
    .name = "aws_cloudtrail",
    .decode = ct_decode,
    .timestamp = ct_timestamp,
    .extract = aws_cloudtrail_extract,
    .reject = ct_reject,
};
