/* k8s_audit/decode.c: Kubernetes audit events, as Falco's k8saudit plugin
 * accepts them (ecosystem.md 3.4, falco-fields.md 8): a document holds one
 * Event (`"kind":"Event"`), an EventList (`"kind":"EventList"` with an
 * `items` array, the webhook batch) or a JSON array of either (nested
 * arrays too). Anything else is "data not recognized as a k8s audit event";
 * an array is taken whole or not at all, as the plugin does. Each Event
 * needs a readable stageTimestamp (RFC 3339 with nanoseconds), its time;
 * one without is dropped with the plugin's message. An Event without
 * auditID is kept: its ka.* fields are then all absent (extractors). */
#include <string.h>

#include "decode.h"
#include "extractors.h"

enum k8s_kind { K8S_OTHER, K8S_EVENT, K8S_EVENTLIST };

static enum k8s_kind kind_of(json_ref v, json_ref *items)
{
    json_ref kind;
    const char *s;
    size_t n;
    if (json_kind(v) != JSON_OBJECT || !json_object_get(v, "kind", 4, &kind) ||
        !json_get_string(kind, &s, &n))
        return K8S_OTHER;
    if (n == 5 && memcmp(s, "Event", 5) == 0)
        return K8S_EVENT;
    if (n == 9 && memcmp(s, "EventList", 9) == 0 && json_object_get(v, "items", 5, items) &&
        json_kind(*items) == JSON_ARRAY)
        return K8S_EVENTLIST;
    return K8S_OTHER;
}

static bool recognized(json_ref v)
{
    json_ref items;
    if (json_kind(v) == JSON_ARRAY) {
        json_iter it;
        json_ref e;
        json_iter_begin(v, &it);
        while (json_iter_next(&it, &e, NULL, NULL))
            if (!recognized(e))
                return false;
        return true;
    }
    return kind_of(v, &items) != K8S_OTHER;
}

static void emit_all(json_ref v, void (*emit)(void *ctx, json_ref event), void *ctx)
{
    json_ref items, e;
    json_iter it;
    if (json_kind(v) == JSON_ARRAY) {
        json_iter_begin(v, &it);
        while (json_iter_next(&it, &e, NULL, NULL))
            emit_all(e, emit, ctx);
        return;
    }
    switch (kind_of(v, &items)) {
    case K8S_EVENT:
        emit(ctx, v);
        break;
    case K8S_EVENTLIST:
        /* Items are events whatever they hold; the plugin does not look at
         * their kind (reject() still needs a stageTimestamp). */
        json_iter_begin(items, &it);
        while (json_iter_next(&it, &e, NULL, NULL))
            emit(ctx, e);
        break;
    case K8S_OTHER:
        break;
    }
}

static bool k8s_decode(json_ref doc, void (*emit)(void *ctx, json_ref event), void *ctx,
                       const char **why)
{
    if (!recognized(doc)) {
        *why = "data not recognized as a k8s audit event";
        return false;
    }
    emit_all(doc, emit, ctx);
    return true;
}

static uint64_t k8s_timestamp(json_ref ev)
{
    uint64_t ns;
    return json_member_time(ev, "stageTimestamp", &ns) ? ns : 0;
}

static bool k8s_reject(json_ref ev, const char **why, bool *quiet)
{
    json_ref ts;
    uint64_t ns;
    *quiet = false;
    if (json_kind(ev) != JSON_OBJECT || !json_object_get(ev, "stageTimestamp", 14, &ts)) {
        *why = "can't read stageTimestamp";
        return true;
    }
    if (!json_member_time(ev, "stageTimestamp", &ns)) {
        *why = "stageTimestamp is not an RFC 3339 time";
        return true;
    }
    return false;
}

const struct source_plugin k8s_audit_source = {
    .name = "k8s_audit",
    .decode = k8s_decode,
    .timestamp = k8s_timestamp,
    .extract = k8s_audit_extract,
    .reject = k8s_reject,
};
