/* alert.c: Falco's alert formats (falco-language.md 3.2-3.3, ecosystem.md
 * 3.1). The text line is `<evt.time>: <Priority> <output>`, passed through
 * a JSON string encoder (so it is always one line); the JSON object has its
 * keys in alphabetical order at every level, as Falco 0.44 prints them. */
#include "alert.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

/* "HH:MM:SS.nnnnnnnnn" in local time, as %evt.time prints. The offset to
 * UTC is asked of localtime_r once per minute of event time (zones change
 * offset only on minute boundaries); it is costly per alert. */
static void format_evt_time(struct strbuf *sb, uint64_t ts_ns)
{
    static _Thread_local int64_t cached_minute = INT64_MIN;
    static _Thread_local long gmtoff;
    time_t secs = (time_t)(ts_ns / 1000000000u);
    if ((int64_t)secs / 60 != cached_minute) {
        struct tm tm;
        localtime_r(&secs, &tm);
        gmtoff = tm.tm_gmtoff;
        cached_minute = (int64_t)secs / 60;
    }
    int64_t sod = ((int64_t)secs + gmtoff) % 86400;
    if (sod < 0)
        sod += 86400;
    sb_put_u64(sb, (uint64_t)sod / 3600, 2);
    sb_putc(sb, ':');
    sb_put_u64(sb, (uint64_t)sod / 60 % 60, 2);
    sb_putc(sb, ':');
    sb_put_u64(sb, (uint64_t)sod % 60, 2);
    sb_putc(sb, '.');
    sb_put_u64(sb, ts_ns % 1000000000u, 9);
}

/* "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" in UTC. */
static void format_iso8601(struct strbuf *sb, uint64_t ts_ns)
{
    time_t secs = (time_t)(ts_ns / 1000000000u);
    struct tm tm;
    gmtime_r(&secs, &tm);
    sb_printf(sb, "%04d-%02d-%02dT%02d:%02d:%02d.%09" PRIu64 "Z", tm.tm_year + 1900,
              tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts_ns % 1000000000u);
}

/* Appends s as the body of a JSON string, replacing invalid UTF-8 with
 * U+FFFD as Falco does. */
static void json_escape_utf8(struct strbuf *sb, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            /* A run of ASCII goes through the escaper in one call. */
            size_t j = i + 1;
            while (j < n && (unsigned char)s[j] < 0x80)
                j++;
            sb_json_escape(sb, s + i, j - i);
            i = j;
            continue;
        }
        /* Well-formed sequences only (utf8_sequence_len). */
        size_t len = utf8_sequence_len((const unsigned char *)s + i, n - i);
        bool ok = len > 0;
        if (ok) {
            sb_append(sb, s + i, len);
            i += len;
        } else {
            sb_puts(sb, "\xEF\xBF\xBD");
            i++;
        }
    }
}

static void append_ip(struct strbuf *sb, const struct fvalue *v)
{
    if (v->as.ip.family == 4) {
        sb_printf(sb, "%u.%u.%u.%u", v->as.ip.addr[0], v->as.ip.addr[1], v->as.ip.addr[2],
                  v->as.ip.addr[3]);
        return;
    }
    char buf[64];
    size_t o = 0;
    for (int i = 0; i < 16; i += 2)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%x", i ? ":" : "",
                              (unsigned)(v->as.ip.addr[i] << 8 | v->as.ip.addr[i + 1]));
    sb_puts(sb, buf);
}

/* One value as text, per the field's type (falco-language.md 3.1). */
static void append_value_text(struct strbuf *sb, enum field_type t, const struct fvalue *v)
{
    switch (field_type_class(t)) {
    case TC_NUMERIC:
        if (field_type_is_signed(t))
            sb_put_i64(sb, v->as.i);
        else
            sb_put_u64(sb, v->as.u, 0);
        return;
    case TC_BOOL:
        sb_puts(sb, v->as.b ? "true" : "false");
        return;
    case TC_IP:
    case TC_NET:
        append_ip(sb, v);
        return;
    default:
        sb_append(sb, v->str ? v->str : "", v->str ? v->len : 0);
    }
}

/* The text of a token: <NA> when missing, (a,b) for lists. */
static void append_token_text(struct strbuf *sb, const struct operand *o, const struct fvalues *fv)
{
    if (!fv || fv->n == 0) {
        sb_puts(sb, "<NA>");
        return;
    }
    if (o->is_list)
        sb_putc(sb, '(');
    for (size_t i = 0; i < fv->n; i++) {
        if (i)
            sb_putc(sb, ',');
        append_value_text(sb, o->type, &fv->v[i]);
    }
    if (o->is_list)
        sb_putc(sb, ')');
}

/* %12proc.name: the value right-padded or truncated to 12 bytes. */
static void append_width(struct strbuf *sb, const char *s, size_t n, unsigned width)
{
    if (!width) {
        sb_append(sb, s, n);
        return;
    }
    sb_append(sb, s, n < width ? n : width);
    for (size_t i = n; i < width; i++)
        sb_putc(sb, ' ');
}

static void render_message(struct strbuf *out, struct ruleset *rs, const struct rule_def *rule,
                           const struct event *ev)
{
    const struct output_format *f = &rule->output_fmt;
    for (size_t i = 0; i < f->n; i++) {
        const struct format_part *part = &f->parts[i];
        if (!part->is_token) {
            sb_puts(out, part->text);
            continue;
        }
        struct strbuf tok = {0};
        append_token_text(&tok, part->opnd, ruleset_field(rs, ev, part->opnd));
        append_width(out, tok.s ? tok.s : "", tok.len, part->width);
        sb_free(&tok);
    }
}

/* ---- output_fields ---- */

struct out_field {
    const char *key;           /* the field as written: "proc.aname[2]" */
    const struct operand *opnd;
};

static int compare_out_fields(const void *a, const void *b)
{
    return strcmp(((const struct out_field *)a)->key, ((const struct out_field *)b)->key);
}

/* Output fields are the %fields of the format; a transformer token is
 * replaced by the fields inside it (as Falco does). */
static void collect_fields(const struct operand *o, const char *as_written, struct out_field **v,
                           size_t *n, size_t *cap)
{
    if (o->kind == OPND_TRANSFORM) {
        for (size_t i = 0; i < o->u.transform.nargs; i++)
            collect_fields(o->u.transform.args[i], NULL, v, n, cap);
        return;
    }
    if (o->kind != OPND_FIELD)
        return;
    char *key = as_written ? xstrdup(as_written) : operand_to_string(o);
    for (size_t i = 0; i < *n; i++) {
        if (strcmp((*v)[i].key, key) == 0) {
            free(key);
            return;
        }
    }
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 8;
        *v = xrealloc(*v, *cap * sizeof **v);
    }
    (*v)[(*n)++] = (struct out_field){key, o};
}

static void append_json_value(struct strbuf *sb, enum field_type t, const struct fvalue *v)
{
    switch (field_type_class(t)) {
    case TC_NUMERIC:
    case TC_BOOL:
        append_value_text(sb, t, v);
        return;
    default: {
        struct strbuf text = {0};
        append_value_text(&text, t, v);
        sb_putc(sb, '"');
        json_escape_utf8(sb, text.s ? text.s : "", text.len);
        sb_putc(sb, '"');
        sb_free(&text);
    }
    }
}

static void append_output_fields(struct strbuf *sb, struct ruleset *rs, const struct rule_def *rule,
                                 const struct event *ev, const char *time_key)
{
    struct out_field *v = NULL;
    size_t n = 0, cap = 0;
    const struct output_format *f = &rule->output_fmt;
    for (size_t i = 0; i < f->n; i++)
        if (f->parts[i].is_token)
            collect_fields(f->parts[i].opnd,
                           f->parts[i].opnd->kind == OPND_FIELD ? f->parts[i].text : NULL, &v,
                           &n, &cap);
    /* The prefix's evt.time is always there, so output_fields is never
     * empty (falcosidekick rejects an alert without output fields). */
    bool has_time = false;
    for (size_t i = 0; i < n; i++)
        has_time |= strcmp(v[i].key, time_key) == 0;
    if (!has_time) {
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            v = xrealloc(v, cap * sizeof *v);
        }
        v[n++] = (struct out_field){xstrdup(time_key), NULL};
    }
    qsort(v, n, sizeof *v, compare_out_fields);
    sb_putc(sb, '{');
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_putc(sb, ',');
        sb_putc(sb, '"');
        json_escape_utf8(sb, v[i].key, strlen(v[i].key));
        sb_puts(sb, "\":");
        if (!v[i].opnd) { /* the prefix time */
            if (strcmp(time_key, "evt.time") == 0) {
                sb_put_u64(sb, ev->ts_ns, 0);
            } else {
                sb_putc(sb, '"');
                format_iso8601(sb, ev->ts_ns);
                sb_putc(sb, '"');
            }
        } else {
            const struct fvalues *fv = ruleset_field(rs, ev, v[i].opnd);
            if (!fv || fv->n == 0) {
                sb_puts(sb, "null");
            } else if (v[i].opnd->is_list) {
                sb_putc(sb, '[');
                for (size_t k = 0; k < fv->n; k++) {
                    if (k)
                        sb_putc(sb, ',');
                    append_json_value(sb, v[i].opnd->type, &fv->v[k]);
                }
                sb_putc(sb, ']');
            } else {
                append_json_value(sb, v[i].opnd->type, &fv->v[0]);
            }
        }
        free((char *)v[i].key);
    }
    sb_putc(sb, '}');
    free(v);
}

void alert_write(FILE *out, const struct alert_opts *opts, struct ruleset *rs,
                 const struct rule_def *rule, const struct event *ev)
{
    struct strbuf line = {0};
    if (opts->time_iso8601)
        format_iso8601(&line, ev->ts_ns);
    else
        format_evt_time(&line, ev->ts_ns);
    sb_puts(&line, ": ");
    sb_puts(&line, priority_name(rule->priority));
    sb_putc(&line, ' ');
    render_message(&line, rs, rule, ev);

    /* The text line goes through a JSON string encoder in both formats. */
    struct strbuf text = {0};
    json_escape_utf8(&text, line.s, line.len);
    if (!opts->json) {
        if (text.len)
            fwrite(text.s, 1, text.len, out);
        putc('\n', out);
    } else {
        struct strbuf js = {0};
        sb_puts(&js, "{\"hostname\":\"");
        json_escape_utf8(&js, opts->hostname, strlen(opts->hostname));
        sb_puts(&js, "\",\"output\":\"");
        sb_append(&js, text.s ? text.s : "", text.len);
        sb_puts(&js, "\",\"output_fields\":");
        append_output_fields(&js, rs, rule, ev,
                             opts->time_iso8601 ? "evt.time.iso8601" : "evt.time");
        sb_puts(&js, ",\"priority\":\"");
        sb_puts(&js, priority_name(rule->priority));
        sb_puts(&js, "\",\"rule\":\"");
        json_escape_utf8(&js, rule->name, strlen(rule->name));
        sb_puts(&js, "\",\"source\":\"");
        json_escape_utf8(&js, rule->source, strlen(rule->source));
        sb_puts(&js, "\",\"tags\":[");
        for (size_t i = 0; i < rule->ntags; i++) {
            sb_puts(&js, i ? ",\"" : "\"");
            json_escape_utf8(&js, rule->tags[i], strlen(rule->tags[i]));
            sb_putc(&js, '"');
        }
        sb_puts(&js, "],\"time\":\"");
        format_iso8601(&js, ev->ts_ns);
        sb_puts(&js, "\"}\n");
        fwrite(js.s, 1, js.len, out);
        sb_free(&js);
    }
    sb_free(&text);
    sb_free(&line);
}
