/* libFuzzer harness over the event sources: the input is the bytes of an
 * input file (NDJSON, pretty documents, arrays, EventLists, CloudTrail
 * files, payloads, even gzip).
 *
 * 1. Straight: json_stream splits it into documents (over the fuzzer's own
 *    buffer, or a padded copy); every document goes to the decoder of EACH
 *    source (k8s_audit, aws_cloudtrail, github, okta, json, syscall), and
 *    every event a decoder emits gets its timestamp and reject() verdict,
 *    and then EVERY field of that source's schema (its own table, evt.*,
 *    json.* and jevt.*) is extracted: without argument when the field
 *    allows that, with a few dotted suffixes (evt.arg.flags...), and
 *    with index arguments and key arguments (JSON pointers for json.value)
 *    when it takes them, as the checker would pass them (a numeric argument
 *    sets has_index). Events a decoder emits are extracted even when
 *    reject() would drop them.
 * 2. Through the readers: the same bytes as a file (a memfd) read by the
 *    event reader of one source, with a chunk size and limits taken from
 *    the input, so chunk boundaries, refills, limits and gzip are
 *    exercised; every event it returns is extracted the same way.
 *
 * Every extracted string is read to its end (ASan sees stale or short
 * buffers). Any crash, leak, hang or sanitizer report is a bug. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "input.h" /* plugins/source.h with it (compiler/source.h is another header) */
#include "json.h"
#include "okta/extract.h"
#include "schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const source_names[] = {"k8s_audit", "aws_cloudtrail", "github", "okta", "json",
                                           "syscall"};
#define NSOURCES (sizeof source_names / sizeof source_names[0])

/* Index arguments, then key arguments (several numeric, which also set
 * has_index, as for json.value[0]). */
static const char *const index_args[] = {
    "0", "1", "2", "3", "10", "4294967296", "18446744073709551615",
};
static const char *const key_args[] = {
    "", "0", "1", "01", "-1", "+1", "18446744073709551616", "a", "kind", "admin",
    "system:masters", "/etc", "/var/run/docker.sock", "pretty", "watch", "/", "//", "~", "~0",
    "~1", "/~1a~0b", "/~2", "/a~", "/-", "/0", "/kind", "/user/username",
    "/objectRef/namespace", "/requestObject/spec/containers/0/image", "/items/0/kind",
    "/Records/0/eventName", "/requestParameters/instancesSet/items/0/instanceId",
    "/repository/full_name", "/actor/alternateId", "/target/0/displayName", "/a/b/0/c",
};

static volatile uint64_t sink;

static void touch_values(const struct field_info *fi, const struct fvalues *v)
{
    if (v->n && !v->v)
        abort(); /* values claimed but none given */
    for (size_t i = 0; i < v->n; i++) {
        const struct fvalue *x = &v->v[i];
        if (x->str) {
            uint64_t h = 0;
            for (size_t k = 0; k < x->len; k++)
                h = h * 31 + (unsigned char)x->str[k];
            sink += h;
        } else if (x->len) {
            abort(); /* a length without bytes */
        }
        sink += x->as.u + (uint64_t)fi->type;
    }
}

static void extract_one(const struct source_plugin *sp, const struct event *ev,
                        const struct field_info *fi, const char *arg, struct arena *a)
{
    struct field_ref f = {.info = fi, .arg = arg};
    if (arg && *arg) {
        const char *c = arg;
        while (*c >= '0' && *c <= '9')
            c++;
        if (!*c) {
            /* as the checker: digits only, and within uint64 */
            errno = 0;
            unsigned long long idx = strtoull(arg, NULL, 10);
            if (errno == 0) {
                f.has_index = true;
                f.index = idx;
            }
        }
    }
    struct fvalues out = {0};
    bool ok = source_extract(sp, ev, &f, a, &out);
    if (ok != (out.n > 0))
        abort(); /* source_extract's contract: true iff values */
    touch_values(fi, &out);
}

/* Dotted suffixes: event parameters of several types, and an unknown one. */
static const char *const dotted_args[] = {"flags", "fd", "res", "uid", "name", "open", "x"};

static void extract_dotted(const struct source_plugin *sp, const struct event *ev,
                           const struct field_info *fi, const char *dotted, struct arena *a)
{
    struct field_ref f = {.info = fi, .dotted = dotted};
    struct fvalues out = {0};
    bool ok = source_extract(sp, ev, &f, a, &out);
    if (ok != (out.n > 0))
        abort();
    touch_values(fi, &out);
}

/* full: every argument of the lists; otherwise one index ("1") and the
 * input's own key, to keep later events of a big input cheap. */
static void extract_table(const struct source_plugin *sp, const struct event *ev,
                          const struct source_schema *t, const char *input_key, bool full,
                          struct arena *a)
{
    for (size_t i = 0; i < t->nfields; i++) {
        const struct field_info *fi = &t->fields[i];
        if (fi->flags & FF_ARG_DOTTED) { /* syscall: evt.arg.<name>, evt.rawarg.<name>... */
            for (size_t k = 0; k < sizeof dotted_args / sizeof *dotted_args; k++)
                extract_dotted(sp, ev, fi, dotted_args[k], a);
            if (!(fi->flags & FF_ARG_INDEX))
                continue;
        }
        if (!(fi->flags & FF_ARG_REQUIRED))
            extract_one(sp, ev, fi, NULL, a);
        if (!(fi->flags & (FF_ARG_ALLOWED | FF_ARG_REQUIRED)))
            continue;
        size_t nidx = full ? sizeof index_args / sizeof *index_args : 2;
        for (size_t k = full ? 0 : 1; k < nidx; k++)
            extract_one(sp, ev, fi, index_args[k], a);
        if (fi->flags & FF_ARG_KEY) {
            for (size_t k = 0; full && k < sizeof key_args / sizeof *key_args; k++)
                extract_one(sp, ev, fi, key_args[k], a);
            extract_one(sp, ev, fi, input_key, a);
        }
    }
}

/* Every field of the event's source: its own table, then the extra ones
 * (evt.*, json.*). Values live until the arena is reset, once per event. */
static void extract_all(const struct source_plugin *sp, const struct event *ev,
                        const char *input_key, bool full, struct arena *a)
{
    const struct source_schema *s = schema_source(sp->name);
    if (!s)
        abort();
    extract_table(sp, ev, s, input_key, full, a);
    for (size_t i = 0; i < s->nextra; i++)
        extract_table(sp, ev, s->extra[i], input_key, full, a);
    arena_reset(a);
}

/* ---- 1. straight through json_stream and the decoders ---- */

/* Per source and input: the first events get every argument, the next ones
 * the short list, the rest are only decoded. */
#define MAX_EVENTS_FULL 6
#define MAX_EVENTS_EXTRACTED 48

struct decode_ctx {
    const struct source_plugin *sp;
    struct arena *a;
    const char *input_key;
    uint64_t num, first_ts;
    size_t extracted;
    size_t at;
};

static void on_event(void *ctx, json_ref e)
{
    struct decode_ctx *d = ctx;
    const char *why = NULL;
    bool quiet = false;
    if (d->sp->reject) {
        bool rejected = d->sp->reject(e, &why, &quiet);
        if (rejected && !why)
            abort(); /* a drop must say why */
    }
    struct event ev = {
        .root = e,
        .num = ++d->num,
        .ts_ns = d->sp->timestamp ? d->sp->timestamp(e) : 0,
        .source = d->sp->name,
        .hostname = "fuzzhost",
        .input = "fuzz",
        .offset = d->at,
    };
    if (ev.num == 1)
        d->first_ts = ev.ts_ns;
    ev.first_ts_ns = d->first_ts;
    if (d->extracted < MAX_EVENTS_EXTRACTED)
        extract_all(d->sp, &ev, d->input_key, d->extracted < MAX_EVENTS_FULL, d->a);
    d->extracted++;
}

static void straight(const char *buf, size_t len, bool padded, const char *input_key,
                     struct arena *a)
{
    struct json_parser *p = json_parser_new(INPUT_DEFAULT_MAX_EVENT);
    struct json_stream *s = padded ? json_stream_open_padded(p, buf, len)
                                   : json_stream_open(p, buf, len);
    struct decode_ctx ctx[NSOURCES];
    for (size_t i = 0; i < NSOURCES; i++) {
        ctx[i] = (struct decode_ctx){.sp = source_plugin_find(source_names[i]), .a = a,
                                     .input_key = input_key};
        if (!ctx[i].sp)
            abort();
    }
    json_ref doc;
    size_t at;
    const char *err;
    enum json_next k;
    while ((k = json_stream_next(s, &doc, &at, &err)) != JSON_NEXT_END) {
        if (k == JSON_NEXT_ERROR) {
            if (!err)
                abort();
            continue;
        }
        if (at >= len || json_stream_doc_size(s) > len - at)
            abort(); /* a document outside the input */
        for (size_t i = 0; i < NSOURCES; i++) {
            const char *why = NULL;
            ctx[i].at = at;
            if (!ctx[i].sp->decode(doc, on_event, &ctx[i], &why) && !why)
                abort();
        }
    }
    json_stream_close(s);
    json_parser_free(p);
}

/* ---- 2. through the event reader, over a memfd ---- */

static void quiet_report(void *ctx, const struct input_problem *p)
{
    if (!p->input || !p->msg)
        abort();
    (*(uint64_t *)ctx)++;
}

static void through_reader(const uint8_t *data, size_t size, uint32_t h, const char *input_key,
                           struct arena *a)
{
    int fd = memfd_create("fuzz_decoders", MFD_CLOEXEC);
    if (fd < 0)
        return;
    size_t off = 0;
    while (off < size) {
        ssize_t k = write(fd, data + off, size - off);
        if (k <= 0) {
            close(fd);
            return;
        }
        off += (size_t)k;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    const char *paths[] = {path};

    static const size_t chunks[] = {1, 2, 7, 64, 333, 4096, 0};
    static const size_t events[] = {0, 0, 200, 4096};
    static const size_t docs[] = {0, 0, 512, 65536};
    static const uint64_t inputs[] = {0, 0, 0, 100, 5000};
    uint64_t problems = 0;
    struct input_opts o = {
        .chunk = chunks[h % 7],
        .max_event = events[(h >> 3) % 4],
        .max_doc = docs[(h >> 5) % 4],
        .max_input = inputs[(h >> 7) % 5],
        .report = quiet_report,
        .report_ctx = &problems,
    };
    const struct source_plugin *sp = source_plugin_find(source_names[(h >> 10) % NSOURCES]);
    struct event_reader *r = event_reader_open(sp, paths, 1, &o, "fuzzhost");
    struct event ev;
    size_t n = 0;
    while (event_reader_next(r, &ev)) {
        if (ev.num != n + 1 || !ev.source || !ev.input)
            abort();
        if (n < MAX_EVENTS_EXTRACTED)
            extract_all(sp, &ev, input_key, n < MAX_EVENTS_FULL, a);
        n++;
    }
    struct event_counts c;
    event_reader_counts(r, &c);
    if (c.events != n || c.problems != problems)
        abort();
    event_reader_close(r);
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A key argument from the input itself (its last bytes up to a NUL or
     * newline), so the fuzzer can steer lookups to keys it wrote. */
    char input_key[24];
    size_t kl = size < sizeof input_key - 1 ? size : sizeof input_key - 1;
    memcpy(input_key, data + size - kl, kl);
    input_key[kl] = '\0';
    for (size_t i = 0; i < kl; i++)
        if (input_key[i] == '\n')
            input_key[i] = '\0';
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size && i < 64; i++)
        h = (h ^ data[i]) * 16777619u;

    struct arena a = {0};
    if (h & 0x80000000u) {
        char *copy = malloc(size + JSON_PADDING);
        if (!copy)
            return 0;
        if (size)
            memcpy(copy, data, size);
        memset(copy + size, 0, JSON_PADDING);
        straight(copy, size, true, input_key, &a);
        free(copy);
    } else {
        straight((const char *)data, size, false, input_key, &a);
    }
    okta_extract_reset(); /* the MFA counters are per run */
    through_reader(data, size, h, input_key, &a);
    okta_extract_reset();
    arena_free(&a);
    return 0;
}
