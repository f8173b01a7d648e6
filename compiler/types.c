/* types.c: tables generated from fieldtypes.def and operators.def. */
#include "types.h"

#include <string.h>
#include <strings.h>

#include "util.h"

static const struct {
    const char *name;
    enum type_class cls;
} type_table[FT_COUNT] = {
#define FIELD_TYPE(e, name, cls) [e] = {name, cls},
#include "fieldtypes.def"
#undef FIELD_TYPE
};

const char *field_type_name(enum field_type t)
{
    return (unsigned)t < FT_COUNT ? type_table[t].name : "?";
}

enum type_class field_type_class(enum field_type t)
{
    return (unsigned)t < FT_COUNT ? type_table[t].cls : TC_OTHER;
}

bool field_type_by_name(const char *name, enum field_type *out)
{
    for (int i = 0; i < FT_COUNT; i++) {
        if (strcmp(type_table[i].name, name) == 0) {
            *out = (enum field_type)i;
            return true;
        }
    }
    return false;
}

bool field_type_is_signed(enum field_type t)
{
    switch (t) {
    case FT_INT8: case FT_INT16: case FT_INT32: case FT_INT64:
    case FT_ERRNO: case FT_FD: case FT_PID:
        return true;
    default:
        return false;
    }
}

unsigned field_type_bits(enum field_type t)
{
    switch (t) {
    case FT_INT8: case FT_UINT8: case FT_FLAGS8: case FT_ENUMFLAGS8: case FT_L4PROTO:
        return 8;
    case FT_INT16: case FT_UINT16: case FT_FLAGS16: case FT_ENUMFLAGS16: case FT_PORT:
    case FT_SYSCALLID:
        return 16;
    case FT_INT32: case FT_UINT32: case FT_FLAGS32: case FT_ENUMFLAGS32: case FT_MODE:
    case FT_SIGTYPE:
        return 32;
    case FT_INT64: case FT_UINT64: case FT_ERRNO: case FT_FD: case FT_PID: case FT_RELTIME:
    case FT_ABSTIME:
        return 64;
    default:
        return 0;
    }
}

static const struct {
    const char *spelling;
    enum operator_kind kind;
    unsigned classes;
} op_table[OP_COUNT] = {
#define OPERATOR(e, spelling, kind, classes) [e] = {spelling, kind, classes},
#include "operators.def"
#undef OPERATOR
};

static const unsigned op_flag_table[OP_COUNT] = {
#define OPERATOR_FLAGS(e, flags) [e] = (flags),
#include "operators.def"
#undef OPERATOR_FLAGS
};

const char *op_spelling(enum cmp_op op)
{
    return (unsigned)op < OP_COUNT ? op_table[op].spelling : "?";
}

enum operator_kind op_kind(enum cmp_op op)
{
    return op_table[op].kind;
}

unsigned op_classes(enum cmp_op op)
{
    return op_table[op].classes;
}

unsigned op_flags(enum cmp_op op)
{
    return op_flag_table[op];
}

bool op_by_spelling(const char *s, enum cmp_op *out)
{
    for (int i = 0; i < OP_COUNT; i++) {
        if (strcmp(op_table[i].spelling, s) == 0) {
            *out = (enum cmp_op)i;
            return true;
        }
    }
    return false;
}

const char *modifier_name(enum cmp_modifier m)
{
    static const char *const names[] = {"", "oneof", "anyof", "allof"};
    return (unsigned)m < 4 ? names[m] : "?";
}

static const struct {
    const char *name;
    unsigned min_args;
} tr_table[TR_COUNT] = {
#define X(e, name, minargs) [e] = {name, minargs},
    TRANSFORMERS(X)
#undef X
};

const char *transformer_name(enum transformer t)
{
    return (unsigned)t < TR_COUNT ? tr_table[t].name : "?";
}

unsigned transformer_min_args(enum transformer t)
{
    return tr_table[t].min_args;
}

bool transformer_by_name(const char *name, size_t len, enum transformer *out)
{
    for (int i = 0; i < TR_COUNT; i++) {
        if (strlen(tr_table[i].name) == len && memcmp(tr_table[i].name, name, len) == 0) {
            *out = (enum transformer)i;
            return true;
        }
    }
    return false;
}

static const struct {
    const char *lower, *display;
} prio_table[PRIO_COUNT] = {
#define X(e, lower, display) [e] = {lower, display},
    PRIORITIES(X)
#undef X
};

const char *priority_name(enum priority p)
{
    return (unsigned)p < PRIO_COUNT ? prio_table[p].display : "?";
}

bool priority_parse(const char *s, enum priority *out)
{
    if (strcasecmp(s, "info") == 0) {
        *out = PRIO_INFORMATIONAL;
        return true;
    }
    for (int i = 0; i < PRIO_COUNT; i++) {
        if (strcasecmp(prio_table[i].lower, s) == 0) {
            *out = (enum priority)i;
            return true;
        }
    }
    return false;
}
