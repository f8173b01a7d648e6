/* sources.c: the table of event sources with inputs, and field extraction
 * dispatch: the generic evt.* class, then the json plugin's json.* and
 * jevt.*, then the source's own table (source.h). Also the RFC 3339 reader
 * the decoders share (decode.h). */
#include <string.h>

#include "decode.h"
#include "extractors.h"

static const struct source_plugin *const all_sources[] = {
    &k8s_audit_source, &aws_cloudtrail_source, &github_source, &okta_source, &json_source,
    &syscall_source,
};

const struct source_plugin *source_plugin_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof all_sources / sizeof all_sources[0]; i++)
        if (strcmp(all_sources[i]->name, name) == 0)
            return all_sources[i];
    return NULL;
}

bool source_extract(const struct source_plugin *sp, const struct event *ev,
                    const struct field_ref *f, struct arena *a, struct fvalues *out)
{
    out->v = NULL;
    out->n = 0;
    const char *name = f->info->name;
    if (name[0] == 'e' && strncmp(name, "evt.", 4) == 0 && !sp->extracts_evt)
        return generic_extract(sp, ev, f, a, out);
    if ((name[0] == 'j' && strncmp(name, "json.", 5) == 0) || strncmp(name, "jevt.", 5) == 0)
        return json_extract(ev, f, a, out);
    if (!sp->extract)
        return false; /* that source's extractor is not built in yet */
    return sp->extract(ev, f, a, out) && out->n > 0;
}

/* ---- RFC 3339 ---- */

static bool digits(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

bool rfc3339_parse(const char *s, size_t n, uint64_t *ns_out)
{
    unsigned Y, M, D, h, m, sec, frac = 0;
    /* 2006-01-02T15:04:05 */
    if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        return false;
    if (!digits(s, 4, &Y) || !digits(s + 5, 2, &M) || !digits(s + 8, 2, &D) ||
        !digits(s + 11, 2, &h) || !digits(s + 14, 2, &m) || !digits(s + 17, 2, &sec))
        return false;
    static const unsigned char mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
    if (M < 1 || M > 12 || D < 1 || D > (unsigned)(mdays[M - 1] + (M == 2 && leap)) || h > 23 || m > 59 ||
        sec > 59)
        return false;
    size_t i = 19;
    if (s[i] == '.') {
        size_t start = ++i;
        unsigned nd = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (nd < 9) {
                frac = frac * 10 + (unsigned)(s[i] - '0');
                nd++;
            }
            i++;
        }
        if (i == start)
            return false;
        for (; nd < 9; nd++)
            frac *= 10;
    }
    int64_t off = 0;
    if (i < n && s[i] == 'Z') {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        unsigned oh, om;
        if (n - i < 6 || s[i + 3] != ':' || !digits(s + i + 1, 2, &oh) ||
            !digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
            return false;
        off = (int64_t)(oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
        i += 6;
    } else {
        return false;
    }
    if (i != n)
        return false;
    int64_t t = days_from_civil(Y, M, D) * 86400 + h * 3600 + m * 60 + sec - off;
    if (t < 0 || (uint64_t)t > UINT64_MAX / 1000000000u - 1)
        return false;
    *ns_out = (uint64_t)t * 1000000000u + frac;
    return true;
}

bool json_member_time(json_ref obj, const char *key, uint64_t *ns_out)
{
    json_ref v;
    const char *s;
    size_t n;
    return json_object_get(obj, key, strlen(key), &v) && json_get_string(v, &s, &n) &&
           rfc3339_parse(s, n, ns_out);
}
