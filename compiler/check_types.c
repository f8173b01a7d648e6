/* check_types.c: type checking of conditions and outputs against the
 * rule's source schema (falco-language.md 2.4-2.8, 2.10, 2.11, 3.1).
 *
 * Fields are resolved, transformers typed, operators checked against the
 * left-hand type, and every literal converted into a typed `struct value`
 * the interpreter and code generation use directly. Messages follow
 * Falco's wording so users can search for them; stoop adds spans, hints
 * and the macro/rule chain. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "passes.h"
#include "schema.h"

struct check_state {
    struct compile_ctx *cc;
    struct rule_def *r;
    const struct source_schema *schema;
    const char *macro_stack[64]; /* innermost last, for "in macro 'm', used by rule 'r'" */
    size_t depth;
    bool quiet; /* probing output tokens: record nothing */
    bool ok;
};

static void set_context(struct check_state *st, struct diag *d)
{
    if (st->depth)
        diag_context(d, "in macro '%s', used by rule '%s'", st->macro_stack[st->depth - 1],
                     st->r->name);
    else
        diag_context(d, "in rule '%s'", st->r->name);
    diag_item(d, st->r->name);
}

/* Errors that skip-if-unknown-filter downgrades (2.10). */
static bool downgradable(const char *msg)
{
    return strstr(msg, "nonexistent field") || strstr(msg, "invalid formatting token") ||
           strstr(msg, "unknown event type") || strstr(msg, "unknown filter:");
}

static struct diag *check_error(struct check_state *st, enum diag_code code, struct span span,
                                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Records an error (or, under skip-if-unknown-filter, the downgraded
 * warning); returns NULL when quiet. */
static struct diag *check_error(struct check_state *st, enum diag_code code, struct span span,
                                const char *fmt, ...)
{
    st->ok = false;
    if (st->quiet)
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    if (st->r->skip_if_unknown_filter && downgradable(msg)) {
        code = LOAD_UNKNOWN_FILTER;
        st->r->dropped = true;
    }
    struct diag *d = diag_add(st->cc->dl, code, span, "%s", msg);
    free(msg);
    set_context(st, d);
    return d;
}

static struct diag *check_warning(struct check_state *st, enum diag_code code, struct span span,
                                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static struct diag *check_warning(struct check_state *st, enum diag_code code, struct span span,
                                  const char *fmt, ...)
{
    if (st->quiet)
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    struct diag *d = diag_add(st->cc->dl, code, span, "%s", msg);
    free(msg);
    set_context(st, d);
    return d;
}

/* ---- operands ---- */

static bool is_unsigned_index(const char *s, uint64_t *out)
{
    if (!*s)
        return false;
    for (const char *c = s; *c; c++)
        if (!isdigit((unsigned char)*c))
            return false;
    errno = 0;
    *out = strtoull(s, NULL, 10);
    return errno == 0;
}

static bool type_field(struct check_state *st, struct operand *o)
{
    const char *name = o->u.field.name;
    const char *dotted = NULL;
    const struct field_info *fi = schema_lookup(st->schema, name, &dotted);
    if (!fi) {
        struct diag *d = check_error(st, LOAD_ERR_COMPILE_CONDITION, o->span,
                                     "filter_check called with nonexistent field %s", name);
        if (d) {
            size_t n;
            const char *const *names = schema_field_names(st->schema, &n);
            diag_did_you_mean(d, name, names, n);
            size_t nsrc;
            const struct source_schema *const *all = schema_sources(&nsrc);
            for (size_t i = 0; d->nhints == 0 && i < nsrc; i++) {
                const char *dummy;
                if (all[i] != st->schema && strcmp(all[i]->name, "json") != 0 &&
                    schema_lookup(all[i], name, &dummy))
                    diag_hint(d, "'%s' is a field of source '%s', but this rule's source is '%s'",
                              name, all[i]->name, st->schema->name);
            }
            if (d->nhints == 0 && d->code != LOAD_UNKNOWN_FILTER)
                diag_hint(d, "'stoopc fields --source %s' lists the fields of this source",
                          st->schema->name);
        }
        return false;
    }
    o->u.field.info = fi;
    o->type = fi->type;
    o->is_list = (fi->flags & FF_IS_LIST) != 0;
    const char *arg = o->u.field.arg;
    if (dotted && *dotted) {
        free(o->u.field.dotted_arg);
        o->u.field.dotted_arg = xstrdup(dotted);
        if (strcmp(fi->name, "evt.arg") == 0 || strcmp(fi->name, "evt.rawarg") == 0) {
            if (!schema_event_param_exists(dotted)) {
                check_error(st, LOAD_ERR_COMPILE_CONDITION, o->span, "unknown event argument %s",
                            dotted);
                return false;
            }
            enum field_type pt;
            if (strcmp(fi->name, "evt.rawarg") == 0 && schema_event_param_type(dotted, &pt))
                o->type = pt;
        }
        if (arg) {
            check_error(st, LOAD_ERR_COMPILE_CONDITION, o->u.field.arg_span,
                        "field '%s' does not allow nor require an argument but one is provided",
                        name);
            return false;
        }
        return true;
    }
    if (arg) {
        if (!(fi->flags & (FF_ARG_ALLOWED | FF_ARG_REQUIRED))) {
            struct diag *d = check_error(
                st, LOAD_ERR_COMPILE_CONDITION, o->u.field.arg_span,
                "field '%s' does not allow nor require an argument but one is provided", name);
            if (d)
                diag_hint(d, "remove '[%s]'", arg);
            return false;
        }
        uint64_t idx;
        bool numeric = is_unsigned_index(arg, &idx);
        if (numeric) {
            o->u.field.has_index = true;
            o->u.field.index = idx;
        }
        if ((fi->flags & FF_ARG_INDEX) && !(fi->flags & FF_ARG_KEY) && !numeric) {
            check_error(st, LOAD_ERR_COMPILE_CONDITION, o->u.field.arg_span,
                        "field '%s' requires an index argument (a non-negative integer), not '%s'",
                        name, arg);
            return false;
        }
    } else if (fi->flags & FF_ARG_REQUIRED) {
        check_error(st, LOAD_ERR_COMPILE_CONDITION, o->span,
                    "field '%s' requires an argument but none provided", name);
        return false;
    }
    return true;
}

static bool is_string_type(enum field_type t)
{
    return t == FT_CHARBUF || t == FT_FSPATH || t == FT_FSRELPATH;
}

static bool type_operand(struct check_state *st, struct operand *o);

static const char *operand_label(const struct operand *o)
{
    if (o->kind == OPND_FIELD)
        return o->u.field.name;
    if (o->kind == OPND_TRANSFORM && o->u.transform.nargs)
        return operand_label(o->u.transform.args[0]);
    return "value";
}

static bool transformer_arg_ok(struct check_state *st, const struct operand *t, struct operand *a)
{
    if (a->kind == OPND_FIELD && a->u.field.info &&
        (a->u.field.info->flags & FF_NO_TRANSFORMER) && t->u.transform.tr != TR_VAL) {
        check_error(st, LOAD_ERR_COMPILE_CONDITION, a->span,
                    "field '%s' does not support transformers", a->u.field.name);
        return false;
    }
    return true;
}

static bool transformer_type_error(struct check_state *st, const struct operand *t,
                                   const struct operand *a)
{
    check_error(st, LOAD_ERR_COMPILE_CONDITION, t->span,
                "can't add field transformer: type '%s' is not supported by '%s' transformer "
                "applied on field '%s'",
                field_type_name(a->type), transformer_name(t->u.transform.tr), operand_label(a));
    return false;
}

static bool type_transform(struct check_state *st, struct operand *o)
{
    enum transformer tr = o->u.transform.tr;
    size_t n = o->u.transform.nargs;
    for (size_t i = 0; i < n; i++) {
        struct operand *a = o->u.transform.args[i];
        if (a->kind == OPND_VALUE) {
            a->type = FT_CHARBUF;
            a->typed = true;
            continue;
        }
        if (a->kind == OPND_LIST)
            continue;
        if (!type_operand(st, a) || !transformer_arg_ok(st, o, a))
            return false;
    }
    if (o->u.transform.suffix_arg && tr != TR_GETOPT) {
        if (tr == TR_VAL)
            check_error(st, LOAD_ERR_COMPILE_CONDITION, o->u.transform.suffix_span,
                        "filter error: transformer 'val' does not support field arguments");
        else
            check_error(st, LOAD_ERR_COMPILE_CONDITION, o->u.transform.suffix_span,
                        "transformer '%s' does not support arguments", transformer_name(tr));
        return false;
    }
    struct operand *a0 = n ? o->u.transform.args[0] : NULL;
    if (!a0)
        return false;
    switch (tr) {
    case TR_TOLOWER:
    case TR_TOUPPER:
    case TR_BASENAME:
        if (!is_string_type(a0->type) || (tr == TR_BASENAME && a0->is_list))
            return transformer_type_error(st, o, a0);
        o->type = a0->type;
        o->is_list = a0->is_list;
        break;
    case TR_B64:
        if (!(a0->type == FT_CHARBUF || a0->type == FT_BYTEBUF))
            return transformer_type_error(st, o, a0);
        o->type = a0->type;
        o->is_list = a0->is_list;
        break;
    case TR_LEN:
        if (!a0->is_list && !is_string_type(a0->type) && a0->type != FT_BYTEBUF)
            return transformer_type_error(st, o, a0);
        o->type = FT_UINT64;
        o->is_list = false;
        break;
    case TR_VAL:
        if (a0->kind != OPND_FIELD) {
            check_error(st, LOAD_ERR_COMPILE_CONDITION, a0->span,
                        "expected a field within 'val' transformer");
            return false;
        }
        o->type = a0->type;
        o->is_list = a0->is_list;
        break;
    case TR_JOIN:
        if (n != 2 || o->u.transform.args[0]->is_list || !o->u.transform.args[1]->is_list ||
            !is_string_type(o->u.transform.args[1]->type)) {
            check_error(st, LOAD_ERR_COMPILE_CONDITION, o->span,
                        "transformer 'join' expects a separator and a list of strings");
            return false;
        }
        o->type = FT_CHARBUF;
        o->is_list = false;
        break;
    case TR_CONCAT:
        for (size_t i = 0; i < n; i++) {
            struct operand *a = o->u.transform.args[i];
            if (a->is_list || !is_string_type(a->type)) {
                check_error(st, LOAD_ERR_COMPILE_CONDITION, a->span,
                            "transformer 'concat' expects strings, not %s%s",
                            a->is_list ? "a list of " : "", field_type_name(a->type));
                return false;
            }
        }
        if (n < 2) {
            check_error(st, LOAD_ERR_COMPILE_CONDITION, o->span,
                        "transformer 'concat' needs at least two arguments");
            return false;
        }
        o->type = FT_CHARBUF;
        o->is_list = false;
        break;
    case TR_GETOPT:
        if (n != 2 || !a0->is_list || !is_string_type(a0->type)) {
            check_error(st, LOAD_ERR_COMPILE_CONDITION, o->span,
                        "transformer 'getopt' expects a list of strings and an option string");
            return false;
        }
        o->type = FT_CHARBUF;
        o->is_list = o->u.transform.suffix_arg == NULL;
        if (o->u.transform.suffix_arg && strlen(o->u.transform.suffix_arg) != 1) {
            check_error(st, LOAD_ERR_COMPILE_CONDITION, o->u.transform.suffix_span,
                        "getopt() selects a single option character, not '%s'",
                        o->u.transform.suffix_arg);
            return false;
        }
        break;
    case TR_COUNT:
        return false;
    }
    return true;
}

static bool type_operand(struct check_state *st, struct operand *o)
{
    bool ok;
    if (o->kind == OPND_FIELD)
        ok = type_field(st, o);
    else if (o->kind == OPND_TRANSFORM)
        ok = type_transform(st, o);
    else
        return true;
    o->typed = ok;
    return ok;
}

/* ---- literal values ---- */

/* Falco's sscanf-based number parsing: decimal only, a sign and leading
 * blanks accepted, stored into the field's width. *changed is set when the
 * stored value differs from the number written (wrap or truncation). */
static bool parse_decimal(const char *s, bool is_signed, unsigned bits, struct value *v,
                          bool *changed)
{
    const char *p = s;
    while (isspace((unsigned char)*p))
        p++;
    const char *digits = p;
    if (*digits == '+' || *digits == '-')
        digits++;
    if (!isdigit((unsigned char)*digits))
        return false;
    char *end;
    errno = 0;
    if (is_signed) {
        long long x = strtoll(p, &end, 10);
        if (*end)
            return false;
        v->as.i = bits == 8 ? (int8_t)x : bits == 16 ? (int16_t)x : bits == 32 ? (int32_t)x : x;
        *changed = v->as.i != x || errno == ERANGE;
    } else {
        unsigned long long x = strtoull(p, &end, 10); /* "-1" wraps, as with sscanf %u */
        if (*end)
            return false;
        v->as.u = bits == 8 ? (uint8_t)x : bits == 16 ? (uint16_t)x : bits == 32 ? (uint32_t)x : x;
        *changed = v->as.u != x || *digits != *p || errno == ERANGE;
    }
    return true;
}

static bool parse_ip(const char *s, struct value *v, bool net, const char **why)
{
    char buf[128];
    size_t len = strlen(s);
    if (len >= sizeof buf) {
        *why = net ? "unrecognized IP network" : "unrecognized IP address";
        return false;
    }
    memcpy(buf, s, len + 1);
    char *slash = strchr(buf, '/');
    if (net && !slash) {
        *why = "unrecognized IP network";
        return false;
    }
    if (slash)
        *slash = '\0';
    bool v4 = strchr(buf, '.') != NULL;
    v->as.ip.family = v4 ? 4 : 6;
    memset(v->as.ip.addr, 0, sizeof v->as.ip.addr);
    if (inet_pton(v4 ? AF_INET : AF_INET6, buf, v->as.ip.addr) != 1) {
        *why = slash ? "unrecognized IP network" : "unrecognized IP address";
        return false;
    }
    unsigned maxbits = v4 ? 32 : 128;
    v->as.ip.prefix = (uint8_t)maxbits;
    if (slash) {
        char *end;
        unsigned long bits = strtoul(slash + 1, &end, 10);
        if (!slash[1] || *end || bits > maxbits) {
            *why = "invalid netmask";
            return false;
        }
        v->as.ip.prefix = (uint8_t)bits;
    }
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static bool regex_is_trivial(const char *p, size_t len)
{
    /* Falco hints when no special character appears between the first and
     * last characters. */
    for (size_t i = 1; i + 1 < len; i++)
        if (strchr(".^$*+?()[]{}|\\", p[i]))
            return false;
    return true;
}

static bool warn_if_wrapped(struct check_state *st, const struct operand *lit,
                            const struct operand *lhs, const struct value *v, bool changed)
{
    if (!changed)
        return true;
    char stored[32];
    if (field_type_is_signed(lhs->type))
        snprintf(stored, sizeof stored, "%" PRId64, v->as.i);
    else
        snprintf(stored, sizeof stored, "%" PRIu64, v->as.u);
    check_warning(st, STOOP_NUMBER_WRAPS, lit->span,
                  "%s does not fit %s field '%s': Falco compares with %s", lit->u.value.str,
                  field_type_name(lhs->type), operand_label(lhs), stored);
    return true;
}

/* Constructs RE2 rejects in POSIX mode (Falco's setting) but PCRE2 would
 * accept; NULL if none. */
static const char *regex_perl_only(const char *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (p[i] == '\\') {
            if (p[i + 1] >= '1' && p[i + 1] <= '9')
                return "backreferences are not supported";
            if (strchr("dDwWsSbBpPAz", p[i + 1]))
                return "Perl escapes such as \\d, \\w, \\s, \\b are not supported";
            i++;
        } else if (p[i] == '(' && p[i + 1] == '?' && i + 2 < len &&
                   (p[i + 2] == '=' || p[i + 2] == '!' ||
                    (p[i + 2] == '<' && i + 3 < len && (p[i + 3] == '=' || p[i + 3] == '!')))) {
            return "lookaround assertions are not supported";
        }
    }
    return NULL;
}

static bool is_evt_type_field(const struct operand *lhs)
{
    return lhs->kind == OPND_FIELD && lhs->u.field.info && !lhs->u.field.arg &&
           (strcmp(lhs->u.field.info->name, "evt.type") == 0 ||
            strcmp(lhs->u.field.info->name, "syscall.type") == 0);
}

static bool convert_value(struct check_state *st, const struct expr *chk, struct operand *lit,
                          struct value *v)
{
    const struct operand *lhs = chk->u.check.lhs;
    enum cmp_op op = chk->u.check.op;
    const char *s = lit->u.value.str;
    size_t len = lit->u.value.len;
    memset(v, 0, sizeof *v);
    v->type = lhs->type;
    if (memchr(s, '\0', len)) {
        check_error(st, LOAD_ERR_COMPILE_CONDITION, lit->span,
                    "filter values cannot contain NUL bytes");
        return false;
    }
    switch (field_type_class(lhs->type)) {
    case TC_STRING:
        if (is_evt_type_field(lhs) && op != OP_EXISTS && op_kind(op) != OK_ORDER &&
            op != OP_CONTAINS && op != OP_ICONTAINS && op != OP_STARTSWITH &&
            op != OP_ENDSWITH && op != OP_GLOB && op != OP_IGLOB && op != OP_REGEX &&
            op != OP_PMATCH && !schema_event_by_name(s)) {
            struct diag *d = check_error(st, LOAD_ERR_COMPILE_CONDITION, lit->span,
                                         "unknown event type %s", s);
            if (d) {
                size_t n = schema_event_count();
                const char **names = xmalloc((n + 1) * sizeof *names);
                for (size_t i = 0; i < n; i++)
                    names[i] = schema_event(i)->name;
                diag_did_you_mean(d, s, names, n);
                free(names);
            }
            return false;
        }
        v->str = xstrndup(s, len);
        v->len = len;
        if (op == OP_REGEX) {
            const char *perl_only = regex_perl_only(s, len);
            if (perl_only) {
                struct diag *d = check_error(st, LOAD_ERR_COMPILE_CONDITION, lit->span,
                                             "invalid regex pattern: %s", perl_only);
                if (d)
                    diag_hint(d, "Falco matches regexes with RE2 in POSIX (egrep) mode: use "
                                 "[0-9], [[:alnum:]_], [[:space:]] for \\d, \\w, \\s");
                return false;
            }
            int err;
            PCRE2_SIZE erroff;
            /* Falco's RE2 matches UTF-8 text; invalid bytes must not fail. */
            uint32_t opts = PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
            v->compiled = pcre2_compile((PCRE2_SPTR)s, len, opts, &err, &erroff, NULL);
            if (!v->compiled) {
                PCRE2_UCHAR msg[256];
                pcre2_get_error_message(err, msg, sizeof msg);
                check_error(st, LOAD_ERR_COMPILE_CONDITION, lit->span,
                            "invalid regex pattern: %s (at offset %zu)", (const char *)msg,
                            (size_t)erroff);
                return false;
            }
            if (regex_is_trivial(s, len)) {
                check_warning(st, LOAD_COMPILE_CONDITION, lit->span,
                              "regex check with '%s' may be optimized with simpler operators "
                              "such as '=', 'contains', 'startswith', 'endswith'",
                              s);
            }
        }
        return true;
    case TC_BYTES:
        if (op == OP_BCONTAINS || op == OP_BSTARTSWITH) {
            if (len % 2) {
                check_error(st, LOAD_ERR_COMPILE_CONDITION, lit->span,
                            "filter error: bcontains and bstartswith operator support hex "
                            "strings only");
                return false;
            }
            v->str = xmalloc(len / 2 + 1);
            for (size_t i = 0; i < len; i += 2) {
                int hi = hexval(s[i]), lo = hexval(s[i + 1]);
                if (hi < 0 || lo < 0) {
                    check_error(st, LOAD_ERR_COMPILE_CONDITION, lit->span,
                                "filter error: bcontains and bstartswith operator support hex "
                                "strings only");
                    return false;
                }
                v->str[i / 2] = (char)(hi * 16 + lo);
            }
            v->len = len / 2;
            v->str[v->len] = '\0';
        } else {
            v->str = xstrndup(s, len);
            v->len = len;
        }
        return true;
    case TC_NUMERIC: {
        bool changed = false;
        if (lhs->type == FT_PORT) {
            if (parse_decimal(s, false, 16, v, &changed))
                return warn_if_wrapped(st, lit, lhs, v, changed);
            struct servent *se = getservbyname(s, NULL);
            if (se) {
                v->as.u = ntohs((uint16_t)se->s_port);
                return true;
            }
        } else if (lhs->type == FT_DOUBLE) {
            if (parse_decimal(s, true, 64, v, &changed)) {
                v->as.d = (double)v->as.i;
                return true;
            }
        } else {
            unsigned bits = field_type_bits(lhs->type);
            if (parse_decimal(s, field_type_is_signed(lhs->type), bits ? bits : 64, v, &changed))
                return warn_if_wrapped(st, lit, lhs, v, changed);
        }
        struct diag *d = check_error(st, LOAD_ERR_COMPILE_CONDITION, lit->span,
                                     "%s is not a valid number", s);
        if (d && (strncmp(s, "0x", 2) == 0 || strncmp(s, "0X", 2) == 0 || strpbrk(s, ".eE")))
            diag_hint(d, "Falco reads numbers in decimal only: no hex, fractions or exponents");
        return false;
    }
    case TC_BOOL:
        if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
            v->as.b = s[0] == 't';
            return true;
        }
        {
            struct diag *d = check_error(st, LOAD_ERR_COMPILE_CONDITION, lit->span,
                                         "filter error: unrecognized boolean value %s", s);
            if (d)
                diag_hint(d, "boolean values are written true or false");
        }
        return false;
    case TC_IP:
    case TC_NET: {
        const char *why = NULL;
        bool net = field_type_class(lhs->type) == TC_NET;
        if (!parse_ip(s, v, net, &why)) {
            check_error(st, LOAD_ERR_COMPILE_CONDITION, lit->span, "%s %s", why, s);
            return false;
        }
        /* An address compared with a network value matches by containment. */
        if (!net && v->as.ip.prefix != (v->as.ip.family == 4 ? 32 : 128))
            v->type = FT_IPNET;
        return true;
    }
    case TC_OTHER:
        break;
    }
    return false;
}

/* ---- checks ---- */

static const char *class_filter_kind(enum field_type t)
{
    switch (field_type_class(t)) {
    case TC_NUMERIC:
    case TC_BOOL:
        return "numeric"; /* Falco says numeric for booleans too */
    case TC_STRING:
        return "string";
    case TC_BYTES:
        return "buffer";
    case TC_IP:
    case TC_NET:
        return "ip address and network";
    default:
        return NULL;
    }
}

static bool check_operator(struct check_state *st, struct expr *e)
{
    struct operand *lhs = e->u.check.lhs;
    enum cmp_op op = e->u.check.op;
    if (op == OP_EXISTS)
        return true;
    if (lhs->is_list) {
        switch (lhs->type) {
        case FT_CHARBUF: case FT_UINT64: case FT_RELTIME: case FT_ABSTIME: case FT_BOOL:
        case FT_IPADDR: case FT_IPNET:
            break;
        default:
            check_error(st, LOAD_ERR_COMPILE_CONDITION, e->span,
                        "list filters are not supported for type '%s'",
                        field_type_name(lhs->type));
            return false;
        }
        if (!(op_flags(op) & OF_LIST_LHS)) {
            struct diag *d = check_error(st, LOAD_ERR_COMPILE_CONDITION, e->u.check.op_span,
                                         "filter error: '%s' operator not supported list filters",
                                         op_spelling(op));
            if (d)
                diag_hint(d, "'%s' yields a list of values: use 'in', 'intersects' or 'exists'",
                          operand_label(lhs));
            return false;
        }
        return true;
    }
    enum type_class cls = field_type_class(lhs->type);
    if (!(op_classes(op) & (1u << cls))) {
        const char *kind = class_filter_kind(lhs->type);
        if (kind)
            check_error(st, LOAD_ERR_COMPILE_CONDITION, e->u.check.op_span,
                        "filter error: '%s' operator not supported for %s filters",
                        op_spelling(op), kind);
        else
            check_error(st, LOAD_ERR_COMPILE_CONDITION, e->u.check.op_span,
                        "filter error: '%s' operator not supported for type '%s'",
                        op_spelling(op), field_type_name(lhs->type));
        return false;
    }
    if (e->u.check.mod != MOD_NONE) {
        if (!(op_flags(op) & OF_MODIFIABLE)) {
            check_error(st, LOAD_ERR_COMPILE_CONDITION, e->u.check.op_span,
                        "filter error: operator '%s' does not accept the '%s' modifier",
                        op_spelling(op), modifier_name(e->u.check.mod));
            return false;
        }
        if ((cls == TC_IP || cls == TC_NET) && op != OP_EQ && op != OP_EQEQ && op != OP_NE) {
            check_error(st, LOAD_ERR_COMPILE_CONDITION, e->u.check.op_span,
                        "filter error: '%s %s' is not supported for ip address and network "
                        "filters",
                        op_spelling(op), modifier_name(e->u.check.mod));
            return false;
        }
    }
    if (lhs->kind == OPND_FIELD && lhs->u.field.info &&
        strcmp(lhs->u.field.info->name, "evt.around") == 0 && op != OP_EQ) {
        check_error(st, LOAD_ERR_COMPILE_CONDITION, e->u.check.op_span,
                    "evt.around supports only '=' comparison operator");
        return false;
    }
    return true;
}

static bool operand_has_flag(const struct operand *o, unsigned flag)
{
    if (o->kind == OPND_FIELD)
        return o->u.field.info && (o->u.field.info->flags & flag);
    if (o->kind == OPND_TRANSFORM)
        for (size_t i = 0; i < o->u.transform.nargs; i++)
            if (operand_has_flag(o->u.transform.args[i], flag))
                return true;
    return false;
}

static bool check_rhs_field(struct check_state *st, struct expr *e)
{
    struct operand *lhs = e->u.check.lhs, *rhs = e->u.check.rhs;
    enum cmp_op op = e->u.check.op;
    if (!type_operand(st, rhs))
        return false;
    if (op_flags(op) & OF_NO_RHS_FIELD) {
        check_error(st, LOAD_ERR_COMPILE_CONDITION, rhs->span,
                    "operator '%s' doesn't support right-hand side fields", op_spelling(op));
        return false;
    }
    if (operand_has_flag(lhs, FF_NO_RHS) || field_type_class(lhs->type) == TC_NET) {
        check_error(st, LOAD_ERR_COMPILE_CONDITION, lhs->span,
                    "field '%s' doesn't support right-hand side fields", operand_label(lhs));
        return false;
    }
    if (operand_has_flag(rhs, FF_NO_RHS)) {
        check_error(st, LOAD_ERR_COMPILE_CONDITION, rhs->span,
                    "field '%s' can't be used as a right-hand side field", operand_label(rhs));
        return false;
    }
    if (lhs->type != rhs->type || lhs->is_list != rhs->is_list) {
        check_error(st, LOAD_ERR_COMPILE_CONDITION, rhs->span,
                    "field '%s' has type '%s%s' while the right-hand side field '%s' has "
                    "incompatible type '%s%s'",
                    operand_label(lhs), field_type_name(lhs->type), lhs->is_list ? " (list)" : "",
                    operand_label(rhs), field_type_name(rhs->type), rhs->is_list ? " (list)" : "");
        return false;
    }
    return true;
}

static void warn_value_looks_like_field(struct check_state *st, const struct operand *lit)
{
    const char *s = lit->u.value.str;
    size_t tlen;
    for (int t = 0; t < TR_COUNT; t++) {
        tlen = strlen(transformer_name((enum transformer)t));
        if (strncmp(s, transformer_name((enum transformer)t), tlen) == 0 && s[tlen] == '(') {
            check_warning(st, LOAD_COMPILE_CONDITION, lit->span,
                          "'%s' may be a valid field transformer misused as a const string value",
                          s);
            return;
        }
    }
    if (!strchr(s, '.') || lit->u.value.len > 256)
        return;
    char name[257];
    size_t n = strcspn(s, "[");
    memcpy(name, s, n);
    name[n] = '\0';
    const char *dotted = NULL;
    if (schema_lookup(st->schema, name, &dotted)) {
        struct diag *d = check_warning(st, LOAD_COMPILE_CONDITION, lit->span,
                                       "'%s' may be a valid field misused as a const string value",
                                       s);
        if (d)
            diag_hint(d, "to compare with the field's value write val(%s)", s);
    }
}

static bool is_na_sensitive(const struct operand *lhs)
{
    const char *name = lhs->kind == OPND_FIELD ? lhs->u.field.name : NULL;
    return name && (strncmp(name, "ka.", 3) == 0 || strncmp(name, "jevt.", 5) == 0);
}

static bool check_constants(struct check_state *st, struct expr *e)
{
    struct operand *rhs = e->u.check.rhs;
    enum cmp_op op = e->u.check.op;
    struct operand *single[1] = {rhs};
    struct operand **items = rhs->kind == OPND_LIST ? rhs->u.list.items : single;
    size_t n = rhs->kind == OPND_LIST ? rhs->u.list.n : 1;
    e->u.check.values = xcalloc(n ? n : 1, sizeof *e->u.check.values);
    bool ok = true;
    bool na_check = is_na_sensitive(e->u.check.lhs) &&
                    (op == OP_EQ || op == OP_EQEQ || op == OP_NE || op == OP_IN ||
                     op == OP_INTERSECTS || op == OP_PMATCH);
    for (size_t i = 0; i < n; i++) {
        if (items[i]->kind != OPND_VALUE)
            continue;
        struct value *v = &e->u.check.values[e->u.check.nvalues];
        if (convert_value(st, e, items[i], v)) {
            e->u.check.nvalues++;
        } else {
            value_clear(v); /* a failed conversion may hold a partial value */
            ok = false;
        }
        warn_value_looks_like_field(st, items[i]);
        if (na_check && strcmp(items[i]->u.value.str, "<NA>") == 0) {
            struct diag *d = check_warning(
                st, LOAD_UNSAFE_NA_CHECK, items[i]->span,
                "comparing '%s' with '<NA>' is unsafe: a missing value makes every comparison "
                "false, it never equals the text <NA>",
                e->u.check.lhs->u.field.name);
            if (d)
                diag_hint(d, "test presence with '%s exists' instead", e->u.check.lhs->u.field.name);
        }
    }
    return ok;
}

static void warn_deprecated(struct check_state *st, const struct operand *o)
{
    if (o->kind == OPND_FIELD && o->u.field.info && (o->u.field.info->flags & FF_DEPRECATED))
        check_warning(st, LOAD_DEPRECATED_ITEM, o->span, "field '%s' is deprecated: %s",
                      o->u.field.info->name, o->u.field.info->desc);
    if (o->kind == OPND_TRANSFORM)
        for (size_t i = 0; i < o->u.transform.nargs; i++)
            warn_deprecated(st, o->u.transform.args[i]);
}

static bool check_check(struct check_state *st, struct expr *e)
{
    struct operand *lhs = e->u.check.lhs;
    if (!type_operand(st, lhs))
        return false;
    warn_deprecated(st, lhs);
    if (lhs->kind == OPND_TRANSFORM && lhs->u.transform.tr == TR_VAL) {
        check_error(st, LOAD_ERR_COMPILE_CONDITION, lhs->span,
                    "'val' can only be used on the right-hand side of a comparison");
        return false;
    }
    if (!check_operator(st, e))
        return false;
    struct operand *rhs = e->u.check.rhs;
    if (!rhs)
        return true;
    if (rhs->kind == OPND_FIELD || rhs->kind == OPND_TRANSFORM)
        return check_rhs_field(st, e);
    return check_constants(st, e);
}

static bool check_expr(struct check_state *st, struct expr *e)
{
    switch (e->kind) {
    case EXPR_AND:
    case EXPR_OR: {
        bool ok = true;
        for (size_t i = 0; i < e->u.nary.n; i++)
            ok &= check_expr(st, e->u.nary.v[i]);
        return ok;
    }
    case EXPR_NOT:
        return check_expr(st, e->u.child);
    case EXPR_CHECK:
        return check_check(st, e);
    case EXPR_MACRO_REF: {
        if (!e->u.macro.body)
            return false;
        if (st->depth < sizeof st->macro_stack / sizeof *st->macro_stack)
            st->macro_stack[st->depth] = e->u.macro.name;
        st->depth++;
        bool ok = check_expr(st, e->u.macro.body);
        st->depth--;
        return ok;
    }
    }
    return false;
}

bool check_rule_condition(struct compile_ctx *cc, struct rule_def *r)
{
    struct check_state st = {.cc = cc, .r = r, .schema = r->schema, .ok = true};
    check_expr(&st, r->ast);
    return st.ok;
}

/* ---- outputs ---- */

static bool accept_output_operand(const struct operand *o, void *ctx)
{
    struct check_state *st = ctx;
    struct operand *copy = operand_clone(o);
    bool saved_ok = st->ok;
    st->quiet = true;
    st->ok = true;
    bool ok = type_operand(st, copy);
    st->quiet = false;
    st->ok = saved_ok;
    operand_free(copy);
    return ok;
}

bool check_rule_output(struct compile_ctx *cc, struct rule_def *r)
{
    struct check_state st = {.cc = cc, .r = r, .schema = r->schema, .ok = true};
    struct mapped_text out = mtext_clone(&r->output);
    /* %container.info is removed, with a warning (3.1). */
    static const char info[] = "%container.info";
    char *hit;
    while ((hit = strstr(out.text, info)) != NULL) {
        size_t at = (size_t)(hit - out.text);
        struct diag *d = diag_add(cc->dl, LOAD_DEPRECATED_ITEM, mtext_span(&out, at, at + strlen(info)),
                                  "%%container.info is deprecated and no more useful, and will be "
                                  "dropped by Falco 1.0.0. The container plugin will automatically "
                                  "add required fields to the output message.");
        set_context(&st, d);
        mtext_replace(&out, at, at + strlen(info), "", 0, mtext_span(&out, at, at));
    }
    struct diag_list tmp = {0};
    bool ok = output_parse(&out, accept_output_operand, &st, &r->output_fmt, &tmp);
    for (size_t i = 0; i < tmp.n; i++) {
        struct diag *src = &tmp.v[i];
        enum diag_code code = src->code;
        if (src->severity == SEV_ERROR && r->skip_if_unknown_filter && downgradable(src->message)) {
            code = LOAD_UNKNOWN_FILTER;
            r->dropped = true;
        }
        struct diag *d = diag_add(cc->dl, code, src->primary, "%s", src->message);
        for (unsigned k = 0; k < src->nhints; k++)
            diag_hint(d, "%s", src->hints[k]);
        const char *unknown = strstr(src->message, "unknown filter: ");
        if (unknown && d->nhints == 0) {
            const char *tok = unknown + strlen("unknown filter: ");
            size_t n;
            const char *const *names = schema_field_names(r->schema, &n);
            if (strcmp(tok, "<empty>") != 0)
                diag_did_you_mean(d, tok, names, n);
            if (d->nhints == 0 && strchr(tok, '.'))
                diag_hint(d, "'%s' is not a field of source '%s'; 'stoopc fields --source %s' "
                             "lists them",
                          tok, r->schema->name, r->schema->name);
            else if (d->nhints == 0)
                diag_hint(d, "'%%' must start a field or transformer; Falco has no escape for a "
                             "literal '%%'");
        }
        set_context(&st, d);
    }
    diag_list_free(&tmp);
    if (ok) {
        for (size_t i = 0; i < r->output_fmt.n; i++) {
            struct format_part *part = &r->output_fmt.parts[i];
            if (part->is_token && part->opnd) {
                type_operand(&st, part->opnd);
                if (operand_has_flag(part->opnd, FF_DEPRECATED))
                    check_warning(&st, LOAD_DEPRECATED_ITEM, part->span,
                                  "usage of deprecated field '%s' has been detected in the rule "
                                  "output",
                                  operand_label(part->opnd));
            }
        }
    }
    mtext_free(&out);
    return ok && st.ok;
}

bool check_exception_fields(struct compile_ctx *cc, struct rule_def *r)
{
    bool ok = true;
    for (size_t i = 0; i < r->nexceptions; i++) {
        const struct exception_def *ex = &r->exceptions[i];
        for (size_t k = 0; k < ex->nfields; k++) {
            const struct list_item *f = &ex->fields[k];
            struct mapped_text t;
            mtext_init(&t);
            mtext_append_exact(&t, f->text, strlen(f->text), f->span);
            struct operand *o = operand_parse_exact(&t, 0, t.len);
            struct check_state st = {.cc = cc, .r = r, .schema = r->schema, .ok = true,
                                     .quiet = true};
            if (!o || !type_operand(&st, o)) {
                struct diag *d = diag_add(cc->dl, LOAD_ERR_VALIDATE, f->span,
                                          "'%s' is not a supported filter field", f->text);
                diag_context(d, "in exception '%s' of rule '%s'", ex->name, r->name);
                diag_item(d, r->name);
                size_t n;
                const char *const *names = schema_field_names(r->schema, &n);
                diag_did_you_mean(d, f->text, names, n);
                ok = false;
            }
            if (o)
                operand_free(o);
            mtext_free(&t);
        }
    }
    return ok;
}
