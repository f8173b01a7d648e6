/* input.c: inputs (files, stdin, directories; plain or gzip) read in
 * chunks, and the event reader on top of them (input.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "input.h"
#include "json.h"
#include "util.h"

#define ZIN_SIZE ((size_t)256 << 10)
#define MAX_WALK_DEPTH 64

static const char *const default_suffixes[] = {
    ".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz", NULL,
};

void input_report_stderr(void *ctx, const struct input_problem *p)
{
    (void)ctx;
    if (p->line)
        fprintf(stderr, "stoop: %s:%llu: %s (byte %llu)\n", p->input, (unsigned long long)p->line,
                p->msg, (unsigned long long)p->offset);
    else if (p->offset != UINT64_MAX)
        fprintf(stderr, "stoop: %s: %s (byte %llu)\n", p->input, p->msg,
                (unsigned long long)p->offset);
    else
        fprintf(stderr, "stoop: %s: %s\n", p->input, p->msg);
}

struct entry {
    char *path; /* NULL for stdin */
};

struct input_reader {
    struct input_opts o;
    VEC(struct entry) files;
    size_t next_file;

    /* the current input */
    bool open;
    const char *name;
    int fd;
    bool regular;   /* a regular file: reads fill the buffer */
    bool gz;
    bool eof;       /* no more bytes from the file descriptor */
    bool done;      /* no more bytes of this input (eof, limit or error) */
    bool last_sent; /* its last chunk was returned */
    z_stream z;
    bool z_init;
    unsigned char *zin;
    uint64_t in_bytes; /* bytes of the input (after inflating) put in buf */

    char *buf;         /* cap + JSON_PADDING bytes */
    size_t cap, len;
    uint64_t base;     /* input offset of buf[0] */
    uint64_t line_base;        /* newlines in the input before buf[0] */
    size_t cnt_off;            /* newlines counted in buf[0..cnt_off) ... */
    uint64_t cnt_lines;        /* ... are cnt_lines */

    struct input_counts counts;
};

/* ---- problems ---- */

static void report_at(struct input_reader *r, const char *name, uint64_t offset, uint64_t line,
                      const char *msg)
{
    struct input_problem p = {.input = name, .offset = offset, .line = line, .msg = msg};
    r->counts.problems++;
    (r->o.report ? r->o.report : input_report_stderr)(r->o.report_ctx, &p);
}

void input_reader_report_name(struct input_reader *r, const char *name, const char *msg)
{
    report_at(r, name, UINT64_MAX, 0, msg);
}

static size_t count_newlines(const char *p, size_t n)
{
    size_t c = 0;
    const char *end = p + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        c++;
        p = nl + 1;
    }
    return c;
}

void input_reader_report(struct input_reader *r, uint64_t offset, const char *msg)
{
    uint64_t line = 0;
    if (r->open && offset >= r->base && offset <= r->base + r->len) {
        size_t at = (size_t)(offset - r->base);
        if (at < r->cnt_off) {
            r->cnt_off = 0;
            r->cnt_lines = 0;
        }
        r->cnt_lines += count_newlines(r->buf + r->cnt_off, at - r->cnt_off);
        r->cnt_off = at;
        line = r->line_base + r->cnt_lines + 1;
    }
    report_at(r, r->open ? r->name : "?", offset, line, msg);
}

/* ---- listing ---- */

static bool has_suffix(const char *name, const char *const *suffixes)
{
    size_t n = strlen(name);
    for (; *suffixes; suffixes++) {
        size_t m = strlen(*suffixes);
        if (n > m && strcmp(name + n - m, *suffixes) == 0)
            return true;
    }
    return false;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct walk_dir {
    dev_t dev;
    ino_t ino;
};

static void walk(struct input_reader *r, const char *dir, struct walk_dir *stack, size_t depth)
{
    DIR *d = opendir(dir);
    if (!d) {
        char msg[256];
        snprintf(msg, sizeof msg, "cannot read directory: %s", strerror(errno));
        input_reader_report_name(r, dir, msg);
        return;
    }
    VEC(char *) names = {0};
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        VEC_PUSH(names, xstrdup(de->d_name));
    }
    closedir(d);
    if (names.n)
        qsort(names.v, names.n, sizeof *names.v, cmp_names);
    for (size_t i = 0; i < names.n; i++) {
        char *path = xasprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names.v[i]);
        struct stat st;
        if (stat(path, &st) != 0) {
            char msg[256];
            snprintf(msg, sizeof msg, "cannot read: %s", strerror(errno));
            input_reader_report_name(r, path, msg);
            free(path);
        } else if (S_ISDIR(st.st_mode)) {
            bool loop = false;
            for (size_t k = 0; k <= depth; k++)
                if (stack[k].dev == st.st_dev && stack[k].ino == st.st_ino)
                    loop = true;
            if (loop) {
                input_reader_report_name(r, path, "directory loop (symbolic link); not walked again");
            } else if (depth + 1 >= MAX_WALK_DEPTH) {
                input_reader_report_name(r, path, "directories nested too deep; not walked");
            } else {
                stack[depth + 1] = (struct walk_dir){st.st_dev, st.st_ino};
                walk(r, path, stack, depth + 1);
            }
            free(path);
        } else if (has_suffix(names.v[i], r->o.suffixes)) {
            VEC_PUSH(r->files, ((struct entry){path}));
        } else {
            free(path);
        }
        free(names.v[i]);
    }
    VEC_FREE(names);
}

struct input_reader *input_reader_open(const char *const *paths, size_t npaths,
                                       const struct input_opts *opts)
{
    struct input_reader *r = xcalloc(1, sizeof *r);
    if (opts)
        r->o = *opts;
    if (!r->o.max_input)
        r->o.max_input = INPUT_DEFAULT_MAX_INPUT;
    if (!r->o.max_event)
        r->o.max_event = INPUT_DEFAULT_MAX_EVENT;
    if (!r->o.max_doc)
        r->o.max_doc = INPUT_DEFAULT_MAX_DOC;
    if (!r->o.chunk)
        r->o.chunk = INPUT_DEFAULT_CHUNK;
    if (!r->o.suffixes)
        r->o.suffixes = default_suffixes;
    r->fd = -1;
    for (size_t i = 0; i < npaths; i++) {
        if (strcmp(paths[i], "-") == 0) {
            VEC_PUSH(r->files, ((struct entry){NULL}));
            continue;
        }
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            char msg[256];
            snprintf(msg, sizeof msg, "cannot open: %s", strerror(errno));
            input_reader_report_name(r, paths[i], msg);
        } else if (S_ISDIR(st.st_mode)) {
            struct walk_dir stack[MAX_WALK_DEPTH];
            stack[0] = (struct walk_dir){st.st_dev, st.st_ino};
            walk(r, paths[i], stack, 0);
        } else {
            VEC_PUSH(r->files, ((struct entry){xstrdup(paths[i])}));
        }
    }
    return r;
}

/* ---- reading ---- */

static void close_current(struct input_reader *r)
{
    if (!r->open)
        return;
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    if (r->z_init)
        inflateEnd(&r->z);
    r->z_init = false;
    r->open = false;
}

/* Reads up to n bytes; a regular file is read until n or its end, other
 * descriptors return what one read() gives. -1 on error (errno). */
static ssize_t read_some(struct input_reader *r, void *dst, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(r->fd, (char *)dst + got, n - got);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return got ? (ssize_t)got : -1;
        }
        if (k == 0) {
            r->eof = true;
            break;
        }
        got += (size_t)k;
        if (!r->regular)
            break;
    }
    return (ssize_t)got;
}

static void ensure_cap(struct input_reader *r, size_t need)
{
    if (need <= r->cap && r->buf)
        return;
    size_t cap = r->cap ? r->cap : r->o.chunk;
    while (cap < need)
        cap *= 2;
    r->buf = xrealloc(r->buf, cap + JSON_PADDING);
    r->cap = cap;
}

/* Space the input may still fill: up to the limit, plus one byte to notice
 * it is exceeded. */
static size_t room_until_limit(struct input_reader *r, size_t want)
{
    uint64_t left = r->o.max_input + 1 - r->in_bytes;
    return want < left ? want : (size_t)left;
}

static void read_failed(struct input_reader *r)
{
    char msg[256];
    snprintf(msg, sizeof msg, "read error: %s; the rest of the input is not read", strerror(errno));
    input_reader_report(r, r->base + r->len, msg);
    r->done = true;
}

/* Inflates into buf[len..len+space); returns bytes produced. */
static size_t inflate_some(struct input_reader *r, size_t space)
{
    size_t produced = 0;
    while (produced == 0 && !r->done && space > 0) {
        if (r->z.avail_in == 0 && !r->eof) {
            ssize_t k = read_some(r, r->zin, ZIN_SIZE);
            if (k < 0) {
                read_failed(r);
                break;
            }
            r->z.next_in = r->zin;
            r->z.avail_in = (uInt)k;
        }
        r->z.next_out = (unsigned char *)r->buf + r->len + produced;
        r->z.avail_out = (uInt)(space > (1u << 30) ? (1u << 30) : space);
        uInt before = r->z.avail_out;
        int ret = inflate(&r->z, Z_NO_FLUSH);
        size_t made = before - r->z.avail_out;
        produced += made;
        space -= made;
        if (ret == Z_STREAM_END) {
            /* Another gzip member may follow (concatenated .gz files). */
            if (r->z.avail_in == 0 && !r->eof) {
                ssize_t k = read_some(r, r->zin, ZIN_SIZE);
                if (k < 0) {
                    read_failed(r);
                    break;
                }
                r->z.next_in = r->zin;
                r->z.avail_in = (uInt)k;
            }
            if (r->z.avail_in == 0) {
                r->done = true;
            } else if (r->z.avail_in >= 2 && r->z.next_in[0] == 0x1f && r->z.next_in[1] == 0x8b) {
                inflateReset(&r->z);
            } else {
                input_reader_report(r, r->base + r->len + produced,
                                    "bytes after the end of the gzip data ignored");
                r->done = true;
            }
        } else if (ret == Z_BUF_ERROR && r->z.avail_in == 0 && r->eof) {
            input_reader_report(r, r->base + r->len + produced,
                                "truncated gzip data: the file ends inside the compressed stream");
            r->done = true;
        } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
            char msg[256];
            snprintf(msg, sizeof msg, "corrupt gzip data (%s); the rest of the input is not read",
                     r->z.msg ? r->z.msg : zError(ret));
            input_reader_report(r, r->base + r->len + produced, msg);
            r->done = true;
        }
    }
    return produced;
}

/* Past the input limit: cut the input there, say so, read no more. */
static void check_limit(struct input_reader *r)
{
    if (r->in_bytes <= r->o.max_input)
        return;
    size_t over = (size_t)(r->in_bytes - r->o.max_input);
    r->len -= over;
    r->in_bytes -= over;
    r->counts.bytes -= over;
    char msg[256];
    snprintf(msg, sizeof msg,
             "input larger than the limit of %llu bytes (--max-input-size); the rest is not read",
             (unsigned long long)r->o.max_input);
    input_reader_report(r, r->o.max_input, msg);
    r->done = true;
}

/* Adds up to `want` bytes after buf[len]: a regular file fills them, a
 * pipe gives what one read has (at least one byte unless the input is
 * done). */
static void fill(struct input_reader *r, size_t want)
{
    ensure_cap(r, r->len + want);
    size_t space = room_until_limit(r, want);
    size_t got = 0;
    if (space == 0) {
        r->done = true;
    } else if (r->gz) {
        do {
            size_t k = inflate_some(r, space - got);
            r->len += k;
            got += k;
        } while (r->regular && !r->done && got < space);
    } else if (!r->eof) {
        ssize_t k = read_some(r, r->buf + r->len, space);
        if (k < 0)
            read_failed(r);
        else
            r->len += (size_t)k, got = (size_t)k;
    }
    r->in_bytes += got;
    r->counts.bytes += got;
    check_limit(r);
    if (!r->gz && r->eof)
        r->done = true;
    memset(r->buf + r->len, 0, JSON_PADDING);
}

static bool open_next(struct input_reader *r)
{
    while (r->next_file < r->files.n) {
        struct entry *e = &r->files.v[r->next_file++];
        r->name = e->path ? e->path : "-";
        r->fd = e->path ? open(e->path, O_RDONLY | O_CLOEXEC) : dup(STDIN_FILENO);
        if (r->fd < 0) {
            char msg[256];
            snprintf(msg, sizeof msg, "cannot open: %s", strerror(errno));
            input_reader_report_name(r, r->name, msg);
            continue;
        }
        struct stat st;
        r->regular = fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode);
        r->open = true;
        r->gz = r->eof = r->done = r->last_sent = false;
        r->in_bytes = 0;
        r->len = 0;
        r->base = 0;
        r->line_base = r->cnt_lines = 0;
        r->cnt_off = 0;
        r->counts.inputs++;

        /* Sniff the first bytes for the gzip magic. */
        if (!r->zin)
            r->zin = xmalloc(ZIN_SIZE);
        size_t have = 0, sniff = r->o.chunk < ZIN_SIZE ? (r->o.chunk < 2 ? 2 : r->o.chunk) : ZIN_SIZE;
        while (have < 2 && !r->eof) {
            ssize_t k = read_some(r, r->zin + have, sniff - have);
            if (k < 0) {
                char msg[256];
                snprintf(msg, sizeof msg, "read error: %s", strerror(errno));
                input_reader_report_name(r, r->name, msg);
                break;
            }
            have += (size_t)k;
        }
        bool magic = have >= 2 && r->zin[0] == 0x1f && r->zin[1] == 0x8b;
        size_t nlen = strlen(r->name);
        bool gz_name = nlen > 3 && strcmp(r->name + nlen - 3, ".gz") == 0;
        if (gz_name && !magic) {
            input_reader_report_name(r, r->name,
                                     "not gzip data although the name ends in .gz; skipped");
            close_current(r);
            continue;
        }
        ensure_cap(r, r->o.chunk > have ? r->o.chunk : have);
        if (magic) {
            r->gz = true;
            memset(&r->z, 0, sizeof r->z);
            if (inflateInit2(&r->z, 15 + 16) != Z_OK) {
                input_reader_report_name(r, r->name, "cannot start gzip decompression; skipped");
                close_current(r);
                continue;
            }
            r->z_init = true;
            r->z.next_in = r->zin;
            r->z.avail_in = (uInt)have;
        } else {
            /* Plain data: what the sniffing read is the start of the input. */
            size_t take = room_until_limit(r, have);
            memcpy(r->buf, r->zin, take);
            r->len = take;
            r->in_bytes = take;
            r->counts.bytes += take;
            check_limit(r);
            if (r->eof)
                r->done = true;
        }
        return true;
    }
    return false;
}

bool input_reader_next(struct input_reader *r, size_t keep, struct input_chunk *c)
{
    bool first = false;
    if (r->open && !r->last_sent) {
        if (keep > r->len)
            keep = r->len;
        size_t drop = r->len - keep;
        r->line_base += count_newlines(r->buf, drop);
        memmove(r->buf, r->buf + drop, keep);
        r->base += drop;
        r->len = keep;
        r->cnt_off = 0;
        r->cnt_lines = 0;
        /* A document longer than a chunk: grow geometrically, so it is
         * scanned a logarithmic number of times. */
        size_t want = keep > r->o.chunk ? keep : r->o.chunk;
        do
            fill(r, want);
        while (!r->done && r->len <= keep); /* a pipe may give few bytes */
    } else {
        close_current(r);
        if (!open_next(r))
            return false;
        first = true;
        if (!r->done && (r->len == 0 || r->regular || r->gz))
            fill(r, r->o.chunk);
        memset(r->buf + r->len, 0, JSON_PADDING);
    }
    c->name = r->name;
    c->data = r->buf;
    c->len = r->len;
    c->base = r->base;
    c->first = first;
    c->last = r->done;
    r->last_sent = r->done;
    return true;
}

void input_reader_counts(const struct input_reader *r, struct input_counts *out)
{
    *out = r->counts;
}

void input_reader_close(struct input_reader *r)
{
    if (!r)
        return;
    close_current(r);
    for (size_t i = 0; i < r->files.n; i++)
        free(r->files.v[i].path);
    VEC_FREE(r->files);
    free(r->zin);
    free(r->buf);
    free(r);
}

/* ---- events ---- */

struct event_reader {
    const struct source_plugin *sp;
    struct input_reader *in;
    struct json_parser *jp;
    struct json_stream *js;
    struct input_chunk chunk;
    VEC(json_ref) pending;
    size_t pend_i;
    uint64_t doc_at;
    const char *hostname;
    size_t max_event;
    uint64_t num, first_ts;
    struct event_counts counts;
};

static void push_event(void *ctx, json_ref e)
{
    struct event_reader *r = ctx;
    VEC_PUSH(r->pending, e);
}

struct event_reader *event_reader_open(const struct source_plugin *sp, const char *const *paths,
                                       size_t npaths, const struct input_opts *opts,
                                       const char *hostname)
{
    struct event_reader *r = xcalloc(1, sizeof *r);
    struct input_opts o = {0};
    if (opts)
        o = *opts;
    static const char *const cloudtrail_suffixes[] = {".json", ".json.gz", NULL};
    if (!o.suffixes && strcmp(sp->name, "aws_cloudtrail") == 0)
        o.suffixes = cloudtrail_suffixes; /* as the cloudtrail plugin walks directories */
    r->sp = sp;
    r->in = input_reader_open(paths, npaths, &o);
    r->max_event = o.max_event ? o.max_event : INPUT_DEFAULT_MAX_EVENT;
    r->jp = json_parser_new(o.max_doc ? o.max_doc : INPUT_DEFAULT_MAX_DOC);
    r->hostname = hostname;
    return r;
}

static bool same_ref(json_ref a, json_ref b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

bool event_reader_next(struct event_reader *r, struct event *ev)
{
    for (;;) {
        while (r->pend_i < r->pending.n) {
            json_ref e = r->pending.v[r->pend_i++];
            const char *why = NULL;
            bool quiet = false;
            if (r->sp->reject && r->sp->reject(e, &why, &quiet)) {
                if (quiet) {
                    r->counts.filtered++;
                } else {
                    r->counts.skipped++;
                    input_reader_report(r->in, r->doc_at, why);
                }
                continue;
            }
            memset(ev, 0, sizeof *ev);
            ev->root = e;
            ev->num = ++r->num;
            ev->ts_ns = r->sp->timestamp ? r->sp->timestamp(e) : 0;
            if (ev->num == 1)
                r->first_ts = ev->ts_ns;
            ev->first_ts_ns = r->first_ts;
            ev->source = r->sp->name;
            ev->hostname = r->hostname;
            ev->input = r->chunk.name;
            ev->offset = (size_t)r->doc_at;
            r->counts.events++;
            return true;
        }
        r->pending.n = 0;
        r->pend_i = 0;

        if (!r->js) {
            if (!input_reader_next(r->in, 0, &r->chunk))
                return false;
            r->js = json_stream_open_padded(r->jp, r->chunk.data, r->chunk.len);
            json_stream_set_more(r->js, !r->chunk.last);
        }
        json_ref doc;
        size_t at;
        const char *err;
        switch (json_stream_next(r->js, &doc, &at, &err)) {
        case JSON_NEXT_DOC: {
            r->counts.documents++;
            r->doc_at = at;
            const char *why = "not recognized";
            if (!r->sp->decode(doc, push_event, r, &why)) {
                r->pending.n = 0;
                r->counts.skipped++;
                input_reader_report(r->in, at, why);
                break;
            }
            size_t size = json_stream_doc_size(r->js);
            if (size > r->max_event && r->pending.n == 1 && same_ref(r->pending.v[0], doc)) {
                char msg[256];
                snprintf(msg, sizeof msg,
                         "event of %zu bytes is larger than the limit of %zu bytes "
                         "(--max-event-size); skipped",
                         size, r->max_event);
                r->pending.n = 0;
                r->counts.skipped++;
                input_reader_report(r->in, at, msg);
            }
            break;
        }
        case JSON_NEXT_ERROR:
            r->counts.skipped++;
            input_reader_report(r->in, at, err);
            break;
        case JSON_NEXT_END:
            if (r->chunk.last) {
                json_stream_close(r->js);
                r->js = NULL;
            } else {
                size_t keep = r->chunk.len - json_stream_consumed(r->js);
                if (!input_reader_next(r->in, keep, &r->chunk)) {
                    json_stream_close(r->js);
                    r->js = NULL;
                    return false;
                }
                json_stream_refill(r->js, r->chunk.data, r->chunk.len, !r->chunk.last);
            }
            break;
        }
    }
}

void event_reader_counts(const struct event_reader *r, struct event_counts *out)
{
    struct input_counts ic;
    input_reader_counts(r->in, &ic);
    *out = r->counts;
    out->inputs = ic.inputs;
    out->bytes = ic.bytes;
    out->problems = ic.problems;
}

void event_reader_close(struct event_reader *r)
{
    if (!r)
        return;
    if (r->js)
        json_stream_close(r->js);
    json_parser_free(r->jp);
    input_reader_close(r->in);
    VEC_FREE(r->pending);
    free(r);
}
