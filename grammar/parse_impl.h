/* parse_impl.h: private interface between the condition lexer
 * (condition.l), the parser (condition.y) and the glue in parse.c.
 *
 * The lexer is a state machine that mirrors Falco's recursive-descent
 * parser: it knows at every point what the grammar expects, so it detects
 * every syntax error itself and records Falco's message here; the bison
 * grammar then only builds the tree. Offsets are absolute byte offsets into
 * the mapped_text being parsed. */
#ifndef STOOP_PARSE_IMPL_H
#define STOOP_PARSE_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"
#include "source.h"
#include "util.h"

/* Semantic value of a string-like token (escapes already processed). */
struct lexstr {
    char *s;
    size_t len;
};

struct exprvec {
    struct expr **v;
    size_t n, cap;
};

struct opndvec {
    struct operand **v;
    size_t n, cap;
};

/* Location type of the parser: [start, end) byte offsets into the text. */
struct cond_loc {
    size_t start, end;
};

/* Kinds of open parentheses the lexer tracks. */
enum lex_frame_kind {
    LF_GROUP,    /* ( OrExpr ) in check position */
    LF_GROUP_OR, /* or( OrExpr ): no 'and' may follow its ')' */
    LF_LIST,     /* list literal on the right-hand side */
    LF_TR,       /* transformer arguments */
    LF_TLIST,    /* list inside transformer arguments */
    LF_VAL,      /* val( Field ) */
};

struct lex_frame {
    enum lex_frame_kind kind;
    int after; /* start condition to enter after the closing ')' */
    unsigned cost;
};

struct cond_lexer {
    const struct mapped_text *text;
    size_t begin, end; /* the bytes being parsed: text->text[begin, end) */
    size_t pos;        /* offset of the next byte the lexer matches */
    size_t fed;        /* offset of the next byte handed to flex */
    bool operand_mode; /* operand_parse_exact: one Field / Transformer */
    bool started;
    int after_field;  /* start condition after a field (and its [arg]) */
    int after_suffix; /* start condition after a transformer's ')' [arg] */
    VEC(struct lex_frame) frames;
    unsigned depth;
    size_t last_start, last_end; /* last non-blank token, for messages */
    /* The first error, if any (Falco's message). */
    char *err;
    size_t err_start, err_end;
    /* Result. */
    struct expr *expr;
    struct operand *opnd;
};

/* Records an error unless one is already recorded. */
void lexer_error(struct cond_lexer *lx, size_t start, size_t end, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Processes the escapes of a quoted string's raw content (without quotes).
 * On error records it (at the offending escape; `at` is the offset of the
 * content's first byte) and returns false. */
bool lexer_unescape(struct cond_lexer *lx, const char *raw, size_t n, char quote, size_t at,
                    struct lexstr *out);

/* Error texts shared by the lexer (Falco's wording, falco-language.md 2.3). */
extern const char *const parse_msg_check_op;   /* expected a valid check operator: ... */
extern const char *const parse_msg_num_value;  /* expected a number value or ... */
extern const char *const parse_msg_str_value;  /* expected a string value or ... */
extern const char *const parse_msg_list_value; /* expected a list, an identifier, ... */
extern const char *const parse_msg_tr_arg;     /* bad transformer argument */

#endif
