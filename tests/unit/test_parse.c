/* test_parse.c: the condition parser, the AST helpers and output formats. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ast.h"
#include "diag.h"
#include "parse.h"
#include "source.h"
#include "util.h"

static void mt_set(struct mapped_text *t, const char *s, size_t len)
{
    mtext_init(t);
    mtext_append_exact(t, s, len, (struct span){0, 0, (uint32_t)len});
}

/* Parses s; on failure returns NULL and fills *msg (caller frees) and *off. */
static struct expr *parse_n(const char *s, size_t len, char **msg, uint32_t *off)
{
    struct mapped_text t;
    struct diag_list dl = {0};
    mt_set(&t, s, len);
    struct expr *e = cond_parse(&t, &dl);
    if (msg)
        *msg = NULL;
    if (!e) {
        ck_assert_uint_eq(dl.n, 1);
        ck_assert_int_eq(dl.v[0].code, LOAD_ERR_COMPILE_CONDITION);
        if (msg)
            *msg = xstrdup(dl.v[0].message);
        if (off)
            *off = dl.v[0].primary.start;
    } else {
        ck_assert_uint_eq(dl.n, 0);
    }
    diag_list_free(&dl);
    mtext_free(&t);
    return e;
}

static struct expr *parse(const char *s, char **msg, uint32_t *off)
{
    return parse_n(s, strlen(s), msg, off);
}

/* ---- accepted conditions and their canonical strings ---- */

static const struct {
    const char *cond;
    const char *canon;
} accepted[] = {
    {"proc.name = bash", "proc.name = bash"},
    {"proc.name=bash", "proc.name = bash"},
    {"proc.name == bash", "proc.name == bash"},
    {"proc.name != bash", "proc.name != bash"},
    {"evt.num < 10", "evt.num < 10"},
    {"evt.num <= 10", "evt.num <= 10"},
    {"evt.num > 10", "evt.num > 10"},
    {"evt.num >= 10", "evt.num >= 10"},
    {"evt.num<10", "evt.num < 10"},
    {"evt.num > 0x1F", "evt.num > 0x1F"},
    {"evt.num >= -1", "evt.num >= -1"},
    {"evt.num > 1.5", "evt.num > 1.5"},
    {"evt.num > 1e+3", "evt.num > 1e+3"},
    {"evt.num = 12abc", "evt.num = 12abc"},
    {"proc.name contains foo", "proc.name contains foo"},
    {"proc.name icontains foo", "proc.name icontains foo"},
    {"evt.buffer bcontains CAFE", "evt.buffer bcontains CAFE"},
    {"proc.name startswith /usr", "proc.name startswith /usr"},
    {"evt.buffer bstartswith 7f454c46", "evt.buffer bstartswith 7f454c46"},
    {"proc.name endswith .sh", "proc.name endswith .sh"},
    {"fd.name glob /usr/*", "fd.name glob /usr/*"},
    {"fd.name iglob '*.SH'", "fd.name iglob *.SH"},
    {"proc.name regex '^a.*b$'", "proc.name regex ^a.*b$"},
    {"proc.name in (a, b, c)", "proc.name in (a, b, c)"},
    {"proc.name in(a,b)", "proc.name in (a, b)"},
    {"proc.name in ()", "proc.name in ()"},
    {"proc.name in ( )", "proc.name in ()"},
    {"proc.name in bash", "proc.name in bash"},
    {"proc.name inbash", "proc.name in bash"},
    {"proc.name intersects (a)", "proc.name intersects (a)"},
    {"fd.name pmatch (/tmp, /var/run)", "fd.name pmatch (/tmp, /var/run)"},
    {"proc.name in (\"a b\", 'c')", "proc.name in (\"a b\", c)"},
    {"proc.name exists", "proc.name exists"},
    {"proc.aname[2] = bash", "proc.aname[2] = bash"},
    {"proc.env[HOME] exists", "proc.env[HOME] exists"},
    {"json.value[\"/a b\"] = x", "json.value[\"/a b\"] = x"},
    {"json.value[/requestObject/spec] = x", "json.value[/requestObject/spec] = x"},
    {"evt.arg.flags contains O_TRUNC", "evt.arg.flags contains O_TRUNC"},
    {"container.mount.dest[/var/run/docker.sock] exists",
     "container.mount.dest[/var/run/docker.sock] exists"},
    {"not proc.name = a", "not proc.name = a"},
    {"not not proc.name = a", "proc.name = a"},
    {"not not not a", "not a"},
    {"not(a)", "not a"},
    {"not (a)", "not a"},
    {"not not(a)", "a"},
    {"not a and b", "(not a and b)"},
    {"a and b and c", "(a and b and c)"},
    {"a or b and c", "(a or (b and c))"},
    {"a and b or c", "((a and b) or c)"},
    {"a and (b and c)", "(a and (b and c))"},
    {"a and(b or c)", "(a and (b or c))"},
    {"a or(b) or c", "(a or b or c)"},
    {"a or (b) and c", "(a or (b and c))"},
    {"(a)", "a"},
    {"((a or b))", "(a or b)"},
    {"a and not b", "(a and not b)"},
    {"android or oregon", "(android or oregon)"},
    {"notepad", "notepad"},
    {"not", "not"},
    {"macro_x", "macro_x"},
    {"tolower(proc.name) = bash", "tolower(proc.name) = bash"},
    {"toupper(basename(fd.name)) = X", "toupper(basename(fd.name)) = X"},
    {"proc.name = val(proc.pname)", "proc.name = val(proc.pname)"},
    {"proc.name = val( proc.aname[2] )", "proc.name = val(proc.aname[2])"},
    {"proc.name = val(proc.pname)[x]", "proc.name = val(proc.pname)[x]"},
    {"tolower(proc.name) = tolower(proc.pname)", "tolower(proc.name) = tolower(proc.pname)"},
    {"len(proc.args) > 3", "len(proc.args) > 3"},
    {"len(proc.args) > len(proc.env)", "len(proc.args) > len(proc.env)"},
    {"b64(proc.name) = x", "b64(proc.name) = x"},
    {"join(\",\", proc.args) = \"a,b\"", "join(\",\", proc.args) = a,b"},
    {"concat(proc.name, \"-\", proc.pid) = x", "concat(proc.name, \"-\", proc.pid) = x"},
    {"getopt(proc.args, \"o:\")[o] = x", "getopt(proc.args, \"o:\")[o] = x"},
    {"join(\",\", (proc.name, \"x\", 12, 0x1)) = y", "join(\",\", (proc.name, \"x\", 12, 0x1)) = y"},
    {"concat(proc.name, tolower(proc.pname)) exists", "concat(proc.name, tolower(proc.pname)) exists"},
    {"tolower(proc.name) in (a, b)", "tolower(proc.name) in (a, b)"},
    {"proc.name in tolower(proc.pname)", "proc.name in tolower(proc.pname)"},
    {"proc.pid > len(proc.args)", "proc.pid > len(proc.args)"},
    {"proc.name = oneof (a, b)", "proc.name = oneof (a, b)"},
    {"proc.name startswith anyof (a, b)", "proc.name startswith anyof (a, b)"},
    {"proc.name != allof mylist", "proc.name != allof mylist"},
    {"proc.name = oneof and b", "(proc.name = oneof and b)"},
    {"proc.name = anyof", "proc.name = anyof"},
    {"proc.name = \"a b\"", "proc.name = \"a b\""},
    {"proc.name = 'it\\'s'", "proc.name = \"it's\""},
    {"proc.name = \"a\\tb\"", "proc.name = \"a\\tb\""},
    {"proc.name = \"\\x41\\x2f\"", "proc.name = A/"},
    {"proc.name = \"a\\ b\"", "proc.name = \"a\\\\b\""},
    {"proc.name = \"a\\\\b\\/c\"", "proc.name = \"a\\\\b/c\""},
    {"proc.name = \"\"", "proc.name = "},
    {"proc.name = \"a=b\"", "proc.name = \"a=b\""},
    {"proc.cmdline contains \"-jar\"", "proc.cmdline contains -jar"},
    {"fd.net = 192.168.0.0/16", "fd.net = 192.168.0.0/16"},
    {"proc.name = <NA>", "proc.name = <NA>"},
    {"proc.name = [x]", "proc.name = [x]"},
    {"evt.type in (open, openat) and proc.name = bash",
     "(evt.type in (open, openat) and proc.name = bash)"},
    {"proc.name=a or proc.name=b", "(proc.name = a or proc.name = b)"},
    {"a.b1_c.d exists", "a.b1_c.d exists"},
};

START_TEST(test_accepted)
{
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        char *msg;
        struct expr *e = parse(accepted[i].cond, &msg, NULL);
        ck_assert_msg(e != NULL, "'%s' rejected: %s", accepted[i].cond, msg ? msg : "");
        char *s = expr_to_string(e, false);
        ck_assert_msg(strcmp(s, accepted[i].canon) == 0, "'%s' -> '%s', expected '%s'",
                      accepted[i].cond, s, accepted[i].canon);
        /* Clones are equal, and free cleanly. */
        struct expr *c = expr_clone(e);
        ck_assert(expr_equal(e, c));
        expr_free(c);
        free(s);
        expr_free(e);
    }
}
END_TEST

/* Replaces each run of blanks outside quotes and brackets with `rep`. */
static char *permute_blanks(const char *s, const char *rep)
{
    struct strbuf sb = {0};
    char q = 0;
    int bracket = 0;
    for (size_t i = 0; s[i];) {
        char c = s[i];
        if (q) {
            sb_putc(&sb, c);
            if (c == '\\' && s[i + 1]) {
                sb_putc(&sb, s[i + 1]);
                i += 2;
                continue;
            }
            if (c == q)
                q = 0;
            i++;
        } else if (c == '"' || c == '\'') {
            q = c;
            sb_putc(&sb, c);
            i++;
        } else if (c == '[' || c == ']') {
            bracket += c == '[' ? 1 : -1;
            sb_putc(&sb, c);
            i++;
        } else if (c == ' ' && !bracket) {
            while (s[i] == ' ')
                i++;
            sb_puts(&sb, rep);
        } else {
            sb_putc(&sb, c);
            i++;
        }
    }
    return sb_take(&sb);
}

START_TEST(test_whitespace_permutations)
{
    static const char *const reps[] = {"\n", "\t", "  \n\t", "\r\n", " \b "};
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        struct expr *e = parse(accepted[i].cond, NULL, NULL);
        ck_assert_ptr_nonnull(e);
        for (size_t r = 0; r < sizeof reps / sizeof reps[0]; r++) {
            char *p = permute_blanks(accepted[i].cond, reps[r]);
            char *msg;
            struct expr *e2 = parse(p, &msg, NULL);
            ck_assert_msg(e2 != NULL, "permutation %zu of '%s' rejected: %s", r,
                          accepted[i].cond, msg ? msg : "");
            ck_assert_msg(expr_equal(e, e2), "permutation %zu of '%s' differs", r,
                          accepted[i].cond);
            expr_free(e2);
            free(p);
        }
        expr_free(e);
    }
}
END_TEST

/* Canonical strings read back as the same tree. */
START_TEST(test_canonical_roundtrip)
{
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        const char *c = accepted[i].canon;
        if (strstr(c, " = ") && c[strlen(c) - 1] == ' ')
            continue; /* empty value: not re-quoted, as Falco */
        if (strstr(c, "a,b") || strstr(c, "oneof and") || strcmp(c, "proc.name = anyof") == 0)
            continue;
        struct expr *e = parse(accepted[i].cond, NULL, NULL);
        char *msg;
        struct expr *e2 = parse(c, &msg, NULL);
        ck_assert_msg(e2 != NULL, "canonical '%s' rejected: %s", c, msg ? msg : "");
        char *s2 = expr_to_string(e2, false);
        ck_assert_str_eq(s2, c);
        free(s2);
        expr_free(e2);
        expr_free(e);
    }
}
END_TEST

START_TEST(test_tree_shapes)
{
    struct expr *e = parse("a and b and (c or d) or e", NULL, NULL);
    ck_assert_int_eq(e->kind, EXPR_OR);
    ck_assert_uint_eq(e->u.nary.n, 2);
    ck_assert_int_eq(e->u.nary.v[0]->kind, EXPR_AND);
    ck_assert_uint_eq(e->u.nary.v[0]->u.nary.n, 3);
    ck_assert_int_eq(e->u.nary.v[0]->u.nary.v[0]->kind, EXPR_MACRO_REF);
    ck_assert_str_eq(e->u.nary.v[0]->u.nary.v[0]->u.macro.name, "a");
    ck_assert_int_eq(e->u.nary.v[0]->u.nary.v[2]->kind, EXPR_OR);
    /* Spans are byte offsets of the text. */
    ck_assert_uint_eq(e->span.start, 0);
    ck_assert_uint_eq(e->span.end, 25);
    ck_assert_uint_eq(e->u.nary.v[1]->span.start, 24);
    expr_free(e);

    e = parse("proc.aname[2] startswith oneof (x, 'y')", NULL, NULL);
    ck_assert_int_eq(e->kind, EXPR_CHECK);
    ck_assert_int_eq(e->u.check.op, OP_STARTSWITH);
    ck_assert_int_eq(e->u.check.mod, MOD_ONEOF);
    ck_assert_uint_eq(e->u.check.op_span.start, 14);
    ck_assert_uint_eq(e->u.check.op_span.end, 24);
    struct operand *l = e->u.check.lhs;
    ck_assert_int_eq(l->kind, OPND_FIELD);
    ck_assert_str_eq(l->u.field.name, "proc.aname");
    ck_assert_str_eq(l->u.field.arg, "2");
    ck_assert(!l->u.field.arg_quoted);
    ck_assert_uint_eq(l->span.start, 0);
    ck_assert_uint_eq(l->span.end, 13);
    ck_assert_uint_eq(l->u.field.arg_span.start, 11);
    struct operand *r = e->u.check.rhs;
    ck_assert_int_eq(r->kind, OPND_LIST);
    ck_assert_uint_eq(r->u.list.n, 2);
    ck_assert_int_eq(r->u.list.items[0]->u.value.token, VT_BARE);
    ck_assert_int_eq(r->u.list.items[1]->u.value.token, VT_QUOTED);
    ck_assert_str_eq(r->u.list.items[1]->u.value.str, "y");
    expr_free(e);

    e = parse("evt.num > 0x10 and evt.num < 5 and proc.name in bash and proc.name = 5", NULL,
              NULL);
    ck_assert_int_eq(e->u.nary.v[0]->u.check.rhs->u.value.token, VT_HEX);
    ck_assert_int_eq(e->u.nary.v[1]->u.check.rhs->u.value.token, VT_NUMBER);
    ck_assert_int_eq(e->u.nary.v[2]->u.check.rhs->u.value.token, VT_IDENT);
    ck_assert_int_eq(e->u.nary.v[3]->u.check.rhs->u.value.token, VT_BARE);
    expr_free(e);

    e = parse("getopt(proc.args, \"o:\")[o] = x", NULL, NULL);
    l = e->u.check.lhs;
    ck_assert_int_eq(l->kind, OPND_TRANSFORM);
    ck_assert_int_eq(l->u.transform.tr, TR_GETOPT);
    ck_assert_uint_eq(l->u.transform.nargs, 2);
    ck_assert_str_eq(l->u.transform.suffix_arg, "o");
    ck_assert_uint_eq(l->u.transform.name_span.start, 0);
    ck_assert_uint_eq(l->u.transform.name_span.end, 6);
    ck_assert_int_eq(l->u.transform.args[1]->u.value.token, VT_QUOTED);
    expr_free(e);

    e = parse("json.value['/a\\tb'] exists", NULL, NULL);
    ck_assert_str_eq(e->u.check.lhs->u.field.arg, "/a\tb");
    ck_assert(e->u.check.lhs->u.field.arg_quoted);
    ck_assert_ptr_null(e->u.check.rhs);
    expr_free(e);

    /* Bytes other than NUL survive in quoted strings. */
    e = parse("proc.name = \"\xff\xfe\x01\"", NULL, NULL);
    ck_assert_uint_eq(e->u.check.rhs->u.value.len, 3);
    char *s = expr_to_string(e, false);
    ck_assert_str_eq(s, "proc.name = \"\xff\xfe\\x01\"");
    free(s);
    expr_free(e);
}
END_TEST

START_TEST(test_macro_expansion_string)
{
    struct expr *e = parse("a and not b", NULL, NULL);
    struct expr *body = parse("x.y = 1 or x.z exists", NULL, NULL);
    e->u.nary.v[1]->u.child->u.macro.body = body;
    char *s = expr_to_string(e, true);
    ck_assert_str_eq(s, "(a and not (x.y = 1 or x.z exists))");
    free(s);
    s = expr_to_string(e, false);
    ck_assert_str_eq(s, "(a and not b)");
    free(s);
    struct expr *c = expr_clone(e);
    ck_assert(c->u.nary.v[1]->u.child->u.macro.body != body);
    ck_assert(expr_equal(c->u.nary.v[1]->u.child->u.macro.body, body));
    expr_free(c);
    expr_free(e);
}
END_TEST

/* ---- rejected conditions ---- */

#define MSG_STR "expected a string value or a field with a valid transformer: "
#define MSG_NUM "expected a number value or a field with a valid transformer: "
#define MSG_LIST "expected a list, an identifier, or a field with a valid transformer: "
#define MSG_OP "expected a valid check operator: one of 'exists', '<=', '<', '>=', '>', '=="

static const struct {
    const char *cond;
    const char *msg; /* a prefix of the expected message */
    uint32_t off;
} rejected[] = {
    {"   ", "expected a '(' token, a field check, or an identifier", 3},
    {"evt.type=open an", "unexpected token after 'open', expecting 'or', 'and'", 14},
    {"a b", "unexpected token after 'a', expecting 'or', 'and'", 2},
    {"proc.name in (a) )", "unexpected token after ')', expecting 'or', 'and'", 17},
    {"proc.name = \"x\" y", "unexpected token after '\"x\"', expecting 'or', 'and'", 16},
    {"a andb", "expected blank or '(' after 'and'", 5},
    {"a and", "expected blank or '(' after 'and'", 5},
    {"a or", "expected blank or '(' after 'or'", 4},
    {"a orx", "expected blank or '(' after 'or'", 4},
    {"a and ", "expected a '(' token, a field check, or an identifier", 6},
    {"a and 1", "expected a '(' token, a field check, or an identifier", 6},
    {"(a", "expected a ')' token", 2},
    {"(a b)", "expected a ')' token", 3},
    {"1 = 1", "expected a '(' token, a field check, or an identifier", 0},
    {"proc.name", MSG_OP, 9},
    {"proc.name contains(x)", MSG_OP, 10},
    {"proc.name containsx", MSG_OP, 10},
    {"proc.nameexists", MSG_OP, 15},
    {"proc.name [2] = a", MSG_OP, 10},
    {"tolower(proc.name)", MSG_OP, 18},
    {"proc.name <", MSG_NUM, 11},
    {"proc.name < abc", MSG_NUM, 12},
    {"proc.name =", MSG_STR, 11},
    {"proc.name = (a)", MSG_STR, 12},
    {"proc.name = \"abc", MSG_STR, 12},
    {"proc.name = \"a\\\\\"", MSG_STR, 12},
    {"proc.name in /tmp", MSG_LIST, 13},
    {"fd.name pmatch /tmp", MSG_LIST, 15},
    {"proc.name in", MSG_LIST, 12},
    {"proc.name in (a,)", "expected a string value", 16},
    {"proc.name in (,)", "expected a string value", 14},
    {"proc.name in (a b)", "expected a ')' token", 16},
    {"proc.name in (a", "expected a ')' token", 15},
    {"proc.aname[] = a", "expected a valid field argument: a quoted string or a bare string", 11},
    {"proc.aname[a b] = a", "expected a ']' token", 12},
    {"proc.aname[2 = a", "expected a ']' token", 12},
    {"proc.name = val(bash)", "expected a field within 'val' transformer", 16},
    {"proc.name = val(proc.pname", "expected a ')' token closing the transformer", 26},
    {"proc.name = val(proc.pname x)", "expected a ')' token closing the transformer", 27},
    {"tolower(proc.name", "expected a ')' token closing the transformer", 17},
    {"tolower(proc.name x) = a", "expected a ')' token closing the transformer", 18},
    {"tolower() = a", "expected a transformer argument", 8},
    {"tolower(x) = a", "expected a transformer argument", 8},
    {"join(\",\", (a)) = a", "expected a transformer argument", 11},
    {"join(\",\", (proc.name x)) = a", "expected a ')' token", 21},
    {"tolower (proc.name) = a", "unexpected token after 'tolower', expecting 'or', 'and'", 8},
    {"val(proc.name) = x", "unexpected token after 'val', expecting 'or', 'and'", 3},
    {"proc.name = \"a\\qb\"", "unsupported string escape sequence: \\q", 14},
    {"proc.name = 'a\\\"b'", "invalid \\\" escape in '-quoted string", 14},
    {"proc.name = \"a\\'b\"", "invalid \\' escape in \"-quoted string", 14},
    {"proc.name = \"\\xZZ\"", "unsupported string escape sequence: \\x", 13},
    {"proc.name in (\"a\\z\")", "unsupported string escape sequence: \\z", 16},
    {"proc.name=oneof (a,b)", "unexpected token after 'oneof', expecting 'or', 'and'", 16},
    {"proc.name = oneof \"a\"", "unexpected token after 'oneof', expecting 'or', 'and'", 18},
    {"a or(b) and c", "unexpected token after ')', expecting 'or', 'and'", 8},
    {"(a or(b) and c)", "expected a ')' token", 9},
    {"proc.name = a\fb", "unexpected token after 'a', expecting 'or', 'and'", 13},
    {"a\f", "unexpected token after 'a', expecting 'or', 'and'", 1},
};

START_TEST(test_rejected)
{
    for (size_t i = 0; i < sizeof rejected / sizeof rejected[0]; i++) {
        char *msg = NULL;
        uint32_t off = 0;
        struct expr *e = parse(rejected[i].cond, &msg, &off);
        ck_assert_msg(e == NULL, "'%s' accepted", rejected[i].cond);
        ck_assert_msg(strncmp(msg, rejected[i].msg, strlen(rejected[i].msg)) == 0,
                      "'%s': message '%s', expected '%s'", rejected[i].cond, msg,
                      rejected[i].msg);
        ck_assert_msg(off == rejected[i].off, "'%s': offset %u, expected %u", rejected[i].cond,
                      off, rejected[i].off);
        free(msg);
    }
}
END_TEST

START_TEST(test_full_messages)
{
    char *msg;
    ck_assert_ptr_null(parse("", &msg, NULL));
    ck_assert_str_eq(msg, "filter input string is empty");
    free(msg);
    ck_assert_ptr_null(parse("proc.name", &msg, NULL));
    ck_assert_str_eq(msg, "expected a valid check operator: one of 'exists', '<=', '<', '>=', "
                          "'>', '==', '=', '!=', 'glob', 'iglob', 'contains', 'icontains', "
                          "'bcontains', 'startswith', 'bstartswith', 'endswith', 'regex', "
                          "'intersects', 'in', 'pmatch'");
    free(msg);
}
END_TEST

/* ---- depth limit and big inputs ---- */

static char *nested(size_t n, const char *inner)
{
    struct strbuf sb = {0};
    for (size_t i = 0; i < n; i++)
        sb_putc(&sb, '(');
    sb_puts(&sb, inner);
    for (size_t i = 0; i < n; i++)
        sb_putc(&sb, ')');
    return sb_take(&sb);
}

START_TEST(test_depth_limit)
{
    char *s = nested(200, "a");
    struct expr *e = parse(s, NULL, NULL);
    ck_assert_ptr_nonnull(e);
    expr_free(e);
    free(s);

    clock_t t0 = clock();
    char *msg;
    uint32_t off;
    s = nested(10000, "a");
    ck_assert_ptr_null(parse(s, &msg, &off));
    ck_assert_str_eq(msg, "exceeded max depth limit of 1000");
    ck_assert_uint_lt(off, 300);
    free(msg);
    free(s);
    s = nested(1000, "a");
    ck_assert_ptr_null(parse(s, &msg, NULL));
    ck_assert_str_eq(msg, "exceeded max depth limit of 1000");
    free(msg);
    free(s);

    /* Nested transformers and not( too. */
    struct strbuf sb = {0};
    for (int i = 0; i < 5000; i++)
        sb_puts(&sb, "tolower(");
    sb_puts(&sb, "proc.name");
    for (int i = 0; i < 5000; i++)
        sb_putc(&sb, ')');
    sb_puts(&sb, " = a");
    s = sb_take(&sb);
    ck_assert_ptr_null(parse(s, &msg, NULL));
    ck_assert_str_eq(msg, "exceeded max depth limit of 1000");
    free(msg);
    free(s);
    for (int i = 0; i < 5000; i++)
        sb_puts(&sb, "not(");
    sb_puts(&sb, "a");
    for (int i = 0; i < 5000; i++)
        sb_putc(&sb, ')');
    s = sb_take(&sb);
    ck_assert_ptr_null(parse(s, &msg, NULL));
    ck_assert_str_eq(msg, "exceeded max depth limit of 1000");
    free(msg);
    free(s);
    ck_assert_msg((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0, "depth errors are slow");
}
END_TEST

START_TEST(test_long_flat_inputs)
{
    /* Long runs need no recursion: not-chains, and-chains, lists. */
    struct strbuf sb = {0};
    for (int i = 0; i < 100001; i++)
        sb_puts(&sb, "not ");
    sb_puts(&sb, "a");
    char *s = sb_take(&sb);
    struct expr *e = parse(s, NULL, NULL);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->kind, EXPR_NOT);
    expr_free(e);
    free(s);

    for (int i = 0; i < 100000; i++)
        sb_printf(&sb, "%sproc.name = a%d", i ? " and " : "", i);
    s = sb_take(&sb);
    e = parse(s, NULL, NULL);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->u.nary.n, 100000);
    expr_free(e);
    free(s);

    sb_puts(&sb, "proc.name in (");
    for (int i = 0; i < 100000; i++)
        sb_printf(&sb, "%sv%d", i ? ", " : "", i);
    sb_puts(&sb, ")");
    s = sb_take(&sb);
    e = parse(s, NULL, NULL);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->u.check.rhs->u.list.n, 100000);
    expr_free(e);
    free(s);
}
END_TEST

/* ---- robustness ---- */

static uint64_t rng_state = 88172645463325252ull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)rng_state;
}

START_TEST(test_random_bytes)
{
    static const char *const frags[] = {
        "proc.name", " ", "=", "(", ")", "\"", "'", "\\", "and ", "or ", "not ", "in", "[",
        "]", ",", "tolower(", "val(", "join(", "oneof ", "a", "1", "0x", ".", "exists",
        "contains ", "\t", "\n", "<", "!", "e+", "\\x", "\xff", "\0", "-",
    };
    size_t nfrags = sizeof frags / sizeof frags[0];
    char buf[256];
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = 0, want = rnd() % 64;
        bool raw = rnd() % 4 == 0;
        while (len < want) {
            if (raw) {
                buf[len++] = (char)(rnd() & 0xff);
            } else {
                const char *f = frags[rnd() % nfrags];
                size_t fl = *f ? strlen(f) : 1;
                if (len + fl > sizeof buf)
                    break;
                memcpy(buf + len, f, fl);
                len += fl;
            }
        }
        char *msg = NULL;
        struct expr *e = parse_n(buf, len, &msg, NULL);
        if (e) {
            char *s = expr_to_string(e, false);
            free(s);
            struct expr *c = expr_clone(e);
            ck_assert(expr_equal(e, c));
            expr_free(c);
            expr_free(e);
        } else {
            /* Every error is one of the lexer's, never a grammar mismatch. */
            ck_assert_msg(strncmp(msg, "syntax error", 12) != 0, "grammar mismatch on input %d",
                          iter);
            free(msg);
        }
        struct mapped_text t;
        mt_set(&t, buf, len);
        for (size_t n = 0; n <= len; n += 1 + rnd() % 8) {
            struct operand *o = operand_parse_exact(&t, 0, n);
            operand_free(o);
        }
        mtext_free(&t);
    }
}
END_TEST

/* ---- operand_parse_exact ---- */

START_TEST(test_operand_exact)
{
    struct mapped_text t;
    const char *s = "xx proc.aname[2] toupper(basename(fd.name))[x] proc.name.";
    mt_set(&t, s, strlen(s));
    struct operand *o = operand_parse_exact(&t, 3, 13);
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(o->kind, OPND_FIELD);
    ck_assert_str_eq(o->u.field.arg, "2");
    ck_assert_uint_eq(o->span.start, 3);
    ck_assert_uint_eq(o->span.end, 16);
    operand_free(o);
    ck_assert_ptr_null(operand_parse_exact(&t, 3, 14));
    ck_assert_ptr_null(operand_parse_exact(&t, 0, 2));
    o = operand_parse_exact(&t, 17, 29);
    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(o->kind, OPND_TRANSFORM);
    char *str = operand_to_string(o);
    ck_assert_str_eq(str, "toupper(basename(fd.name))[x]");
    free(str);
    operand_free(o);
    ck_assert_ptr_null(operand_parse_exact(&t, 47, 10));
    o = operand_parse_exact(&t, 47, 9);
    ck_assert_ptr_nonnull(o);
    operand_free(o);
    mtext_free(&t);
}
END_TEST

/* ---- output formats ---- */

static bool accept_names(const struct operand *o, void *ctx)
{
    (void)ctx;
    static const char *const names[] = {"proc.name", "proc.pid", "fd.name", "user.name",
                                        "proc.aname", "evt.arg.flags"};
    if (o->kind == OPND_TRANSFORM) {
        for (size_t i = 0; i < o->u.transform.nargs; i++)
            if (!accept_names(o->u.transform.args[i], ctx))
                return false;
        return true;
    }
    if (o->kind != OPND_FIELD)
        return false;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(o->u.field.name, names[i]) == 0)
            return true;
    return false;
}

static bool out_parse(const char *s, struct output_format *f, char **msg, uint32_t *off)
{
    struct mapped_text t;
    struct diag_list dl = {0};
    mt_set(&t, s, strlen(s));
    bool ok = output_parse(&t, accept_names, NULL, f, &dl);
    if (!ok) {
        ck_assert_uint_eq(dl.n, 1);
        ck_assert_int_eq(dl.v[0].code, LOAD_ERR_COMPILE_OUTPUT);
        *msg = xstrdup(dl.v[0].message);
        if (off)
            *off = dl.v[0].primary.start;
        ck_assert_uint_eq(f->n, 0);
    } else {
        ck_assert_uint_eq(dl.n, 0);
    }
    diag_list_free(&dl);
    mtext_free(&t);
    return ok;
}

/* Renders parts as "[tok]" / "<lit>" for compact checks. */
static char *parts_str(const struct output_format *f)
{
    struct strbuf sb = {0};
    sb_append(&sb, "", 0);
    for (size_t i = 0; i < f->n; i++) {
        if (f->parts[i].is_token) {
            ck_assert_ptr_nonnull(f->parts[i].opnd);
            if (f->parts[i].width)
                sb_printf(&sb, "[%u:%s]", f->parts[i].width, f->parts[i].text);
            else
                sb_printf(&sb, "[%s]", f->parts[i].text);
        } else {
            sb_printf(&sb, "<%s>", f->parts[i].text);
        }
    }
    return sb_take(&sb);
}

START_TEST(test_output_ok)
{
    static const struct {
        const char *in, *parts;
    } cases[] = {
        {"%proc.name:%proc.pid", "[proc.name]<:>[proc.pid]"},
        {"%fd.name)", "[fd.name]<)>"},
        {"%proc.name.", "[proc.name]<.>"},
        {"%12proc.name", "[12:proc.name]"},
        {"%toupper(user.name)", "[toupper(user.name)]"},
        {"%toupper( user.name ) x", "[toupper( user.name )]< x>"},
        {"user=%user.name cmd=%proc.aname[2] flags=%evt.arg.flags",
         "<user=>[user.name]< cmd=>[proc.aname[2]]< flags=>[evt.arg.flags]"},
        {"%proc.namex", "[proc.name]<x>"},
        {"(%proc.name)", "<(>[proc.name]<)>"},
        {"no tokens", "<no tokens>"},
        {"%proc.aname[2]]", "[proc.aname[2]]<]>"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct output_format f;
        char *msg = NULL;
        bool ok = out_parse(cases[i].in, &f, &msg, NULL);
        ck_assert_msg(ok, "'%s' rejected: %s", cases[i].in, msg ? msg : "");
        char *p = parts_str(&f);
        ck_assert_msg(strcmp(p, cases[i].parts) == 0, "'%s' -> %s, expected %s", cases[i].in, p,
                      cases[i].parts);
        free(p);
        output_format_free(&f);
    }
    struct output_format f;
    char *msg;
    ck_assert(out_parse("a %12proc.name", &f, &msg, NULL));
    ck_assert_uint_eq(f.parts[1].span.start, 2);
    ck_assert_uint_eq(f.parts[1].span.end, 14);
    ck_assert_uint_eq(f.parts[1].opnd->span.start, 5);
    output_format_free(&f);
}
END_TEST

START_TEST(test_output_errors)
{
    static const struct {
        const char *in, *msg;
        uint32_t off;
    } cases[] = {
        {"100% ok", "unknown filter: <empty>", 3},
        {"%%", "unknown filter: %", 0},
        {"a %", "invalid formatting syntax: formatting cannot end with a %", 2},
        {"%(proc.name)", "unknown filter: (proc.name)", 0},
        {"x %proc.nope y", "unknown filter: proc.nope", 2},
        {"%bad", "unknown filter: bad", 0},
        {"%12", "unknown filter: <empty>", 0},
        {"", "empty formatting token", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct output_format f;
        char *msg = NULL;
        uint32_t off = 0;
        ck_assert_msg(!out_parse(cases[i].in, &f, &msg, &off), "'%s' accepted", cases[i].in);
        ck_assert_msg(strcmp(msg, cases[i].msg) == 0, "'%s': '%s'", cases[i].in, msg);
        ck_assert_uint_eq(off, cases[i].off);
        free(msg);
    }
}
END_TEST

START_TEST(test_output_large)
{
    clock_t t0 = clock();
    struct strbuf sb = {0};
    for (int i = 0; i < 50000; i++)
        sb_puts(&sb, "%proc.name ");
    char *s = sb_take(&sb);
    struct output_format f;
    char *msg = NULL;
    ck_assert(out_parse(s, &f, &msg, NULL));
    ck_assert_uint_eq(f.n, 100000);
    output_format_free(&f);
    free(s);

    /* One huge field-like token: bounded candidates, then an error. */
    size_t n = 10u << 20;
    s = xmalloc(n + 2);
    s[0] = '%';
    memset(s + 1, 'a', n);
    s[n + 1] = '\0';
    ck_assert(!out_parse(s, &f, &msg, NULL));
    free(msg);
    for (size_t i = 1; i <= n; i++)
        s[i] = i % 2 ? 'a' : '.';
    ck_assert(!out_parse(s, &f, &msg, NULL));
    free(msg);
    free(s);
    ck_assert_msg((double)(clock() - t0) / CLOCKS_PER_SEC < 10.0, "output parsing is slow");
}
END_TEST

static Suite *parse_suite(void)
{
    Suite *s = suite_create("parse");
    TCase *tc = tcase_create("condition");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_accepted);
    tcase_add_test(tc, test_whitespace_permutations);
    tcase_add_test(tc, test_canonical_roundtrip);
    tcase_add_test(tc, test_tree_shapes);
    tcase_add_test(tc, test_macro_expansion_string);
    tcase_add_test(tc, test_rejected);
    tcase_add_test(tc, test_full_messages);
    tcase_add_test(tc, test_depth_limit);
    tcase_add_test(tc, test_long_flat_inputs);
    tcase_add_test(tc, test_random_bytes);
    tcase_add_test(tc, test_operand_exact);
    suite_add_tcase(s, tc);
    TCase *to = tcase_create("output");
    tcase_set_timeout(to, 120);
    tcase_add_test(to, test_output_ok);
    tcase_add_test(to, test_output_errors);
    tcase_add_test(to, test_output_large);
    suite_add_tcase(s, to);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(parse_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0;
}
