/* types.h: field types, operators, transformers and modifiers, generated
 * from fieldtypes.def and operators.def. */
#ifndef STOOP_TYPES_H
#define STOOP_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum type_class { TC_STRING, TC_NUMERIC, TC_BOOL, TC_IP, TC_NET, TC_BYTES, TC_OTHER };

#define TCM_STRING (1u << TC_STRING)
#define TCM_NUMERIC (1u << TC_NUMERIC)
#define TCM_BOOL (1u << TC_BOOL)
#define TCM_IP (1u << TC_IP)
#define TCM_NET (1u << TC_NET)
#define TCM_BYTES (1u << TC_BYTES)
#define TCM_OTHER (1u << TC_OTHER)
#define TCM_ALL 0x7Fu

enum field_type {
#define FIELD_TYPE(e, name, cls) e,
#include "fieldtypes.def"
#undef FIELD_TYPE
    FT_COUNT
};

const char *field_type_name(enum field_type t);
enum type_class field_type_class(enum field_type t);
/* Parses a libsinsp type name ("CHARBUF"); returns false if unknown. */
bool field_type_by_name(const char *name, enum field_type *out);
/* Signed integer types (INT*, ERRNO, FD, PID). */
bool field_type_is_signed(enum field_type t);
/* Width in bits of integer types (8..64), 0 for others. */
unsigned field_type_bits(enum field_type t);

enum operator_kind { OK_UNARY, OK_SCALAR, OK_LIST, OK_ORDER };

#define OF_MODIFIABLE 1u
#define OF_LIST_LHS 2u
#define OF_NO_RHS_FIELD 4u

enum cmp_op {
#define OPERATOR(e, spelling, kind, classes) e,
#include "operators.def"
#undef OPERATOR
    OP_COUNT
};

const char *op_spelling(enum cmp_op op);
enum operator_kind op_kind(enum cmp_op op);
unsigned op_classes(enum cmp_op op); /* TCM_* mask for scalar left-hand sides */
unsigned op_flags(enum cmp_op op);   /* OF_* */
/* Exact spelling lookup ("startswith"); returns false if unknown. */
bool op_by_spelling(const char *s, enum cmp_op *out);

/* oneof/anyof/allof (libs 0.25 / Falco 0.44). */
enum cmp_modifier { MOD_NONE, MOD_ONEOF, MOD_ANYOF, MOD_ALLOF };
const char *modifier_name(enum cmp_modifier m);

/* Field transformers (falco-language.md 2.8). */
#define TRANSFORMERS(X)                                                       \
    X(TR_TOLOWER, "tolower", 1)                                               \
    X(TR_TOUPPER, "toupper", 1)                                               \
    X(TR_B64, "b64", 1)                                                       \
    X(TR_BASENAME, "basename", 1)                                             \
    X(TR_LEN, "len", 1)                                                       \
    X(TR_VAL, "val", 1)                                                       \
    X(TR_JOIN, "join", 2)                                                     \
    X(TR_CONCAT, "concat", 2)                                                 \
    X(TR_GETOPT, "getopt", 2)

enum transformer {
#define X(e, name, minargs) e,
    TRANSFORMERS(X)
#undef X
    TR_COUNT
};
const char *transformer_name(enum transformer t);
/* Minimum number of arguments; single-argument transformers take exactly 1. */
unsigned transformer_min_args(enum transformer t);
bool transformer_by_name(const char *name, size_t len, enum transformer *out);

/* Rule priorities, most severe first (Falco's numeric order). */
#define PRIORITIES(X)                                                         \
    X(PRIO_EMERGENCY, "emergency", "Emergency")                               \
    X(PRIO_ALERT, "alert", "Alert")                                           \
    X(PRIO_CRITICAL, "critical", "Critical")                                  \
    X(PRIO_ERROR, "error", "Error")                                           \
    X(PRIO_WARNING, "warning", "Warning")                                     \
    X(PRIO_NOTICE, "notice", "Notice")                                        \
    X(PRIO_INFORMATIONAL, "informational", "Informational")                   \
    X(PRIO_DEBUG, "debug", "Debug")

enum priority {
#define X(e, lower, display) e,
    PRIORITIES(X)
#undef X
    PRIO_COUNT
};
const char *priority_name(enum priority p); /* "Warning" */
/* Case-insensitive; accepts "info" for informational. */
bool priority_parse(const char *s, enum priority *out);

#endif
