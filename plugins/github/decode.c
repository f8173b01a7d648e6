/* github/decode.c: GitHub webhook payloads. Falco's github plugin receives
 * them over HTTPS and adds the event name from the X-GitHub-Event header as
 * `webhook_type`; stoop reads payloads saved with that key, one object per
 * document (or a JSON array of them). A payload without a string
 * `webhook_type` is not recognized.
 *
 * Time: a payload carries no delivery time (Falco stamps the receive
 * time), and the timestamps inside differ by event type, so replayed
 * payloads get time 0 (1970-01-01T00:00:00Z): alerts stay reproducible. */
#include "decode.h"
#include "extractors.h"

static bool is_payload(json_ref v)
{
    json_ref t;
    const char *s;
    size_t n;
    return json_kind(v) == JSON_OBJECT && json_object_get(v, "webhook_type", 12, &t) &&
           json_get_string(t, &s, &n);
}

static bool gh_decode(json_ref doc, void (*emit)(void *ctx, json_ref event), void *ctx,
                      const char **why)
{
    json_iter it;
    json_ref e;
    if (json_kind(doc) == JSON_ARRAY) {
        json_iter_begin(doc, &it);
        while (json_iter_next(&it, &e, NULL, NULL)) {
            if (!is_payload(e)) {
                *why = "not a GitHub webhook payload: an array element has no \"webhook_type\"";
                return false;
            }
        }
        json_iter_begin(doc, &it);
        while (json_iter_next(&it, &e, NULL, NULL))
            emit(ctx, e);
        return true;
    }
    if (!is_payload(doc)) {
        *why = "not a GitHub webhook payload: no \"webhook_type\" (the X-GitHub-Event name)";
        return false;
    }
    emit(ctx, doc);
    return true;
}

static uint64_t gh_timestamp(json_ref ev)
{
    (void)ev;
    return 0;
}

const struct source_plugin github_source = {
    .name = "github",
    .decode = gh_decode,
    .timestamp = gh_timestamp,
    .extract = github_extract,
    .reject = NULL,
};
