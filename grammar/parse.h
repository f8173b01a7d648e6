/* parse.h: the condition parser (flex + bison, grammar/condition.l and
 * grammar/condition.y) and the operand parser used for output formats.
 *
 * The grammar is falco-language.md 2.2-2.3; the EBNF is kept at the top of
 * condition.y. Input is a mapped_text (source.h), so every node gets the
 * file span its text came from. */
#ifndef STOOP_PARSE_H
#define STOOP_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"
#include "diag.h"
#include "source.h"

/* Falco's parser depth limit when called from the rule loader. */
#define PARSE_MAX_DEPTH 1000

/* Parses a whole condition. On a syntax error records one
 * LOAD_ERR_COMPILE_CONDITION diagnostic (Falco's message text, span at the
 * offending token) and returns NULL. Never crashes, never recurses deeper
 * than PARSE_MAX_DEPTH. */
struct expr *cond_parse(const struct mapped_text *text, struct diag_list *dl);

/* Parses text[start, start+len) as exactly one field or transformer
 * expression (the `Field` / `Transformer` rules), as an output %-token
 * body. Returns NULL (and records nothing) if that text is not exactly
 * one such expression. */
struct operand *operand_parse_exact(const struct mapped_text *text, size_t start, size_t len);

/* Decides whether a candidate %-token operand "compiles" for the rule's
 * source (field exists, argument and transformer rules hold). Must not
 * record diagnostics. */
typedef bool (*operand_accept_fn)(const struct operand *o, void *ctx);

/* Parses an output format (falco-language.md 3.1): literal text and
 * %[width]token parts, each token being the longest prefix after the % that
 * operand_parse_exact() parses and `accept` accepts (tried from the longest
 * candidate down, capped at 1024 bytes). On error records one
 * LOAD_ERR_COMPILE_OUTPUT diagnostic (`unknown filter: ...`, `invalid
 * formatting syntax: formatting cannot end with a %`, `empty formatting
 * token`) and returns false. */
bool output_parse(const struct mapped_text *text, operand_accept_fn accept, void *ctx,
                  struct output_format *out, struct diag_list *dl);

#endif
