/* ast.c: condition and output trees: construction, copying, freeing,
 * comparison and Falco's canonical string form. */
#include "ast.h"

#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "schema.h"
#include "util.h"

/* ---- construction ---- */

static struct expr *expr_new(enum expr_kind kind, struct span span)
{
    struct expr *e = xcalloc(1, sizeof *e);
    e->kind = kind;
    e->span = span;
    return e;
}

static void *dup_array(void *const *v, size_t n)
{
    void **copy = xmalloc((n ? n : 1) * sizeof *copy);
    if (n)
        memcpy(copy, v, n * sizeof *copy);
    return copy;
}

struct expr *expr_nary(enum expr_kind kind, struct span span, struct expr **v, size_t n)
{
    struct expr *e = expr_new(kind, span);
    e->u.nary.v = dup_array((void *const *)v, n);
    e->u.nary.n = n;
    return e;
}

struct expr *expr_not(struct span span, struct expr *child)
{
    struct expr *e = expr_new(EXPR_NOT, span);
    e->u.child = child;
    return e;
}

struct expr *expr_check(struct span span, struct operand *lhs, enum cmp_op op, struct span op_span,
                        enum cmp_modifier mod, struct operand *rhs)
{
    struct expr *e = expr_new(EXPR_CHECK, span);
    e->u.check.lhs = lhs;
    e->u.check.op = op;
    e->u.check.op_span = op_span;
    e->u.check.mod = mod;
    e->u.check.rhs = rhs;
    return e;
}

struct expr *expr_macro_ref(struct span span, const char *name)
{
    struct expr *e = expr_new(EXPR_MACRO_REF, span);
    e->u.macro.name = xstrdup(name);
    return e;
}

static struct operand *operand_new(enum operand_kind kind, struct span span)
{
    struct operand *o = xcalloc(1, sizeof *o);
    o->kind = kind;
    o->span = span;
    return o;
}

struct operand *operand_field(struct span span, const char *name, const char *arg, bool arg_quoted,
                              struct span arg_span)
{
    struct operand *o = operand_new(OPND_FIELD, span);
    o->u.field.name = xstrdup(name);
    o->u.field.arg = arg ? xstrdup(arg) : NULL;
    o->u.field.arg_quoted = arg_quoted;
    o->u.field.arg_span = arg_span;
    return o;
}

struct operand *operand_transform(struct span span, enum transformer tr, struct span name_span,
                                  struct operand **args, size_t nargs)
{
    struct operand *o = operand_new(OPND_TRANSFORM, span);
    o->u.transform.tr = tr;
    o->u.transform.name_span = name_span;
    o->u.transform.args = dup_array((void *const *)args, nargs);
    o->u.transform.nargs = nargs;
    o->u.transform.suffix_span = span_none();
    return o;
}

struct operand *operand_value(struct span span, const char *str, size_t len, enum value_token tok)
{
    struct operand *o = operand_new(OPND_VALUE, span);
    char *s = xmalloc(len + 1);
    if (len)
        memcpy(s, str, len);
    s[len] = '\0';
    o->u.value.str = s;
    o->u.value.len = len;
    o->u.value.token = tok;
    return o;
}

struct operand *operand_list(struct span span, struct operand **items, size_t n)
{
    struct operand *o = operand_new(OPND_LIST, span);
    o->u.list.items = dup_array((void *const *)items, n);
    o->u.list.n = n;
    return o;
}

/* ---- freeing ---- */

void value_clear(struct value *v)
{
    free(v->str);
    if (v->compiled)
        pcre2_code_free(v->compiled);
    memset(v, 0, sizeof *v);
}

void values_free(struct value *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        value_clear(&v[i]);
    free(v);
}

void operand_free(struct operand *o)
{
    if (!o)
        return;
    switch (o->kind) {
    case OPND_FIELD:
        free(o->u.field.name);
        free(o->u.field.arg);
        free(o->u.field.dotted_arg);
        break;
    case OPND_TRANSFORM:
        for (size_t i = 0; i < o->u.transform.nargs; i++)
            operand_free(o->u.transform.args[i]);
        free(o->u.transform.args);
        free(o->u.transform.suffix_arg);
        break;
    case OPND_VALUE:
        free(o->u.value.str);
        break;
    case OPND_LIST:
        for (size_t i = 0; i < o->u.list.n; i++)
            operand_free(o->u.list.items[i]);
        free(o->u.list.items);
        break;
    }
    free(o);
}

void expr_free(struct expr *e)
{
    if (!e)
        return;
    switch (e->kind) {
    case EXPR_AND:
    case EXPR_OR:
        for (size_t i = 0; i < e->u.nary.n; i++)
            expr_free(e->u.nary.v[i]);
        free(e->u.nary.v);
        break;
    case EXPR_NOT:
        expr_free(e->u.child);
        break;
    case EXPR_CHECK:
        operand_free(e->u.check.lhs);
        operand_free(e->u.check.rhs);
        values_free(e->u.check.values, e->u.check.nvalues);
        break;
    case EXPR_MACRO_REF:
        free(e->u.macro.name);
        expr_free(e->u.macro.body);
        break;
    }
    free(e);
}

/* ---- cloning ---- */

struct operand *operand_clone(const struct operand *o)
{
    if (!o)
        return NULL;
    struct operand *c = xmalloc(sizeof *c);
    *c = *o;
    switch (o->kind) {
    case OPND_FIELD:
        c->u.field.name = xstrdup(o->u.field.name);
        c->u.field.arg = o->u.field.arg ? xstrdup(o->u.field.arg) : NULL;
        c->u.field.dotted_arg = o->u.field.dotted_arg ? xstrdup(o->u.field.dotted_arg) : NULL;
        break;
    case OPND_TRANSFORM:
        c->u.transform.args = xmalloc((o->u.transform.nargs ? o->u.transform.nargs : 1) *
                                      sizeof *c->u.transform.args);
        for (size_t i = 0; i < o->u.transform.nargs; i++)
            c->u.transform.args[i] = operand_clone(o->u.transform.args[i]);
        c->u.transform.suffix_arg =
            o->u.transform.suffix_arg ? xstrdup(o->u.transform.suffix_arg) : NULL;
        break;
    case OPND_VALUE:
        c->u.value.str = xmalloc(o->u.value.len + 1);
        memcpy(c->u.value.str, o->u.value.str, o->u.value.len + 1);
        break;
    case OPND_LIST:
        c->u.list.items = xmalloc((o->u.list.n ? o->u.list.n : 1) * sizeof *c->u.list.items);
        for (size_t i = 0; i < o->u.list.n; i++)
            c->u.list.items[i] = operand_clone(o->u.list.items[i]);
        break;
    }
    return c;
}

struct expr *expr_clone(const struct expr *e)
{
    if (!e)
        return NULL;
    struct expr *c = xmalloc(sizeof *c);
    *c = *e;
    switch (e->kind) {
    case EXPR_AND:
    case EXPR_OR:
        c->u.nary.v = xmalloc((e->u.nary.n ? e->u.nary.n : 1) * sizeof *c->u.nary.v);
        for (size_t i = 0; i < e->u.nary.n; i++)
            c->u.nary.v[i] = expr_clone(e->u.nary.v[i]);
        break;
    case EXPR_NOT:
        c->u.child = expr_clone(e->u.child);
        break;
    case EXPR_CHECK:
        c->u.check.lhs = operand_clone(e->u.check.lhs);
        c->u.check.rhs = operand_clone(e->u.check.rhs);
        /* Converted values belong to the checker's pass over one tree. */
        c->u.check.values = NULL;
        c->u.check.nvalues = 0;
        break;
    case EXPR_MACRO_REF:
        c->u.macro.name = xstrdup(e->u.macro.name);
        c->u.macro.body = expr_clone(e->u.macro.body);
        break;
    }
    return c;
}

/* ---- canonical string (Falco's ast::as_string) ---- */

static bool needs_quotes(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '=' || c == '"' || c == '\'' || c == '\\' || c < 0x20 || c == 0x7f)
            return true;
    }
    return false;
}

static void put_quoted(struct strbuf *sb, const char *s, size_t len)
{
    sb_putc(sb, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': sb_puts(sb, "\\\""); break;
        case '\\': sb_puts(sb, "\\\\"); break;
        case '\b': sb_puts(sb, "\\b"); break;
        case '\f': sb_puts(sb, "\\f"); break;
        case '\n': sb_puts(sb, "\\n"); break;
        case '\r': sb_puts(sb, "\\r"); break;
        case '\t': sb_puts(sb, "\\t"); break;
        default:
            if (c < 0x20 || c == 0x7f)
                sb_printf(sb, "\\x%02x", c);
            else
                sb_putc(sb, (char)c);
        }
    }
    sb_putc(sb, '"');
}

static void put_value(struct strbuf *sb, const struct operand *v, bool in_transformer)
{
    const char *s = v->u.value.str;
    size_t len = v->u.value.len;
    /* Inside transformer arguments a quoted literal must stay quoted to
     * read back (',' and ')' are not quoting triggers). */
    if (needs_quotes(s, len) || (in_transformer && v->u.value.token == VT_QUOTED))
        put_quoted(sb, s, len);
    else
        sb_append(sb, s, len);
}

static void put_operand(struct strbuf *sb, const struct operand *o, bool in_transformer);

static void put_list(struct strbuf *sb, struct operand *const *items, size_t n, bool in_transformer)
{
    sb_putc(sb, '(');
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_puts(sb, ", ");
        put_operand(sb, items[i], in_transformer);
    }
    sb_putc(sb, ')');
}

static void put_operand(struct strbuf *sb, const struct operand *o, bool in_transformer)
{
    switch (o->kind) {
    case OPND_FIELD:
        sb_puts(sb, o->u.field.name);
        if (o->u.field.arg) {
            sb_putc(sb, '[');
            if (o->u.field.arg_quoted)
                put_quoted(sb, o->u.field.arg, strlen(o->u.field.arg));
            else
                sb_puts(sb, o->u.field.arg);
            sb_putc(sb, ']');
        }
        break;
    case OPND_TRANSFORM:
        sb_puts(sb, transformer_name(o->u.transform.tr));
        put_list(sb, o->u.transform.args, o->u.transform.nargs, true);
        if (o->u.transform.suffix_arg) {
            sb_putc(sb, '[');
            sb_puts(sb, o->u.transform.suffix_arg);
            sb_putc(sb, ']');
        }
        break;
    case OPND_VALUE:
        put_value(sb, o, in_transformer);
        break;
    case OPND_LIST:
        put_list(sb, o->u.list.items, o->u.list.n, in_transformer);
        break;
    }
}

static void put_expr(struct strbuf *sb, const struct expr *e, bool expand)
{
    switch (e->kind) {
    case EXPR_AND:
    case EXPR_OR:
        sb_putc(sb, '(');
        for (size_t i = 0; i < e->u.nary.n; i++) {
            if (i)
                sb_puts(sb, e->kind == EXPR_AND ? " and " : " or ");
            put_expr(sb, e->u.nary.v[i], expand);
        }
        sb_putc(sb, ')');
        break;
    case EXPR_NOT:
        sb_puts(sb, "not ");
        put_expr(sb, e->u.child, expand);
        break;
    case EXPR_CHECK:
        put_operand(sb, e->u.check.lhs, false);
        sb_putc(sb, ' ');
        sb_puts(sb, op_spelling(e->u.check.op));
        if (e->u.check.mod != MOD_NONE) {
            sb_putc(sb, ' ');
            sb_puts(sb, modifier_name(e->u.check.mod));
        }
        if (e->u.check.rhs) {
            sb_putc(sb, ' ');
            put_operand(sb, e->u.check.rhs, false);
        }
        break;
    case EXPR_MACRO_REF:
        if (expand && e->u.macro.body)
            put_expr(sb, e->u.macro.body, expand);
        else
            sb_puts(sb, e->u.macro.name);
        break;
    }
}

char *expr_to_string(const struct expr *e, bool expand_macros)
{
    struct strbuf sb = {0};
    sb_append(&sb, "", 0);
    put_expr(&sb, e, expand_macros);
    return sb_take(&sb);
}

char *operand_to_string(const struct operand *o)
{
    struct strbuf sb = {0};
    sb_append(&sb, "", 0);
    put_operand(&sb, o, false);
    return sb_take(&sb);
}

/* ---- equality ---- */

static bool str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static bool operand_equal(const struct operand *a, const struct operand *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case OPND_FIELD:
        return str_eq(a->u.field.name, b->u.field.name) && str_eq(a->u.field.arg, b->u.field.arg) &&
               a->u.field.arg_quoted == b->u.field.arg_quoted;
    case OPND_TRANSFORM:
        if (a->u.transform.tr != b->u.transform.tr ||
            a->u.transform.nargs != b->u.transform.nargs ||
            !str_eq(a->u.transform.suffix_arg, b->u.transform.suffix_arg))
            return false;
        for (size_t i = 0; i < a->u.transform.nargs; i++)
            if (!operand_equal(a->u.transform.args[i], b->u.transform.args[i]))
                return false;
        return true;
    case OPND_VALUE:
        return a->u.value.token == b->u.value.token && a->u.value.len == b->u.value.len &&
               memcmp(a->u.value.str, b->u.value.str, a->u.value.len) == 0;
    case OPND_LIST:
        if (a->u.list.n != b->u.list.n)
            return false;
        for (size_t i = 0; i < a->u.list.n; i++)
            if (!operand_equal(a->u.list.items[i], b->u.list.items[i]))
                return false;
        return true;
    }
    return false;
}

bool expr_equal(const struct expr *a, const struct expr *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case EXPR_AND:
    case EXPR_OR:
        if (a->u.nary.n != b->u.nary.n)
            return false;
        for (size_t i = 0; i < a->u.nary.n; i++)
            if (!expr_equal(a->u.nary.v[i], b->u.nary.v[i]))
                return false;
        return true;
    case EXPR_NOT:
        return expr_equal(a->u.child, b->u.child);
    case EXPR_CHECK:
        return a->u.check.op == b->u.check.op && a->u.check.mod == b->u.check.mod &&
               operand_equal(a->u.check.lhs, b->u.check.lhs) &&
               operand_equal(a->u.check.rhs, b->u.check.rhs);
    case EXPR_MACRO_REF:
        return strcmp(a->u.macro.name, b->u.macro.name) == 0;
    }
    return false;
}

void output_format_free(struct output_format *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        free(f->parts[i].text);
        operand_free(f->parts[i].opnd);
    }
    free(f->parts);
    f->parts = NULL;
    f->n = 0;
}

char *operand_value_key(const struct operand *o)
{
    if (o->kind == OPND_FIELD) {
        if (!o->u.field.info)
            return NULL;
        return xasprintf("F%s\x1f%s%s\x1f%s%s", o->u.field.info->name, o->u.field.arg ? "+" : "-",
                         o->u.field.arg ? o->u.field.arg : "", o->u.field.dotted_arg ? "+" : "-",
                         o->u.field.dotted_arg ? o->u.field.dotted_arg : "");
    }
    if (o->kind != OPND_TRANSFORM || !o->typed || o->u.transform.nargs == 0)
        return NULL;
    if (o->u.transform.tr == TR_VAL) /* identity */
        return operand_value_key(o->u.transform.args[0]);
    char *text = operand_to_string(o);
    char *k = xasprintf("T%s", text);
    free(text);
    return k;
}
