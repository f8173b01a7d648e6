/* diag_render.c: the one printer of diagnostics, as text, JSON or SARIF.
 *
 * Line and column numbers in every format come from source_line_col(): 1-based
 * lines, 1-based columns counted in Unicode code points, end positions
 * exclusive. The text format lays the source line out itself (tabs expanded to
 * stops of DISP_TAB columns, control characters and invalid UTF-8 shown as
 * U+FFFD), and computes marker columns with the same walk, so the ^~~ line
 * always sits under the text it marks. */
#include "diag.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define DISP_TAB 4
#define GUTTER_MIN 5

#define ANSI_RESET "\033[0m"
#define ANSI_BOLD "\033[1m"
#define ANSI_RED "\033[1;31m"
#define ANSI_YELLOW "\033[1;33m"
#define ANSI_CYAN "\033[1;36m"

static const char *sev_name(enum diag_severity s)
{
    switch (s) {
    case SEV_ERROR: return "error";
    case SEV_WARNING: return "warning";
    case SEV_NOTE: return "note";
    }
    BUG("bad severity %d", (int)s);
}

/* ---- UTF-8 ---- */

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return len;
}

/* ---- positions ---- */

struct pos {
    const struct source_file *f;
    uint32_t start, end;         /* clamped byte offsets */
    unsigned line, col;          /* 1-based, code points */
    unsigned end_line, end_col;  /* exclusive end */
    uint32_t lstart, llen;       /* bounds of the start line (no newline) */
};

static bool span_pos(const struct source_set *src, struct span sp, struct pos *p)
{
    if (!span_valid(sp) || !src)
        return false;
    const struct source_file *f = source_get(src, sp.file);
    if (!f)
        return false;
    p->f = f;
    p->start = sp.start > f->len ? (uint32_t)f->len : sp.start;
    p->end = sp.end > f->len ? (uint32_t)f->len : sp.end;
    if (p->end < p->start)
        p->end = p->start;
    source_line_col(f, p->start, &p->line, &p->col);
    source_line_col(f, p->end, &p->end_line, &p->end_col);
    source_line_bounds(f, p->start, &p->lstart, &p->llen);
    return true;
}

/* ---- text ---- */

struct text_ctx {
    FILE *out;
    bool color;
    int gutter; /* width of the line-number column */
};

static void tput(const struct text_ctx *t, const char *ansi, const char *s)
{
    if (t->color && ansi)
        fputs(ansi, t->out);
    fputs(s, t->out);
    if (t->color && ansi)
        fputs(ANSI_RESET, t->out);
}

/* Writes a message; control characters are escaped so that one diagnostic
 * header stays one line and no escape sequence reaches the terminal. */
static void put_message(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p < 0x20 && *p != '\t') || *p == 0x7F)
            fprintf(out, "\\x%02x", *p);
        else
            fputc(*p, out);
    }
}

/* Walks a source line [s, s+n) up to byte `stop` and returns the display
 * column (0-based) reached; when `out` is set, also writes what it walked. */
static unsigned disp_walk(const char *s, size_t n, size_t stop, FILE *out)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned col = 0;
    size_t i = 0;
    while (i < n && i < stop) {
        if (u[i] == '\t') {
            unsigned w = DISP_TAB - col % DISP_TAB;
            if (out)
                fprintf(out, "%*s", (int)w, "");
            col += w;
            i++;
            continue;
        }
        size_t len = utf8_len(u + i, n - i);
        if (len == 0 || u[i] < 0x20 || u[i] == 0x7F) {
            if (out)
                fputs("\xEF\xBF\xBD", out);
            len = len ? len : 1;
        } else if (out) {
            fwrite(u + i, 1, len, out);
        }
        col++;
        i += len;
    }
    return col;
}

static unsigned disp_col(const struct source_file *f, uint32_t lstart, uint32_t llen,
                         uint32_t off)
{
    return disp_walk(f->text + lstart, llen, off - lstart, NULL);
}

static void put_gutter(const struct text_ctx *t, unsigned line)
{
    char buf[32];
    if (line)
        snprintf(buf, sizeof buf, "%*u |", t->gutter, line);
    else
        snprintf(buf, sizeof buf, "%*s |", t->gutter, "");
    tput(t, ANSI_CYAN, buf);
}

static void put_source_line(const struct text_ctx *t, const struct pos *p)
{
    put_gutter(t, p->line);
    if (p->llen) {
        fputc(' ', t->out);
        disp_walk(p->f->text + p->lstart, p->llen, p->llen, t->out);
    }
    fputc('\n', t->out);
}

/* Display columns [a, b) of the part of p on its first line. */
static void marker_cols(const struct pos *p, unsigned *a, unsigned *b)
{
    uint32_t lend = p->lstart + p->llen;
    *a = disp_col(p->f, p->lstart, p->llen, p->start < lend ? p->start : lend);
    *b = disp_col(p->f, p->lstart, p->llen, p->end < lend ? p->end : lend);
    if (*b <= *a)
        *b = *a + 1;
}

static void put_marker(const struct text_ctx *t, const struct pos *p, char first, char rest,
                       const char *ansi, const char *label)
{
    unsigned a, b;
    marker_cols(p, &a, &b);
    put_gutter(t, 0);
    fprintf(t->out, " %*s", (int)a, "");
    if (t->color)
        fputs(ansi, t->out);
    fputc(first, t->out);
    for (unsigned i = a + 1; i < b; i++)
        fputc(rest, t->out);
    if (label) {
        fputc(' ', t->out);
        put_message(t->out, label);
    }
    if (t->color)
        fputs(ANSI_RESET, t->out);
    fputc('\n', t->out);
}

static void put_location(const struct text_ctx *t, const struct pos *p)
{
    char *loc = xasprintf("%s:%u:%u:", p->f->path, p->line, p->col);
    tput(t, ANSI_BOLD, loc);
    free(loc);
}

static const char *sev_color(enum diag_severity s)
{
    return s == SEV_ERROR ? ANSI_RED : s == SEV_WARNING ? ANSI_YELLOW : ANSI_CYAN;
}

static int digits(unsigned v)
{
    int n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

static void render_text_one(FILE *out, const struct diag *d, const struct source_set *src,
                            bool color)
{
    struct text_ctx t = {out, color, GUTTER_MIN};
    struct pos pp, sp[DIAG_MAX_SECONDARY];
    bool have_p = span_pos(src, d->primary, &pp);
    bool have_s[DIAG_MAX_SECONDARY];
    for (unsigned k = 0; k < d->nsecondary; k++) {
        have_s[k] = span_pos(src, d->secondary[k].span, &sp[k]);
        if (have_s[k] && digits(sp[k].line) > t.gutter)
            t.gutter = digits(sp[k].line);
    }
    if (have_p && digits(pp.line) > t.gutter)
        t.gutter = digits(pp.line);

    /* Header. */
    if (have_p) {
        put_location(&t, &pp);
        fputc(' ', out);
    } else {
        tput(&t, ANSI_BOLD, "stoopc:");
        fputc(' ', out);
    }
    char *sev = xasprintf("%s[%s]", sev_name(d->severity), diag_code_info(d->code)->name);
    tput(&t, sev_color(d->severity), sev);
    free(sev);
    if (color)
        fputs(ANSI_BOLD, out);
    fputs(": ", out);
    put_message(out, d->message);
    if (color)
        fputs(ANSI_RESET, out);
    fputc('\n', out);

    /* Primary snippet, then secondary spans on the same line. */
    bool same_line[DIAG_MAX_SECONDARY] = {false};
    if (have_p) {
        put_source_line(&t, &pp);
        put_marker(&t, &pp, '^', '~', sev_color(d->severity), NULL);
        for (unsigned k = 0; k < d->nsecondary; k++) {
            if (!have_s[k] || sp[k].f != pp.f || sp[k].line != pp.line)
                continue;
            same_line[k] = true;
            put_marker(&t, &sp[k], '-', '-', ANSI_CYAN, d->secondary[k].label);
        }
    }
    /* Secondary spans elsewhere: a note block each. */
    for (unsigned k = 0; k < d->nsecondary; k++) {
        if (!have_s[k] || same_line[k])
            continue;
        put_location(&t, &sp[k]);
        fputc(' ', out);
        tput(&t, ANSI_CYAN, "note");
        fputs(": ", out);
        put_message(out, d->secondary[k].label ? d->secondary[k].label : "related location");
        fputc('\n', out);
        put_source_line(&t, &sp[k]);
        put_marker(&t, &sp[k], '^', '~', ANSI_CYAN, NULL);
    }
    if (d->context) {
        fputs("  ", out);
        tput(&t, ANSI_CYAN, "=");
        fputc(' ', out);
        put_message(out, d->context);
        fputc('\n', out);
    }
    for (unsigned k = 0; k < d->nhints; k++) {
        fputs("  ", out);
        tput(&t, ANSI_CYAN, "= hint:");
        fputc(' ', out);
        put_message(out, d->hints[k]);
        fputc('\n', out);
    }
}

static void render_text(FILE *out, const struct diag_list *dl, const struct source_set *src,
                        bool color)
{
    for (size_t i = 0; i < dl->n; i++) {
        if (i)
            fputc('\n', out);
        render_text_one(out, &dl->v[i], src, color);
    }
}

/* ---- JSON helpers ---- */

/* A JSON string with quotes; invalid UTF-8 bytes become U+FFFD, so the
 * document is valid whatever the rules file's encoding. */
static void json_str(struct strbuf *sb, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    sb_putc(sb, '"');
    size_t run = 0, i = 0;
    while (i < n) {
        size_t len = utf8_len(u + i, n - i);
        if (len) {
            i += len;
            continue;
        }
        sb_json_escape(sb, s + run, i - run);
        sb_puts(sb, "\\ufffd");
        i++;
        run = i;
    }
    sb_json_escape(sb, s + run, n - run);
    sb_putc(sb, '"');
}

static void json_cstr(struct strbuf *sb, const char *s)
{
    if (s)
        json_str(sb, s, strlen(s));
    else
        sb_puts(sb, "null");
}

static void json_key(struct strbuf *sb, bool *first, const char *key)
{
    if (!*first)
        sb_putc(sb, ',');
    *first = false;
    sb_printf(sb, "\"%s\":", key);
}

static void flush_sb(FILE *out, struct strbuf *sb)
{
    if (sb->len)
        fwrite(sb->s, 1, sb->len, out);
    sb_free(sb);
}

static void count_sev(const struct diag_list *dl, size_t *nerr, size_t *nwarn)
{
    *nerr = *nwarn = 0;
    for (size_t i = 0; i < dl->n; i++) {
        if (dl->v[i].severity == SEV_ERROR)
            (*nerr)++;
        else if (dl->v[i].severity == SEV_WARNING)
            (*nwarn)++;
    }
}

/* ---- JSON ---- */

static void json_range(struct strbuf *sb, bool *first, const struct pos *p, bool ok)
{
    json_key(sb, first, "file");
    json_cstr(sb, ok ? p->f->path : NULL);
    if (ok) {
        sb_printf(sb, ",\"line\":%u,\"column\":%u,\"end_line\":%u,\"end_column\":%u", p->line,
                  p->col, p->end_line, p->end_col);
    } else {
        sb_puts(sb, ",\"line\":null,\"column\":null,\"end_line\":null,\"end_column\":null");
    }
}

static void render_json(FILE *out, const struct diag_list *dl, const struct source_set *src)
{
    struct strbuf sb = {0};
    sb_puts(&sb, "{\"version\":1,\"diagnostics\":[");
    for (size_t i = 0; i < dl->n; i++) {
        const struct diag *d = &dl->v[i];
        const struct diag_code_info *ci = diag_code_info(d->code);
        struct pos p;
        bool ok = span_pos(src, d->primary, &p);
        bool first = true;
        sb_puts(&sb, i ? ",\n{" : "\n{");
        json_range(&sb, &first, &p, ok);
        sb_printf(&sb, ",\"severity\":\"%s\",\"code\":\"%s\",\"codedesc\":", sev_name(d->severity),
                  ci->name);
        json_cstr(&sb, ci->shortdesc);
        sb_puts(&sb, ",\"message\":");
        json_cstr(&sb, d->message);
        sb_puts(&sb, ",\"item\":");
        json_cstr(&sb, d->item);
        sb_puts(&sb, ",\"context\":");
        json_cstr(&sb, d->context);
        sb_puts(&sb, ",\"hints\":[");
        for (unsigned k = 0; k < d->nhints; k++) {
            if (k)
                sb_putc(&sb, ',');
            json_cstr(&sb, d->hints[k]);
        }
        sb_puts(&sb, "],\"related\":[");
        bool rfirst = true;
        for (unsigned k = 0; k < d->nsecondary; k++) {
            struct pos sp;
            if (!span_pos(src, d->secondary[k].span, &sp))
                continue;
            sb_puts(&sb, rfirst ? "{" : ",{");
            rfirst = false;
            bool f2 = true;
            json_range(&sb, &f2, &sp, true);
            sb_puts(&sb, ",\"message\":");
            json_cstr(&sb, d->secondary[k].label);
            sb_putc(&sb, '}');
        }
        sb_puts(&sb, "],\"source_line\":");
        if (ok)
            json_str(&sb, p.f->text + p.lstart, p.llen);
        else
            sb_puts(&sb, "null");
        sb_putc(&sb, '}');
    }
    size_t nerr, nwarn;
    count_sev(dl, &nerr, &nwarn);
    sb_printf(&sb, "%s],\"errors\":%zu,\"warnings\":%zu}\n", dl->n ? "\n" : "", nerr, nwarn);
    flush_sb(out, &sb);
}

/* ---- SARIF 2.1.0 ---- */

#define SARIF_TOOL_NAME "stoopc"
#define SARIF_TOOL_URI "https://github.com/stoop/stoop"
#define SARIF_TOOL_VERSION "0.1.0"

static const char *sarif_level(enum diag_severity s)
{
    return sev_name(s); /* "error", "warning", "note" are SARIF levels too */
}

/* A path as a URI reference: relative paths stay relative (to %SRCROOT%, the
 * repository root for GitHub), absolute ones become file:// URIs. Bytes
 * outside the unreserved and path characters are percent-encoded; ':' always
 * is, so a relative path never reads as a scheme. */
static void sarif_uri(struct strbuf *sb, const char *path, bool *relative)
{
    static const char keep[] = "-._~!$&'()*+,;=@/";
    struct strbuf u = {0};
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    *relative = path[0] != '/';
    if (!*relative)
        sb_puts(&u, "file://");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            (*p < 0x80 && strchr(keep, *p)))
            sb_putc(&u, (char)*p);
        else
            sb_printf(&u, "%%%02X", *p);
    }
    char *s = sb_take(&u);
    json_cstr(sb, s);
    free(s);
}

static void sarif_physical(struct strbuf *sb, const struct pos *p)
{
    bool relative;
    sb_puts(sb, "\"physicalLocation\":{\"artifactLocation\":{\"uri\":");
    sarif_uri(sb, p->f->path, &relative);
    if (relative)
        sb_puts(sb, ",\"uriBaseId\":\"%SRCROOT%\"");
    sb_printf(sb, "},\"region\":{\"startLine\":%u,\"startColumn\":%u,\"endLine\":%u,"
                  "\"endColumn\":%u,\"snippet\":{\"text\":",
              p->line, p->col, p->end_line, p->end_col);
    json_str(sb, p->f->text + p->start, p->end - p->start);
    sb_puts(sb, "}}");

    /* contextRegion: the whole lines the region touches, when that is more
     * than the region itself (SARIF wants a proper superset). */
    unsigned last = p->end_line;
    uint32_t cend = p->end;
    if (p->end_col == 1 && last > p->line) {
        last--;
        cend = p->end - 1; /* on the newline ending the previous line */
    }
    uint32_t ls, ll;
    source_line_bounds(p->f, cend, &ls, &ll);
    uint32_t ctx_end = ls + ll;
    if (ctx_end < p->end)
        ctx_end = p->end;
    if (p->lstart < p->start || ctx_end > p->end) {
        sb_printf(sb, ",\"contextRegion\":{\"startLine\":%u,\"endLine\":%u,\"snippet\":{\"text\":",
                  p->line, last);
        json_str(sb, p->f->text + p->lstart, ctx_end - p->lstart);
        sb_puts(sb, "}}");
    }
    sb_putc(sb, '}');
}

static uint64_t fnv1a(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* Hash of what identifies a finding independently of where its line moved:
 * code, file, the primary line's text without surrounding blanks, message. */
static uint64_t line_hash(const struct diag *d, const struct pos *p, bool ok)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    const char *code = diag_code_info(d->code)->name;
    h = fnv1a(h, code, strlen(code) + 1);
    if (ok) {
        h = fnv1a(h, p->f->path, strlen(p->f->path) + 1);
        const char *s = p->f->text + p->lstart;
        size_t n = p->llen;
        while (n && (*s == ' ' || *s == '\t')) {
            s++;
            n--;
        }
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
            n--;
        h = fnv1a(h, s, n);
        h = fnv1a(h, "", 1);
    }
    return fnv1a(h, d->message, strlen(d->message));
}

static void render_sarif(FILE *out, const struct diag_list *dl, const struct source_set *src)
{
    struct strbuf sb = {0};
    int rule_index[DIAG_CODE_COUNT];
    for (int c = 0; c < DIAG_CODE_COUNT; c++)
        rule_index[c] = -1;
    for (size_t i = 0; i < dl->n; i++)
        rule_index[dl->v[i].code] = 0;

    sb_puts(&sb, "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\","
                 "\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{"
                 "\"name\":\"" SARIF_TOOL_NAME "\",\"informationUri\":\"" SARIF_TOOL_URI "\","
                 "\"version\":\"" SARIF_TOOL_VERSION "\",\"rules\":[");
    int nrules = 0;
    for (int c = 0; c < DIAG_CODE_COUNT; c++) {
        if (rule_index[c] < 0)
            continue;
        const struct diag_code_info *ci = diag_code_info((enum diag_code)c);
        rule_index[c] = nrules;
        sb_printf(&sb, "%s\n{\"id\":\"%s\",\"shortDescription\":{\"text\":", nrules ? "," : "",
                  ci->name);
        json_cstr(&sb, ci->shortdesc);
        sb_puts(&sb, "},\"fullDescription\":{\"text\":");
        json_cstr(&sb, ci->longdesc);
        sb_puts(&sb, "},\"help\":{\"text\":");
        json_cstr(&sb, ci->longdesc);
        sb_printf(&sb, "},\"defaultConfiguration\":{\"level\":\"%s\"}}", sarif_level(ci->severity));
        nrules++;
    }
    sb_printf(&sb, "%s]}},\"columnKind\":\"unicodeCodePoints\",\"results\":[",
              nrules ? "\n" : "");

    uint64_t *hashes = xcalloc(dl->n ? dl->n : 1, sizeof *hashes);
    for (size_t i = 0; i < dl->n; i++) {
        const struct diag *d = &dl->v[i];
        struct pos p;
        bool ok = span_pos(src, d->primary, &p);
        sb_printf(&sb, "%s\n{\"ruleId\":\"%s\",\"ruleIndex\":%d,\"level\":\"%s\",", i ? "," : "",
                  diag_code_info(d->code)->name, rule_index[d->code], sarif_level(d->severity));

        struct strbuf msg = {0};
        sb_puts(&msg, d->message);
        if (d->context) {
            sb_putc(&msg, '\n');
            sb_puts(&msg, d->context);
        }
        for (unsigned k = 0; k < d->nhints; k++) {
            sb_puts(&msg, "\nhint: ");
            sb_puts(&msg, d->hints[k]);
        }
        char *text = sb_take(&msg);
        sb_puts(&sb, "\"message\":{\"text\":");
        json_cstr(&sb, text);
        sb_putc(&sb, '}');
        free(text);

        if (ok) {
            sb_puts(&sb, ",\"locations\":[{");
            sarif_physical(&sb, &p);
            sb_puts(&sb, "}]");
        }
        bool rfirst = true;
        for (unsigned k = 0; k < d->nsecondary; k++) {
            struct pos sp;
            if (!span_pos(src, d->secondary[k].span, &sp))
                continue;
            sb_puts(&sb, rfirst ? ",\"relatedLocations\":[{" : ",{");
            rfirst = false;
            sb_printf(&sb, "\"id\":%u,", k + 1);
            sarif_physical(&sb, &sp);
            if (d->secondary[k].label) {
                sb_puts(&sb, ",\"message\":{\"text\":");
                json_cstr(&sb, d->secondary[k].label);
                sb_putc(&sb, '}');
            }
            sb_putc(&sb, '}');
        }
        if (!rfirst)
            sb_putc(&sb, ']');

        /* GitHub's convention: "<hash>:<n>", n counting identical hashes. */
        hashes[i] = line_hash(d, &p, ok);
        unsigned occ = 1;
        for (size_t j = 0; j < i; j++)
            occ += hashes[j] == hashes[i];
        sb_printf(&sb, ",\"partialFingerprints\":{\"primaryLocationLineHash\":\"%016" PRIx64
                       ":%u\"}}",
                  hashes[i], occ);
    }
    free(hashes);
    sb_printf(&sb, "%s]}]}\n", dl->n ? "\n" : "");
    flush_sb(out, &sb);
}

void diag_render(FILE *out, const struct diag_list *dl, const struct source_set *src,
                 const struct diag_render_opts *opts)
{
    struct diag_render_opts def = {DIAG_FMT_TEXT, false};
    if (!opts)
        opts = &def;
    switch (opts->format) {
    case DIAG_FMT_TEXT: render_text(out, dl, src, opts->color); break;
    case DIAG_FMT_JSON: render_json(out, dl, src); break;
    case DIAG_FMT_SARIF: render_sarif(out, dl, src); break;
    }
}

/* ---- the code table (docs/diagnostics.md embeds the markdown form) ---- */

static void md_cell(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", out);
        else if (*s == '<')
            fputs("&lt;", out);
        else if (*s == '>')
            fputs("&gt;", out);
        else
            fputc(*s, out);
    }
}

void diag_print_code_table(FILE *out, bool markdown)
{
    if (markdown) {
        fputs("| Code | Severity | Short description | Description |\n"
              "|---|---|---|---|\n",
              out);
    }
    for (int c = 0; c < DIAG_CODE_COUNT; c++) {
        const struct diag_code_info *ci = diag_code_info((enum diag_code)c);
        if (markdown) {
            fprintf(out, "| `%s` | %s | ", ci->name, sev_name(ci->severity));
            md_cell(out, ci->shortdesc);
            fputs(" | ", out);
            md_cell(out, ci->longdesc);
            fputs(" |\n", out);
        } else {
            fprintf(out, "%-32s %-8s %s\n    %s\n", ci->name, sev_name(ci->severity),
                    ci->shortdesc, ci->longdesc);
        }
    }
}
