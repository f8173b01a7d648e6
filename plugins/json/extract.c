/* json/extract.c: the json plugin's fields (falco-fields.md 6), offered to
 * every source:
 *   json.value[ptr]  a JSON pointer walk from the event: one leading "/" is
 *                    optional; the rest is split on "/", each part unescaped
 *                    ("~1" to "/" first, then "~0" to "~", as the plugin's
 *                    strings.Replace calls do) and looked up as an object
 *                    key (first match) or an array index (Go's strconv.Atoi:
 *                    optional sign, decimal digits). A string leaf gives its
 *                    text, any other value its compact JSON text; a missing
 *                    step gives nothing. An empty pointer gives the whole
 *                    event as compact JSON.
 *   json.obj         the event re-indented with two spaces (Go json.Indent)
 *   json.rawtime     the event time in ns, as decimal text
 *   jevt.*           aliases of the same.
 * Like the plugin, which only reads events starting with '{' or '[', an
 * event that is not an object or an array has none of these fields. */
#include <stdio.h>
#include <string.h>

#include "../extractors.h"

static bool put_text(struct arena *a, struct fvalues *out, const char *s, size_t n, bool copy)
{
    struct fvalue *v = arena_alloc(a, sizeof *v);
    memset(v, 0, sizeof *v);
    v->str = copy ? arena_strndup(a, s, n) : s;
    v->len = n;
    out->v = v;
    out->n = 1;
    return true;
}

/* Go strconv.Atoi, then the fastjson bounds check (0 <= i < len). */
static bool parse_index(const char *s, size_t n, size_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n)
        return false;
    uint64_t v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (neg && v != 0)
        return false;
    if (v > (uint64_t)INT64_MAX)
        return false;
    *out = (size_t)v;
    return true;
}

/* One pointer step: the raw (escaped) token tok[0..n). */
static bool step(json_ref cur, const char *tok, size_t n, struct arena *a, json_ref *next)
{
    switch (json_kind(cur)) {
    case JSON_OBJECT: {
        if (!memchr(tok, '~', n))
            return json_object_get(cur, tok, n, next);
        /* strings.Replace(key, "~1", "/"), then strings.Replace(key, "~0", "~") */
        char *k1 = arena_alloc(a, n + 1);
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (tok[i] == '~' && i + 1 < n && tok[i + 1] == '1') {
                k1[m++] = '/';
                i++;
            } else {
                k1[m++] = tok[i];
            }
        }
        char *k2 = arena_alloc(a, m + 1);
        size_t l = 0;
        for (size_t i = 0; i < m; i++) {
            if (k1[i] == '~' && i + 1 < m && k1[i + 1] == '0') {
                k2[l++] = '~';
                i++;
            } else {
                k2[l++] = k1[i];
            }
        }
        return json_object_get(cur, k2, l, next);
    }
    case JSON_ARRAY: {
        size_t idx;
        return parse_index(tok, n, &idx) && json_array_at(cur, idx, next);
    }
    default:
        return false;
    }
}

static bool value_at(const struct event *ev, const char *ptr, struct arena *a,
                     struct fvalues *out)
{
    json_ref cur = ev->root;
    size_t len = strlen(ptr);
    if (len > 0) {
        size_t i = ptr[0] == '/' ? 1 : 0;
        for (;;) {
            const char *slash = memchr(ptr + i, '/', len - i);
            size_t end = slash ? (size_t)(slash - ptr) : len;
            if (!step(cur, ptr + i, end - i, a, &cur))
                return false;
            if (!slash)
                break;
            i = end + 1;
        }
    }
    const char *s;
    size_t n;
    if (json_get_string(cur, &s, &n))
        return put_text(a, out, s, n, false); /* document memory */
    s = json_to_text(cur, &n);
    return put_text(a, out, s, n, true);
}

bool json_extract(const struct event *ev, const struct field_ref *f, struct arena *a,
                  struct fvalues *out)
{
    const char *name = f->info->name;
    out->v = NULL;
    out->n = 0;
    name += 5; /* after "json." or "jevt." */
    enum json_kind k = json_kind(ev->root);
    if (k != JSON_OBJECT && k != JSON_ARRAY)
        return false;
    if (strcmp(name, "value") == 0)
        return value_at(ev, f->arg ? f->arg : "", a, out);
    if (strcmp(name, "obj") == 0) {
        size_t n;
        const char *s = json_to_text_indented(ev->root, &n);
        return put_text(a, out, s, n, true);
    }
    if (strcmp(name, "rawtime") == 0) {
        char buf[24];
        int n = snprintf(buf, sizeof buf, "%llu", (unsigned long long)ev->ts_ns);
        return put_text(a, out, buf, (size_t)n, true);
    }
    return false;
}
