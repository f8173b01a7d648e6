/* json/decode.c: stoop's generic JSON source (Falco has none; its json
 * plugin only extracts). Every JSON value of an input is one event, and, as
 * for the other sources, a top-level array is a list of events (one per
 * element), so an event is never itself a top-level array. Events carry no
 * time of their own: 0. */
#include "decode.h"
#include "extractors.h"

static bool json_src_decode(json_ref doc, void (*emit)(void *ctx, json_ref event), void *ctx,
                            const char **why)
{
    json_iter it;
    json_ref e;
    (void)why;
    if (json_kind(doc) == JSON_ARRAY) {
        json_iter_begin(doc, &it);
        while (json_iter_next(&it, &e, NULL, NULL))
            emit(ctx, e);
        return true;
    }
    emit(ctx, doc);
    return true;
}

static uint64_t json_src_timestamp(json_ref ev)
{
    (void)ev;
    return 0;
}

const struct source_plugin json_source = {
    .name = "json",
    .decode = json_src_decode,
    .timestamp = json_src_timestamp,
    .extract = NULL, /* the json source has only generic and json.* fields */
    .reject = NULL,
};
