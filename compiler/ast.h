/* ast.h: condition and output trees.
 *
 * A condition is a tree of `struct expr` (boolean structure: n-ary and/or,
 * not, checks, macro references); the operands of a check are
 * `struct operand` (fields, transformers, literal values, list literals).
 * The parser builds them untyped; resolve_macros.c fills macro bodies;
 * check_types.c resolves fields against a source schema, types every
 * operand and converts literal values into `struct value`s. Every node
 * carries the file span it came from (see source.h). */
#ifndef STOOP_AST_H
#define STOOP_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "source.h"
#include "types.h"

struct field_info;
struct macro_def;

enum operand_kind {
    OPND_FIELD,     /* proc.name, proc.aname[2], evt.arg.flags, json.value[/a/b] */
    OPND_TRANSFORM, /* tolower(x), val(x), join(",", x), getopt(a, "o:")[o] */
    OPND_VALUE,     /* a literal: bare word, quoted string, number */
    OPND_LIST,      /* ( v1, v2, ... ) */
};

/* How a literal was written; the checker converts it per field type. */
enum value_token {
    VT_BARE,   /* BareStr: /usr/bin, O_TRUNC, 192.168.0.0/16 */
    VT_QUOTED, /* "..." or '...', escapes already processed */
    VT_NUMBER, /* Number token: 12, -1, 1.5, 1e+3 */
    VT_HEX,    /* HexNumber token: 0x1F */
    VT_IDENT,  /* Identifier-shaped word used as a value: `proc.name in bash` */
};

/* A typed constant produced by the checker from a literal. */
struct value {
    enum field_type type;
    union {
        uint64_t u; /* unsigned integers, times, ports */
        int64_t i;  /* signed integers */
        double d;
        bool b;
        struct {
            uint8_t family; /* 4 or 6 */
            uint8_t prefix; /* bits, networks only (addresses: 32/128) */
            uint8_t addr[16];
        } ip;
    } as;
    char *str; /* strings, byte strings (decoded hex), regex/glob patterns */
    size_t len;
    void *compiled; /* compiled regex (pcre2_code *) for OP_REGEX, else NULL */
};

struct operand {
    enum operand_kind kind;
    struct span span;

    /* Filled by check_types.c for FIELD and TRANSFORM: the value type and
     * whether it is a list (EPF_IS_LIST). */
    enum field_type type;
    bool is_list;
    bool typed;

    union {
        struct {
            char *name;      /* "proc.aname", or "evt.arg.flags" for dotted args */
            char *arg;       /* text inside [...], unquoted; NULL if none */
            bool arg_quoted; /* the argument was written as a quoted string */
            struct span arg_span;
            /* Set by the checker. */
            const struct field_info *info;
            char *dotted_arg; /* "flags" for evt.arg.flags, NULL otherwise */
            bool has_index;   /* arg parsed as an unsigned index */
            uint64_t index;
        } field;
        struct {
            enum transformer tr;
            struct span name_span;
            struct operand **args;
            size_t nargs;
            char *suffix_arg; /* getopt(...)[c] or the rejected val(x)[a]; NULL if none */
            struct span suffix_span;
        } transform;
        struct {
            char *str; /* escapes processed; may contain any byte but NUL */
            size_t len;
            enum value_token token;
        } value;
        struct {
            /* OPND_VALUE items in conditions; a list among transformer
             * arguments (join(",", (a, b))) may also hold fields and
             * transformers. */
            struct operand **items;
            size_t n;
        } list;
    } u;
};

enum expr_kind {
    EXPR_AND,       /* n-ary, n >= 2 */
    EXPR_OR,        /* n-ary, n >= 2 */
    EXPR_NOT,
    EXPR_CHECK,     /* lhs op [modifier] rhs, or lhs exists */
    EXPR_MACRO_REF, /* identifier in check position */
};

struct expr {
    enum expr_kind kind;
    struct span span;
    union {
        struct {
            struct expr **v;
            size_t n;
        } nary;
        struct expr *child; /* EXPR_NOT */
        struct {
            struct operand *lhs;
            enum cmp_op op;
            struct span op_span;
            enum cmp_modifier mod;
            struct operand *rhs; /* NULL for exists */
            /* Filled by the checker when rhs is a constant (value or list). */
            struct value *values;
            size_t nvalues;
        } check;
        struct {
            char *name;
            /* Filled by resolve_macros.c: the macro and a private clone of
             * its resolved body (so every use is typed for its own rule). */
            struct macro_def *macro;
            struct expr *body;
        } macro;
    } u;
};

/* Constructors take the span first; they never fail (allocation aborts).
 * They take ownership of child nodes and copy strings and pointer arrays
 * (the caller keeps its array). */
struct expr *expr_nary(enum expr_kind kind, struct span span, struct expr **v, size_t n);
struct expr *expr_not(struct span span, struct expr *child);
struct expr *expr_check(struct span span, struct operand *lhs, enum cmp_op op, struct span op_span,
                        enum cmp_modifier mod, struct operand *rhs);
struct expr *expr_macro_ref(struct span span, const char *name);
struct operand *operand_field(struct span span, const char *name, const char *arg, bool arg_quoted,
                              struct span arg_span);
struct operand *operand_transform(struct span span, enum transformer tr, struct span name_span,
                                  struct operand **args, size_t nargs);
struct operand *operand_value(struct span span, const char *str, size_t len, enum value_token tok);
struct operand *operand_list(struct span span, struct operand **items, size_t n);

void expr_free(struct expr *e);
/* Frees what a value owns (string, compiled regex) and zeroes it. */
void value_clear(struct value *v);
void values_free(struct value *v, size_t n);
void operand_free(struct operand *o);
struct expr *expr_clone(const struct expr *e);
struct operand *operand_clone(const struct operand *o);

/* Falco's canonical string (ast::as_string): `(a and b)`, `not X`,
 * `field op value`, lists as `(v1, v2)`, values quoted only when they
 * contain blanks, `=`, quotes, backslashes or control characters. Macro
 * references print their resolved body when `expand_macros` is true,
 * otherwise their name. Caller frees. */
char *expr_to_string(const struct expr *e, bool expand_macros);
char *operand_to_string(const struct operand *o);

/* The identity of a field or transformer operand's value, shared by every
 * engine: operands with equal keys have the same value for one event (one
 * extraction, one slot). val(x) has x's key. NULL when the operand cannot
 * be evaluated (an unknown field, an untyped or argument-less transformer,
 * a value or list). Caller frees. */
char *operand_value_key(const struct operand *o);

/* Structural equality, ignoring spans and checker annotations. */
bool expr_equal(const struct expr *a, const struct expr *b);

/* An output format string (falco-language.md 3.1): literal text and
 * %-tokens, in order. */
struct format_part {
    bool is_token;
    char *text;             /* literal text, or the token text as written ("proc.aname[2]") */
    struct operand *opnd;   /* token: OPND_FIELD or OPND_TRANSFORM */
    unsigned width;         /* %12proc.name; 0 = none */
    struct span span;       /* the whole %token, or the literal run */
};

struct output_format {
    struct format_part *parts;
    size_t n;
};

void output_format_free(struct output_format *f);

#endif
