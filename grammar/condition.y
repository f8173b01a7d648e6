/* condition.y: the grammar of Falco conditions (falco-language.md 2.3).
 *
 * Expr          ::= OrExpr
 * OrExpr        ::= AndExpr ( _ "or" ( Blank AndExpr | "(" _ OrExpr _ ")" ) )*
 * AndExpr       ::= NotExpr ( _ "and" ( Blank NotExpr | "(" _ OrExpr _ ")" ) )*
 * NotExpr       ::= _ ( "not" Space+ )* ( "not(" _ OrExpr _ ")" | Check )
 * Check         ::= _ ( "(" _ OrExpr _ ")"
 *                     | Field Condition
 *                     | Transformer Condition
 *                     | Identifier )                      (* macro reference *)
 * Condition     ::= _ "exists"
 *                 | _ NumOp _ ( TransformerOrVal | HexNumber | Number )
 *                 | _ StrOp ( Blank Modifier ListValue
 *                           | _ ( TransformerOrVal | QuotedStr | BareStr ) )
 *                 | _ ListOp _ ( ListLiteral | TransformerOrVal | Identifier )
 * NumOp         ::= "<=" | "<" | ">=" | ">"
 * StrOp         ::= "==" | "=" | "!=" | "glob" | "iglob" | "contains" | "icontains"
 *                 | "bcontains" | "startswith" | "bstartswith" | "endswith" | "regex"
 * Modifier      ::= ( "oneof" | "anyof" | "allof" ) Blank  (* only if "(" or an Identifier
 *                                                            other than and/or/not follows *)
 * ListOp        ::= "intersects" | "in" | "pmatch"
 * ListValue     ::= ListLiteral | Identifier
 * ListLiteral   ::= "(" _ [ StrValue ( _ "," _ StrValue )* ] _ ")"
 * StrValue      ::= QuotedStr | BareStr
 * Field         ::= FieldName [ "[" ( QuotedStr | FieldArgBareStr ) "]" ]
 * TransformerOrVal ::= "val(" _ Field _ ")" [ FieldArgSuffix ] | Transformer
 * Transformer   ::= TName "(" _ TArg ( _ "," _ TArg )* _ ")" [ "[" Arg "]" ]
 * TName         ::= "tolower" | "toupper" | "b64" | "basename" | "len"
 *                 | "join" | "concat" | "getopt"
 * TArg          ::= HexNumber | Number | QuotedStr | TList | Transformer | Field
 * TList         ::= "(" _ [ TListArg ( _ "," _ TListArg )* ] _ ")"
 * TListArg      ::= Field | Transformer | QuotedStr | HexNumber | Number
 *
 * `_` is optional blanks (space \t \b \r \n), Blank one or more of them,
 * Space one or more of [[:space:]]. Word operators need a blank after
 * them; and/or a blank or '('. Where a word is a keyword, which blanks are
 * required, and all syntax errors are the lexer's business (condition.l);
 * this grammar builds the tree. and/or runs become one n-ary node;
 * `not not X` is X.
 *
 * The same parser also parses exactly one Field or Transformer (output
 * format tokens, exception fields): the lexer's first token selects the
 * start. */

%require "3.8"
%define api.pure full
%define api.prefix {condyy_}
%define api.location.type {struct cond_loc}
%define parse.error custom
%locations
%expect 0

%parse-param {struct cond_lexer *lx} {void *scanner}
%lex-param {void *scanner}

%code requires {
#include "parse_impl.h"
}

%code provides {
int condyy_lex(CONDYY_STYPE *yylval, CONDYY_LTYPE *yylloc, void *scanner);
int condyy_parse(struct cond_lexer *lx, void *scanner);
}

%code {
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define YYLLOC_DEFAULT(cur, rhs, n)                                            \
    do {                                                                     \
        if (n) {                                                             \
            (cur).start = YYRHSLOC(rhs, 1).start;                            \
            (cur).end = YYRHSLOC(rhs, n).end;                                \
        } else {                                                             \
            (cur).start = (cur).end = YYRHSLOC(rhs, 0).end;                  \
        }                                                                    \
    } while (0)

#define SPAN(loc) mtext_span(lx->text, (loc).start, (loc).end)

static void condyy_error(CONDYY_LTYPE *loc, struct cond_lexer *lx, void *scanner, const char *msg);
static struct exprvec *ev_new(struct expr *e);
static struct opndvec *ov_new(struct operand *o);
static struct expr *ev_finish(enum expr_kind kind, struct span span, struct exprvec *v);
static struct operand *ov_list(struct span span, struct opndvec *v);
static struct operand *mk_field(struct cond_lexer *lx, struct cond_loc all, struct lexstr name,
                                struct lexstr *arg, bool quoted, struct cond_loc argloc);
static struct operand *mk_value(struct cond_lexer *lx, struct cond_loc loc, struct lexstr s,
                                enum value_token tok);
static struct operand *mk_transform(struct cond_lexer *lx, struct cond_loc all, struct cond_loc name,
                                    int tr, struct opndvec *args);
static void set_suffix(struct cond_lexer *lx, struct operand *o, struct lexstr *arg,
                       struct cond_loc loc);
}

%union {
    struct lexstr str;
    int ival;
    unsigned count;
    struct expr *expr;
    struct operand *opnd;
    struct exprvec *ev;
    struct opndvec *ov;
}

%token END 0 "end of input"
%token START_COND START_OPERAND
%token <str> IDENT "identifier" FIELDNAME "field name" QSTR "quoted string"
%token <str> BARESTR "bare string" ARGBARE "field argument" NUMBER "number"
%token <str> HEXNUM "hex number" IDENTVAL "identifier value"
%token <ival> NUMOP "numeric operator" STROP "string operator" LISTOP "list operator"
%token <ival> MODIFIER "modifier" TRNAME "transformer"
%token NOT "not" AND "and" OR "or" OR_LP "or(" LPAREN "(" RPAREN ")"
%token LBRACKET "[" RBRACKET "]" COMMA "," EXISTS "exists" VAL "val("
%token LEXERR "invalid token"

%type <expr> or_top and_top not_expr check
%type <ev> or_list and_list
%type <count> nots
%type <opnd> lhs numval strval listrhs modval list strv rhs_tr transformer targ tlist tlitem field
%type <opnd> out_operand
%type <ov> items targs tlitems
%type <str> suffix_q suffix_b

%destructor { free($$.s); } <str>
%destructor { expr_free($$); } <expr>
%destructor { operand_free($$); } <opnd>
%destructor { for (size_t i = 0; i < $$->n; i++) expr_free($$->v[i]); free($$->v); free($$); } <ev>
%destructor { for (size_t i = 0; i < $$->n; i++) operand_free($$->v[i]); free($$->v); free($$); } <ov>

%%

start
    : START_COND or_top                 { lx->expr = $2; }
    | START_OPERAND out_operand         { lx->opnd = $2; }
    ;

out_operand
    : field
    | transformer
    ;

or_top
    : or_list                           { $$ = ev_finish(EXPR_OR, SPAN(@$), $1); }
    ;

or_list
    : and_top                           { $$ = ev_new($1); }
    | or_list OR and_top                { $$ = $1; VEC_PUSH(*$$, $3); }
    | or_list OR_LP or_top RPAREN       { $$ = $1; VEC_PUSH(*$$, $3); }
    ;

and_top
    : and_list                          { $$ = ev_finish(EXPR_AND, SPAN(@$), $1); }
    ;

and_list
    : not_expr                          { $$ = ev_new($1); }
    | and_list AND not_expr             { $$ = $1; VEC_PUSH(*$$, $3); }
    ;

not_expr
    : check
    | nots check                        { $$ = $1 % 2 ? expr_not(SPAN(@$), $2) : $2; }
    ;

nots
    : NOT                               { $$ = 1; }
    | nots NOT                          { $$ = $1 + 1; }
    ;

check
    : LPAREN or_top RPAREN              { $$ = $2; }
    | IDENT                             { $$ = expr_macro_ref(SPAN(@$), $1.s); free($1.s); }
    | lhs EXISTS                        { $$ = expr_check(SPAN(@$), $1, OP_EXISTS, SPAN(@2), MOD_NONE, NULL); }
    | lhs NUMOP numval                  { $$ = expr_check(SPAN(@$), $1, $2, SPAN(@2), MOD_NONE, $3); }
    | lhs STROP strval                  { $$ = expr_check(SPAN(@$), $1, $2, SPAN(@2), MOD_NONE, $3); }
    | lhs STROP MODIFIER modval         { $$ = expr_check(SPAN(@$), $1, $2, SPAN(@2), $3, $4); }
    | lhs LISTOP listrhs                { $$ = expr_check(SPAN(@$), $1, $2, SPAN(@2), MOD_NONE, $3); }
    ;

lhs
    : field
    | transformer
    ;

numval
    : rhs_tr
    | HEXNUM                            { $$ = mk_value(lx, @$, $1, VT_HEX); }
    | NUMBER                            { $$ = mk_value(lx, @$, $1, VT_NUMBER); }
    ;

strval
    : rhs_tr
    | QSTR                              { $$ = mk_value(lx, @$, $1, VT_QUOTED); }
    | BARESTR                           { $$ = mk_value(lx, @$, $1, VT_BARE); }
    ;

listrhs
    : list
    | rhs_tr
    | IDENTVAL                          { $$ = mk_value(lx, @$, $1, VT_IDENT); }
    ;

modval
    : list
    | IDENTVAL                          { $$ = mk_value(lx, @$, $1, VT_IDENT); }
    ;

list
    : LPAREN RPAREN                     { $$ = operand_list(SPAN(@$), NULL, 0); }
    | LPAREN items RPAREN               { $$ = ov_list(SPAN(@$), $2); }
    ;

items
    : strv                              { $$ = ov_new($1); }
    | items COMMA strv                  { $$ = $1; VEC_PUSH(*$$, $3); }
    ;

strv
    : QSTR                              { $$ = mk_value(lx, @$, $1, VT_QUOTED); }
    | BARESTR                           { $$ = mk_value(lx, @$, $1, VT_BARE); }
    ;

rhs_tr
    : VAL field RPAREN                  { $$ = mk_transform(lx, @$, @1, TR_VAL, ov_new($2)); }
    | VAL field RPAREN suffix_q         { $$ = mk_transform(lx, @$, @1, TR_VAL, ov_new($2)); set_suffix(lx, $$, &$4, @4); }
    | VAL field RPAREN suffix_b         { $$ = mk_transform(lx, @$, @1, TR_VAL, ov_new($2)); set_suffix(lx, $$, &$4, @4); }
    | transformer
    ;

transformer
    : TRNAME targs RPAREN               { $$ = mk_transform(lx, @$, @1, $1, $2); }
    | TRNAME targs RPAREN suffix_q      { $$ = mk_transform(lx, @$, @1, $1, $2); set_suffix(lx, $$, &$4, @4); }
    | TRNAME targs RPAREN suffix_b      { $$ = mk_transform(lx, @$, @1, $1, $2); set_suffix(lx, $$, &$4, @4); }
    ;

suffix_q
    : LBRACKET QSTR RBRACKET            { $$ = $2; }
    ;

suffix_b
    : LBRACKET ARGBARE RBRACKET         { $$ = $2; }
    ;

targs
    : targ                              { $$ = ov_new($1); }
    | targs COMMA targ                  { $$ = $1; VEC_PUSH(*$$, $3); }
    ;

targ
    : HEXNUM                            { $$ = mk_value(lx, @$, $1, VT_HEX); }
    | NUMBER                            { $$ = mk_value(lx, @$, $1, VT_NUMBER); }
    | QSTR                              { $$ = mk_value(lx, @$, $1, VT_QUOTED); }
    | tlist
    | transformer
    | field
    ;

tlist
    : LPAREN RPAREN                     { $$ = operand_list(SPAN(@$), NULL, 0); }
    | LPAREN tlitems RPAREN             { $$ = ov_list(SPAN(@$), $2); }
    ;

tlitems
    : tlitem                            { $$ = ov_new($1); }
    | tlitems COMMA tlitem              { $$ = $1; VEC_PUSH(*$$, $3); }
    ;

tlitem
    : field
    | transformer
    | QSTR                              { $$ = mk_value(lx, @$, $1, VT_QUOTED); }
    | HEXNUM                            { $$ = mk_value(lx, @$, $1, VT_HEX); }
    | NUMBER                            { $$ = mk_value(lx, @$, $1, VT_NUMBER); }
    ;

field
    : FIELDNAME                         { $$ = mk_field(lx, @$, $1, NULL, false, @1); }
    | FIELDNAME LBRACKET QSTR RBRACKET  { $$ = mk_field(lx, @$, $1, &$3, true, @3); }
    | FIELDNAME LBRACKET ARGBARE RBRACKET { $$ = mk_field(lx, @$, $1, &$3, false, @3); }
    ;

%%

/* Every syntax error is found by the lexer, which records Falco's message
 * and returns LEXERR; a report without one is a lexer/grammar mismatch,
 * still reported (never silently accepted). */
static int yyreport_syntax_error(const yypcontext_t *ctx, struct cond_lexer *lx, void *scanner)
{
    (void)scanner;
    if (!lx->err) {
        const CONDYY_LTYPE *loc = yypcontext_location(ctx);
        yysymbol_kind_t tok = yypcontext_token(ctx);
        lexer_error(lx, loc->start, loc->end, "syntax error: unexpected %s",
                    tok == YYSYMBOL_YYEMPTY ? "token" : yysymbol_name(tok));
    }
    return 0;
}

static void condyy_error(CONDYY_LTYPE *loc, struct cond_lexer *lx, void *scanner, const char *msg)
{
    (void)scanner;
    lexer_error(lx, loc->start, loc->end, "%s", msg);
}

static struct exprvec *ev_new(struct expr *e)
{
    struct exprvec *v = xcalloc(1, sizeof *v);
    VEC_PUSH(*v, e);
    return v;
}

static struct opndvec *ov_new(struct operand *o)
{
    struct opndvec *v = xcalloc(1, sizeof *v);
    VEC_PUSH(*v, o);
    return v;
}

static struct expr *ev_finish(enum expr_kind kind, struct span span, struct exprvec *v)
{
    struct expr *e = v->n == 1 ? v->v[0] : expr_nary(kind, span, v->v, v->n);
    free(v->v);
    free(v);
    return e;
}

static struct operand *ov_list(struct span span, struct opndvec *v)
{
    struct operand *o = operand_list(span, v->v, v->n);
    free(v->v);
    free(v);
    return o;
}

static struct operand *mk_field(struct cond_lexer *lx, struct cond_loc all, struct lexstr name,
                                struct lexstr *arg, bool quoted, struct cond_loc argloc)
{
    struct operand *o = operand_field(SPAN(all), name.s, arg ? arg->s : NULL, quoted,
                                      arg ? SPAN(argloc) : span_none());
    free(name.s);
    if (arg)
        free(arg->s);
    return o;
}

static struct operand *mk_value(struct cond_lexer *lx, struct cond_loc loc, struct lexstr s,
                                enum value_token tok)
{
    struct operand *o = operand_value(SPAN(loc), s.s, s.len, tok);
    free(s.s);
    return o;
}

static struct operand *mk_transform(struct cond_lexer *lx, struct cond_loc all, struct cond_loc name,
                                    int tr, struct opndvec *args)
{
    struct cond_loc nl = {name.start, name.end - 1}; /* without the '(' */
    struct operand *o = operand_transform(SPAN(all), (enum transformer)tr, SPAN(nl), args->v, args->n);
    free(args->v);
    free(args);
    return o;
}

static void set_suffix(struct cond_lexer *lx, struct operand *o, struct lexstr *arg,
                       struct cond_loc loc)
{
    o->u.transform.suffix_arg = arg->s;
    o->u.transform.suffix_span = SPAN(loc);
}
