/* syscall/decode.c: stoop's synthetic, replayable syscall events (not a
 * kernel capture: eBPF and .scap inputs come later). A document holds one
 * event object, or a JSON array of them; NDJSON is the usual form:
 *
 *   {"ts": 1700000000123456789, "evt.type": "openat", "evt.dir": "<",
 *    "fields": {"proc.name": "cat", "fd.name": "/etc/shadow", ...}}
 *
 * "ts" is the event time in ns since the epoch (a non-negative integer; 0
 * when absent). "evt.type" must be an event name of Falco's event table
 * (syscall/events.def), "evt.dir" is ">" (enter) or "<" (exit, the default)
 * and must be a form Falco lists for that event. "fields", when present,
 * is an object holding the other fields by name (extract.c). An event that
 * breaks one of these rules is skipped with the reason. */
#include <string.h>

#include "decode.h"
#include "extractors.h"
#include "syscall/extract.h"

const struct event_info *syscall_event_info(json_ref ev)
{
    json_ref v;
    const char *s;
    size_t n;
    if (!json_object_get(ev, "evt.type", 8, &v) || !json_get_string(v, &s, &n) ||
        memchr(s, 0, n))
        return NULL;
    return schema_event_by_name(s);
}

static bool syscall_decode(json_ref doc, void (*emit)(void *ctx, json_ref event), void *ctx,
                           const char **why)
{
    json_iter it;
    json_ref e;
    if (json_kind(doc) == JSON_ARRAY) {
        json_iter_begin(doc, &it);
        while (json_iter_next(&it, &e, NULL, NULL))
            emit(ctx, e); /* reject() checks each */
        return true;
    }
    if (json_kind(doc) != JSON_OBJECT) {
        *why = "not a syscall event: not a JSON object";
        return false;
    }
    emit(ctx, doc);
    return true;
}

static uint64_t syscall_timestamp(json_ref ev)
{
    json_ref ts;
    uint64_t ns;
    if (json_object_get(ev, "ts", 2, &ts) && json_get_uint64(ts, &ns))
        return ns;
    return 0;
}

static bool syscall_reject(json_ref ev, const char **why, bool *quiet)
{
    json_ref v;
    uint64_t ns;
    *quiet = false;
    if (json_kind(ev) != JSON_OBJECT) {
        *why = "not a syscall event: not a JSON object";
        return true;
    }
    const struct event_info *info = syscall_event_info(ev);
    if (!info) {
        if (!json_object_get(ev, "evt.type", 8, &v) || json_kind(v) != JSON_STRING)
            *why = "not a syscall event: no string \"evt.type\"";
        else
            *why = "unknown event type in \"evt.type\" (not in Falco's event table)";
        return true;
    }
    if (json_object_get(ev, "evt.dir", 7, &v)) {
        const char *s;
        size_t n;
        if (!json_get_string(v, &s, &n) || n != 1 || (s[0] != '<' && s[0] != '>')) {
            *why = "\"evt.dir\" is not \">\" or \"<\"";
            return true;
        }
        if (!(info->dirs & (s[0] == '>' ? ED_ENTER : ED_EXIT))) {
            *why = s[0] == '>' ? "\"evt.dir\": this event type has no enter form (\">\")"
                               : "\"evt.dir\": this event type has no exit form (\"<\")";
            return true;
        }
    } else if (!(info->dirs & ED_EXIT)) {
        *why = "\"evt.dir\" missing: this event type has only an enter form (\">\")";
        return true;
    }
    if (json_object_get(ev, "ts", 2, &v) && !json_get_uint64(v, &ns)) {
        *why = "\"ts\" is not a non-negative integer (ns since the epoch)";
        return true;
    }
    if (json_object_get(ev, "fields", 6, &v) && json_kind(v) != JSON_OBJECT) {
        *why = "\"fields\" is not an object";
        return true;
    }
    return false;
}

const struct source_plugin syscall_source = {
    .name = "syscall",
    .decode = syscall_decode,
    .timestamp = syscall_timestamp,
    .extract = syscall_extract,
    .reject = syscall_reject,
    .extracts_evt = true, /* the evt class is part of the syscall table */
};
