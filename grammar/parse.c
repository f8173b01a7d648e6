/* parse.c: drives the condition lexer and parser (condition.l,
 * condition.y), processes string escapes, and splits output formats into
 * literal text and %-tokens. */
#include "parse.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "condition.tab.h"
#include "condition.lex.h"
#include "parse_impl.h"
#include "util.h"

#define TRANSFORMER_LIST                                                      \
    "'tolower', 'toupper', 'b64', 'basename', 'len', 'val', 'join', 'concat', 'getopt'"

const char *const parse_msg_check_op =
    "expected a valid check operator: one of 'exists', '<=', '<', '>=', '>', '==', '=', '!=', "
    "'glob', 'iglob', 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', "
    "'endswith', 'regex', 'intersects', 'in', 'pmatch'";
const char *const parse_msg_num_value =
    "expected a number value or a field with a valid transformer: " TRANSFORMER_LIST;
const char *const parse_msg_str_value =
    "expected a string value or a field with a valid transformer: " TRANSFORMER_LIST;
const char *const parse_msg_list_value =
    "expected a list, an identifier, or a field with a valid transformer: " TRANSFORMER_LIST;
const char *const parse_msg_tr_arg =
    "expected a transformer argument: a field, a transformer, a number, a quoted string or a "
    "list";

void lexer_error(struct cond_lexer *lx, size_t start, size_t end, const char *fmt, ...)
{
    if (lx->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    lx->err = xvasprintf(fmt, ap);
    va_end(ap);
    lx->err_start = start;
    lx->err_end = end;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool lexer_unescape(struct cond_lexer *lx, const char *raw, size_t n, char quote, size_t at,
                    struct lexstr *out)
{
    struct strbuf sb = {0};
    sb_append(&sb, "", 0);
    for (size_t i = 0; i < n; i++) {
        char c = raw[i];
        if (c != '\\') {
            sb_putc(&sb, c);
            continue;
        }
        /* The lexer guarantees a byte after every backslash. */
        char e = raw[++i];
        switch (e) {
        case 'b': sb_putc(&sb, '\b'); break;
        case 'f': sb_putc(&sb, '\f'); break;
        case 'n': sb_putc(&sb, '\n'); break;
        case 'r': sb_putc(&sb, '\r'); break;
        case 't': sb_putc(&sb, '\t'); break;
        case '\\': sb_putc(&sb, '\\'); break;
        case '/': sb_putc(&sb, '/'); break;
        case ' ': sb_putc(&sb, '\\'); break; /* legacy: backslash, space dropped */
        case '"':
        case '\'':
            if (e != quote) {
                lexer_error(lx, at + i - 1, at + i + 1,
                            e == '"' ? "invalid \\\" escape in '-quoted string"
                                     : "invalid \\' escape in \"-quoted string");
                sb_free(&sb);
                return false;
            }
            sb_putc(&sb, e);
            break;
        case 'x': {
            int h = i + 1 < n ? hexval((unsigned char)raw[i + 1]) : -1;
            int l = i + 2 < n ? hexval((unsigned char)raw[i + 2]) : -1;
            if (h < 0 || l < 0 || (h == 0 && l == 0)) {
                size_t len = (h >= 0 && l >= 0) ? 4 : 2;
                lexer_error(lx, at + i - 1, at + i - 1 + len,
                            "unsupported string escape sequence: %.*s", (int)len, raw + i - 1);
                sb_free(&sb);
                return false;
            }
            sb_putc(&sb, (char)(h * 16 + l));
            i += 2;
            break;
        }
        default:
            lexer_error(lx, at + i - 1, at + i + 1, "unsupported string escape sequence: \\%c", e);
            sb_free(&sb);
            return false;
        }
    }
    out->len = sb.len;
    out->s = sb_take(&sb);
    return true;
}

/* Runs the parser over text[begin, end); returns false on a syntax error
 * (lx->err set). */
static bool run(struct cond_lexer *lx)
{
    yyscan_t scanner;
    if (condyy_lex_init_extra(lx, &scanner) != 0)
        BUG("cannot initialise the condition lexer");
    int rc = condyy_parse(lx, scanner);
    condyy_lex_destroy(scanner);
    VEC_FREE(lx->frames);
    if (rc != 0 && !lx->err)
        lexer_error(lx, lx->pos, lx->pos, "syntax error");
    if (lx->err) {
        if (lx->expr) {
            expr_free(lx->expr);
            lx->expr = NULL;
        }
        if (lx->opnd) {
            operand_free(lx->opnd);
            lx->opnd = NULL;
        }
        return false;
    }
    return true;
}

/* "did you mean 'startswith'?" when the word where parsing stopped is a
 * misspelled operator or connective. */
static void hint_misspelled_keyword(struct diag *d, const struct mapped_text *text, size_t at)
{
    size_t e = at;
    while (e < text->len && isalpha((unsigned char)text->text[e]))
        e++;
    if (e == at || e - at > 32)
        return;
    char word[33];
    memcpy(word, text->text + at, e - at);
    word[e - at] = '\0';
    const char *words[OP_COUNT + 3];
    size_t n = 0;
    words[n++] = "and";
    words[n++] = "or";
    words[n++] = "not";
    for (int op = 0; op < OP_COUNT; op++)
        if (isalpha((unsigned char)op_spelling((enum cmp_op)op)[0]))
            words[n++] = op_spelling((enum cmp_op)op);
    diag_did_you_mean(d, word, words, n);
}

struct expr *cond_parse(const struct mapped_text *text, struct diag_list *dl)
{
    if (text->len == 0) {
        diag_add(dl, LOAD_ERR_COMPILE_CONDITION, mtext_span(text, 0, 0),
                 "filter input string is empty");
        return NULL;
    }
    struct cond_lexer lx = {.text = text, .begin = 0, .end = text->len};
    if (!run(&lx)) {
        size_t s = lx.err_start > text->len ? text->len : lx.err_start;
        size_t e = lx.err_end > text->len ? text->len : lx.err_end;
        if (e < s)
            e = s;
        /* Underline the whole word parsing stopped at, not just its first byte. */
        if (e <= s + 1 && s < text->len && isalnum((unsigned char)text->text[s])) {
            e = s;
            while (e < text->len && (isalnum((unsigned char)text->text[e]) || text->text[e] == '_'))
                e++;
        }
        struct diag *d = diag_add(dl, LOAD_ERR_COMPILE_CONDITION, mtext_span(text, s, e), "%s",
                                  lx.err);
        hint_misspelled_keyword(d, text, s);
        free(lx.err);
        return NULL;
    }
    return lx.expr;
}

struct operand *operand_parse_exact(const struct mapped_text *text, size_t start, size_t len)
{
    if (start > text->len || len > text->len - start || len == 0)
        return NULL;
    struct cond_lexer lx = {.text = text,
                            .begin = start,
                            .end = start + len,
                            .pos = start,
                            .fed = start,
                            .operand_mode = true};
    if (!run(&lx)) {
        free(lx.err);
        return NULL;
    }
    return lx.opnd;
}

/* ---- output formats ---- */

#define OUTPUT_TOKEN_MAX 1024

/* End of a quoted string starting at s[i] (a quote), or 0 if it does not
 * close before n (same rule as the lexer). */
static size_t skip_quoted(const char *s, size_t i, size_t n)
{
    char q = s[i];
    for (size_t j = i + 1; j < n; j++) {
        if (s[j] == '\0')
            return 0;
        if (s[j] == q && s[j - 1] != '\\')
            return j + 1;
        if (s[j] == q && j - 1 == i)
            return j + 1;
    }
    return 0;
}

/* End of a "[arg]" starting at s[i] == '[', or 0. */
static size_t skip_arg(const char *s, size_t i, size_t n)
{
    size_t j = i + 1;
    if (j < n && (s[j] == '"' || s[j] == '\'')) {
        j = skip_quoted(s, j, n);
        if (j == 0)
            return 0;
    } else {
        while (j < n && s[j] != ']' && !strchr("[\"' \t\n\r\f\v", s[j]) && s[j] != '\0')
            j++;
        if (j == i + 1)
            return 0;
    }
    return j < n && s[j] == ']' ? j + 1 : 0;
}

static bool is_id_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_id_char(char c)
{
    return is_id_start(c) || (c >= '0' && c <= '9') || c == '_';
}

/* An upper bound on the length of an operand at s[0..n): no longer prefix
 * can parse as one Field or Transformer. Over-estimates (up to n) when in
 * doubt, so the search below stays exact. */
static size_t token_bound(const char *s, size_t n)
{
    if (n == 0 || !is_id_start(s[0]))
        return 0;
    size_t i = 0;
    while (i < n && is_id_char(s[i]))
        i++;
    if (i < n && s[i] == '(') { /* a transformer: up to its matching ')' */
        int depth = 1;
        size_t j = i + 1;
        while (j < n) {
            char c = s[j];
            if (c == '"' || c == '\'') {
                j = skip_quoted(s, j, n);
                if (j == 0)
                    return n;
            } else if (c == '[') {
                j = skip_arg(s, j, n);
                if (j == 0)
                    return n;
            } else if (c == '(') {
                depth++;
                j++;
            } else if (c == ')') {
                j++;
                if (--depth == 0) {
                    if (j < n && s[j] == '[') {
                        size_t k = skip_arg(s, j, n);
                        return k ? k : n;
                    }
                    return j;
                }
            } else {
                j++;
            }
        }
        return n;
    }
    /* A field name: segments of identifiers joined by dots. */
    while (i + 1 < n && s[i] == '.' && is_id_start(s[i + 1])) {
        i++;
        while (i < n && is_id_char(s[i]))
            i++;
    }
    if (i < n && s[i] == '[') {
        size_t k = skip_arg(s, i, n);
        return k ? k : n;
    }
    return i;
}

static void free_parts(struct format_part *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].text);
        if (v[i].opnd)
            operand_free(v[i].opnd);
    }
    free(v);
}

bool output_parse(const struct mapped_text *text, operand_accept_fn accept, void *ctx,
                  struct output_format *out, struct diag_list *dl)
{
    const char *s = text->text;
    size_t len = text->len;
    VEC(struct format_part) parts = {0};
    out->parts = NULL;
    out->n = 0;
    if (len == 0) {
        diag_add(dl, LOAD_ERR_COMPILE_OUTPUT, mtext_span(text, 0, 0), "empty formatting token");
        return false;
    }
    size_t i = 0, lit = 0;
    while (i < len) {
        if (s[i] != '%') {
            i++;
            continue;
        }
        if (i > lit) {
            struct format_part p = {false, xstrndup(s + lit, i - lit), NULL, 0,
                                    mtext_span(text, lit, i)};
            VEC_PUSH(parts, p);
        }
        size_t pct = i++;
        if (i == len) {
            diag_add(dl, LOAD_ERR_COMPILE_OUTPUT, mtext_span(text, pct, len),
                     "invalid formatting syntax: formatting cannot end with a %%");
            goto fail;
        }
        unsigned width = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            width = width > 100000000u ? width : width * 10 + (unsigned)(s[i] - '0');
            i++;
        }
        size_t avail = len - i < OUTPUT_TOKEN_MAX ? len - i : OUTPUT_TOKEN_MAX;
        size_t bound = token_bound(s + i, avail);
        bool found = false;
        for (size_t n = bound; n > 0 && !found; n--) {
            char last = s[i + n - 1];
            if (!is_id_char(last) && last != ')' && last != ']')
                continue;
            struct operand *o = operand_parse_exact(text, i, n);
            if (!o)
                continue;
            if (accept && !accept(o, ctx)) {
                operand_free(o);
                continue;
            }
            struct format_part p = {true, xstrndup(s + i, n), o, width,
                                    mtext_span(text, pct, i + n)};
            VEC_PUSH(parts, p);
            i += n;
            found = true;
        }
        if (!found) {
            size_t w = 0;
            while (i + w < len && w < 100 && !strchr(" \t\n\r", s[i + w]) && s[i + w] != '\0')
                w++;
            if (w == 0)
                diag_add(dl, LOAD_ERR_COMPILE_OUTPUT, mtext_span(text, pct, pct + 1),
                         "unknown filter: <empty>");
            else
                diag_add(dl, LOAD_ERR_COMPILE_OUTPUT, mtext_span(text, pct, i + w),
                         "unknown filter: %.*s", (int)w, s + i);
            goto fail;
        }
        lit = i;
    }
    if (len > lit) {
        struct format_part p = {false, xstrndup(s + lit, len - lit), NULL, 0,
                                mtext_span(text, lit, len)};
        VEC_PUSH(parts, p);
    }
    out->parts = parts.v;
    out->n = parts.n;
    return true;
fail:
    free_parts(parts.v, parts.n);
    return false;
}
