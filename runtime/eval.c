/* eval.c: the reference interpreter (eval.h).
 *
 * ruleset_new lowers each candidate rule's typed tree (compiler/ast.h) into
 * a small node tree whose checks read "slots": one per distinct field
 * reference or transformer expression of the source's rules (conditions
 * and outputs). A slot is extracted lazily, at most once per event: it
 * remembers the generation (event counter) its value belongs to, so a new
 * event costs one increment and one arena reset, never a loop over slots.
 *
 * Semantics follow falco-language.md 2.4, 2.8, 5 and falco-fields.md 8.1:
 * a value that is not extracted (or an empty list) makes every comparison
 * false, `!=` and `in` included; and/or short-circuit left to right. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "eval.h"

#include <arpa/inet.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "dispatch.h"
#include "util.h"

/* ---- slots ---- */

enum slot_kind { SLOT_FIELD, SLOT_TRANSFORM };

/* A transformer argument: another slot, or a literal string. */
struct targ {
    int slot; /* -1: literal */
    struct fvalue lit;
    bool bad; /* a list literal or an untyped operand: never extracts */
};

struct slot {
    enum slot_kind kind;
    uint64_t gen;      /* rs->gen when v was computed */
    struct fvalues v;  /* n == 0: not extracted */
    struct fvalue one; /* storage for single-valued transformer results */
    /* SLOT_FIELD */
    struct field_ref ref;
    /* SLOT_TRANSFORM */
    const struct operand *op;
    struct targ *args;
    size_t nargs;
    enum field_type arg0_type;
    bool arg0_list;
};

/* ---- nodes ---- */

enum node_kind { N_AND, N_OR, N_NOT, N_CHECK, N_MACRO, N_FALSE };

/* pmatch: one right-hand path split into components. */
struct pm_comp {
    char *s; /* NUL-terminated copy */
    size_t len;
    bool glob;
};
struct pm_path {
    struct pm_comp *c;
    size_t n;
};

/* Open-addressing set of constant strings (indexes into values). */
struct strset {
    uint32_t *idx; /* value index + 1; 0 = empty */
    size_t cap;    /* power of two */
};

struct node {
    enum node_kind kind;
    const struct expr *e;
    struct node **kids;
    size_t n;
    /* N_CHECK */
    int lhs, rhs; /* slots; rhs -1: constants */
    enum cmp_op op;
    enum cmp_modifier mod;
    enum field_type type; /* the (transformed) left-hand type */
    bool lhs_list;
    bool any; /* ancestor field without argument: any value satisfies */
    const struct value *values;
    size_t nvalues;
    struct strset set;
    struct pm_path *paths;
    size_t npaths;
};

struct rule_entry {
    const struct rule_def *rule;
    uint32_t pidx; /* index in the program's rules */
    struct node *root;
    bool eligible; /* at least as severe as the minimum priority */
    bool enabled;
    /* Native fallback: the check nodes in preorder (native_abi.h). */
    const struct node **checks;
    size_t nchecks;
};

/* Operand address -> slot (open addressing, NULL = empty). */
struct opmap {
    const struct operand **keys;
    int *slots;
    size_t n, cap;
};

/* Native code bound to the ruleset (ruleset_set_native). */
struct native_state {
    struct native_ctx ctx;
    native_eval_fn eval;
    int *slots;            /* native slot -> ruleset slot, -1: none */
    size_t nslots;
    int *by_pidx;          /* program rule index -> candidate, -1: none */
    uint32_t *order;       /* enabled rules as program indexes, in order */
    uint32_t *matched;
    struct dispatch *dispatch; /* NULL: evaluate every rule in order */
    uint32_t *cand;            /* the rules dispatch selected */
};

struct ruleset {
    const struct program *p;
    char *source;
    const struct source_plugin *plugin;
    ruleset_extract_fn extract;
    void *extract_ctx;

    struct slot **slots;
    size_t nslots, capslots;
    struct strmap keys;    /* slot key -> slot index + 1 */
    struct opmap by_addr;  /* operand of a candidate rule -> slot */

    struct rule_entry *cands; /* candidates, in rule order */
    size_t ncands;
    size_t *order; /* enabled candidates, in evaluation order */
    size_t norder;

    pcre2_match_data *md;
    struct arena arena;
    uint64_t gen;
    uint64_t nextract;
    /* The event the memoised values belong to. */
    const struct event *cur;
    struct event cur_copy;
    bool have_cur;

    struct native_state *native; /* NULL: interpret */

    bool building; /* in ruleset_new */
    char *scratch; /* NUL-terminated copies for fnmatch */
    size_t scratch_cap;
};

static bool default_extract(void *ctx, const struct event *ev, const struct field_ref *f,
                            struct arena *a, struct fvalues *out)
{
    const struct source_plugin *sp = ctx;
    if (!sp)
        return false;
    return source_extract(sp, ev, f, a, out);
}

/* ---- small helpers ---- */

static bool is_string_class(enum field_type t)
{
    enum type_class c = field_type_class(t);
    return c == TC_STRING || c == TC_BYTES;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* A NUL-terminated copy of (s, n) in the ruleset's scratch buffer. */
static const char *scratch_cstr(struct ruleset *rs, const char *s, size_t n)
{
    if (n + 1 > rs->scratch_cap) {
        rs->scratch_cap = n + 1 > 2 * rs->scratch_cap ? n + 1 : 2 * rs->scratch_cap;
        rs->scratch = xrealloc(rs->scratch, rs->scratch_cap);
    }
    if (n)
        memcpy(rs->scratch, s, n);
    rs->scratch[n] = '\0';
    return rs->scratch;
}

/* ---- slot table ---- */

static int slot_add(struct ruleset *rs, struct slot *s)
{
    if (rs->nslots == rs->capslots) {
        rs->capslots = rs->capslots ? 2 * rs->capslots : 64;
        rs->slots = xrealloc(rs->slots, rs->capslots * sizeof *rs->slots);
    }
    rs->slots[rs->nslots] = s;
    return (int)rs->nslots++;
}

static int slot_for(struct ruleset *rs, const struct operand *o);

static int lookup_key(struct ruleset *rs, const char *key)
{
    void *v = strmap_get(&rs->keys, key);
    return v ? (int)((uintptr_t)v - 1) : -1;
}

/* Operands of the candidate rules (which live as long as the program) are
 * also found by address; operands met later (ruleset_field) only by key, so
 * a freed operand's address can never alias another one's slot. */
static uint64_t ptr_hash(const void *p)
{
    return ((uint64_t)(uintptr_t)p >> 3) * 0x9e3779b97f4a7c15ull;
}

static void remember_operand(struct ruleset *rs, const struct operand *o, int slot)
{
    if (!rs->building)
        return;
    struct opmap *m = &rs->by_addr;
    if (2 * (m->n + 1) > m->cap) { /* grow: load factor at most 1/2 */
        struct opmap old = *m;
        m->cap = old.cap ? 2 * old.cap : 64;
        m->keys = xcalloc(m->cap, sizeof *m->keys);
        m->slots = xcalloc(m->cap, sizeof *m->slots);
        m->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.keys[i])
                remember_operand(rs, old.keys[i], old.slots[i]);
        free(old.keys);
        free(old.slots);
    }
    size_t mask = m->cap - 1;
    for (size_t i = ptr_hash(o) & mask;; i = (i + 1) & mask) {
        if (m->keys[i] == o)
            return;
        if (!m->keys[i]) {
            m->keys[i] = o;
            m->slots[i] = slot;
            m->n++;
            return;
        }
    }
}

static int operand_slot_by_addr(const struct ruleset *rs, const struct operand *o)
{
    const struct opmap *m = &rs->by_addr;
    if (!m->cap)
        return -1;
    size_t mask = m->cap - 1;
    for (size_t i = ptr_hash(o) & mask;; i = (i + 1) & mask) {
        if (m->keys[i] == o)
            return m->slots[i];
        if (!m->keys[i])
            return -1;
    }
}

static int slot_for_transform(struct ruleset *rs, const struct operand *o)
{
    enum transformer tr = o->u.transform.tr;
    if (o->u.transform.nargs == 0)
        return -1;
    if (tr == TR_VAL) /* identity: the field's own slot */
        return slot_for(rs, o->u.transform.args[0]);
    char *key = operand_value_key(o);
    int idx = lookup_key(rs, key);
    if (idx >= 0) {
        free(key);
        return idx;
    }
    struct slot *s = xcalloc(1, sizeof *s);
    s->kind = SLOT_TRANSFORM;
    s->op = o;
    s->nargs = o->u.transform.nargs;
    s->args = xcalloc(s->nargs, sizeof *s->args);
    for (size_t i = 0; i < s->nargs; i++) {
        const struct operand *a = o->u.transform.args[i];
        s->args[i].slot = -1;
        if (a->kind == OPND_VALUE) {
            s->args[i].lit.str = a->u.value.str;
            s->args[i].lit.len = a->u.value.len;
        } else if (a->kind == OPND_FIELD || a->kind == OPND_TRANSFORM) {
            s->args[i].slot = slot_for(rs, a);
            if (s->args[i].slot < 0)
                s->args[i].bad = true;
        } else {
            s->args[i].bad = true;
        }
    }
    s->arg0_type = o->u.transform.args[0]->type;
    s->arg0_list = o->u.transform.args[0]->is_list;
    idx = slot_add(rs, s);
    strmap_put(&rs->keys, key, (void *)(uintptr_t)(idx + 1));
    free(key);
    return idx;
}

/* The slot of a field or transformer operand, made on first sight; -1 if
 * the operand cannot be evaluated (not typed). */
static int slot_for(struct ruleset *rs, const struct operand *o)
{
    int idx;
    if (o->kind == OPND_FIELD) {
        if (!o->u.field.info)
            return -1;
        char *key = operand_value_key(o);
        idx = lookup_key(rs, key);
        if (idx < 0) {
            struct slot *s = xcalloc(1, sizeof *s);
            s->kind = SLOT_FIELD;
            s->ref.info = o->u.field.info;
            s->ref.arg = o->u.field.arg;
            s->ref.has_index = o->u.field.has_index;
            s->ref.index = o->u.field.index;
            s->ref.dotted = o->u.field.dotted_arg;
            idx = slot_add(rs, s);
            strmap_put(&rs->keys, key, (void *)(uintptr_t)(idx + 1));
        }
        free(key);
    } else if (o->kind == OPND_TRANSFORM) {
        if (!o->typed)
            return -1;
        idx = slot_for_transform(rs, o);
    } else {
        return -1;
    }
    if (idx >= 0)
        remember_operand(rs, o, idx);
    return idx;
}

/* ---- per-event memo ---- */

static void begin_event(struct ruleset *rs, const struct event *ev)
{
    rs->gen++;
    arena_reset(&rs->arena);
    rs->cur = ev;
    rs->cur_copy = *ev;
    rs->have_cur = true;
}

static bool same_event(const struct ruleset *rs, const struct event *ev)
{
    return rs->have_cur && rs->cur == ev && rs->cur_copy.num == ev->num &&
           memcmp(&rs->cur_copy.root, &ev->root, sizeof ev->root) == 0 &&
           rs->cur_copy.offset == ev->offset && rs->cur_copy.input == ev->input;
}

static const struct fvalues *slot_get(struct ruleset *rs, int idx);

/* ---- transformers (falco-language.md 2.8) ---- */

static int b64_digit(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Standard base64 decoding with optional padding (at most two trailing
 * '='); unused trailing bits must be zero. False if the text is invalid. */
static bool b64_decode(struct arena *a, const char *in, size_t n, const char **out, size_t *outlen)
{
    if (n == 0) {
        *out = arena_strndup(a, "", 0);
        *outlen = 0;
        return true;
    }
    if (in[n - 1] == '=') {
        n--;
        if (n > 0 && in[n - 1] == '=')
            n--;
        if (n == 0)
            return false;
    }
    if (n % 4 == 1)
        return false;
    size_t max = n / 4 * 3 + (n % 4 == 3 ? 2 : n % 4 == 2 ? 1 : 0);
    char *buf = arena_alloc(a, max + 1);
    size_t o = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < n; i++) {
        int d = b64_digit((unsigned char)in[i]);
        if (d < 0)
            return false;
        acc = (acc << 6) | (uint32_t)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[o++] = (char)((acc >> bits) & 0xFF);
        }
    }
    if (acc & ((1u << bits) - 1)) /* leftover bits must be zero */
        return false;
    buf[o] = '\0';
    *out = buf;
    *outlen = o;
    return true;
}

static const struct fvalues *arg_values(struct ruleset *rs, struct targ *t, struct fvalues *tmp)
{
    if (t->bad)
        return NULL;
    if (t->slot < 0) {
        tmp->v = &t->lit;
        tmp->n = 1;
        return tmp;
    }
    const struct fvalues *v = slot_get(rs, t->slot);
    return v->n ? v : NULL;
}

static void set_one(struct slot *s, const char *str, size_t len)
{
    memset(&s->one, 0, sizeof s->one);
    s->one.str = str;
    s->one.len = len;
    s->v.v = &s->one;
    s->v.n = 1;
}

/* getopt(args, optstring)[c] (libs 0.25): POSIX-style short options. Without
 * a selector: the list of option names, each followed by its argument when
 * it takes one, "?" for an unknown option, "" for a missing argument. With
 * [c]: the argument of the last -c (or "c" if it takes none); not extracted
 * when -c is absent. Scanning stops at "--", at the first non-option word
 * and skips "--long" words. */
static void do_getopt(struct ruleset *rs, struct slot *s, const struct fvalues *argv,
                      const struct fvalue *optstr)
{
    bool valid[256] = {false}, wants_arg[256] = {false};
    const char *os = optstr->str;
    size_t oslen = optstr->len;
    size_t k = oslen && os[0] == ':' ? 1 : 0;
    for (; k < oslen; k++) {
        unsigned char c = (unsigned char)os[k];
        if (c == ':')
            continue;
        valid[c] = true;
        if (k + 1 < oslen && os[k + 1] == ':') {
            wants_arg[c] = true;
            k++;
        }
    }
    const char *sel = s->op->u.transform.suffix_arg;
    bool has_sel = sel != NULL;
    unsigned char selc = has_sel ? (unsigned char)sel[0] : 0;
    /* At most one result per option character, plus its argument. */
    size_t cap = 1;
    for (size_t ai = 0; ai < argv->n; ai++)
        cap += argv->v[ai].len + 1;
    struct fvalue *res = arena_alloc(&rs->arena, cap * sizeof *res);
    size_t nres = 0;
    bool selected = false;
    const char *sel_str = NULL;
    size_t sel_len = 0;
    static const char qmark[] = "?";
    for (size_t ai = 0; ai < argv->n; ai++) {
        const char *w = argv->v[ai].str;
        size_t wl = argv->v[ai].len;
        if (wl == 2 && w[0] == '-' && w[1] == '-')
            break;
        if (wl > 2 && w[0] == '-' && w[1] == '-')
            continue;
        if (wl < 2 || w[0] != '-')
            break;
        for (size_t i = 1; i < wl; i++) {
            unsigned char c = (unsigned char)w[i];
            if (c == ':' || !valid[c]) {
                if (!has_sel)
                    res[nres++] = (struct fvalue){.str = qmark, .len = 1};
                continue;
            }
            bool match = !has_sel || c == selc;
            if (!wants_arg[c]) {
                if (match) {
                    if (has_sel) {
                        selected = true;
                        sel_str = w + i;
                        sel_len = 1;
                    } else {
                        res[nres++] = (struct fvalue){.str = w + i, .len = 1};
                    }
                }
                continue;
            }
            const char *val = NULL;
            size_t vl = 0;
            bool have = false;
            if (i + 1 < wl) {
                val = w + i + 1;
                vl = wl - i - 1;
                have = true;
            } else if (ai + 1 < argv->n) {
                ai++;
                val = argv->v[ai].str;
                vl = argv->v[ai].len;
                have = true;
            }
            if (match) {
                if (has_sel) {
                    selected = true;
                    sel_str = have ? val : "";
                    sel_len = have ? vl : 0;
                } else if (!have) {
                    res[nres++] = (struct fvalue){.str = "", .len = 0};
                } else {
                    res[nres++] = (struct fvalue){.str = w + i, .len = 1};
                    res[nres++] = (struct fvalue){.str = val, .len = vl};
                }
            }
            break;
        }
    }
    if (has_sel) {
        if (selected)
            set_one(s, sel_str, sel_len);
        return;
    }
    s->v.v = res;
    s->v.n = nres;
}

static void compute_transform(struct ruleset *rs, struct slot *s)
{
    struct fvalues tmp0, tmp1;
    enum transformer tr = s->op->u.transform.tr;
    struct arena *a = &rs->arena;
    s->v.n = 0;
    s->v.v = NULL;
    switch (tr) {
    case TR_TOLOWER:
    case TR_TOUPPER:
    case TR_B64:
    case TR_BASENAME: {
        const struct fvalues *in = arg_values(rs, &s->args[0], &tmp0);
        if (!in)
            return;
        struct fvalue *out = arena_alloc(a, in->n * sizeof *out);
        for (size_t i = 0; i < in->n; i++) {
            const char *str = in->v[i].str;
            size_t len = in->v[i].len;
            memset(&out[i], 0, sizeof out[i]);
            if (tr == TR_B64) {
                if (!b64_decode(a, str ? str : "", len, &out[i].str, &out[i].len))
                    return; /* invalid: not extracted */
            } else if (tr == TR_BASENAME) {
                size_t start = len;
                while (start > 0 && str[start - 1] != '/')
                    start--;
                out[i].str = str ? str + start : "";
                out[i].len = len - start;
            } else {
                char *c = arena_alloc(a, len + 1);
                for (size_t k = 0; k < len; k++) {
                    unsigned char ch = (unsigned char)str[k];
                    if (tr == TR_TOLOWER)
                        c[k] = (char)ascii_lower(ch);
                    else
                        c[k] = (char)(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
                }
                c[len] = '\0';
                out[i].str = c;
                out[i].len = len;
            }
        }
        s->v.v = out;
        s->v.n = in->n;
        return;
    }
    case TR_LEN: {
        const struct fvalues *in = arg_values(rs, &s->args[0], &tmp0);
        if (!in)
            return;
        uint64_t n;
        if (s->arg0_list)
            n = in->n;
        else if (field_type_class(s->arg0_type) == TC_STRING)
            n = in->v[0].str ? strnlen(in->v[0].str, in->v[0].len) : 0;
        else
            n = in->v[0].len;
        set_one(s, NULL, 0);
        s->one.as.u = n;
        return;
    }
    case TR_VAL: {
        const struct fvalues *in = arg_values(rs, &s->args[0], &tmp0);
        if (in)
            s->v = *in;
        return;
    }
    case TR_JOIN: {
        if (s->nargs != 2)
            return;
        const struct fvalues *sep = arg_values(rs, &s->args[0], &tmp0);
        if (!sep)
            return;
        const char *sp = sep->v[0].str;
        size_t sl = sep->v[0].len;
        const struct fvalues *list = arg_values(rs, &s->args[1], &tmp1);
        if (!list)
            return;
        size_t total = 0;
        for (size_t i = 0; i < list->n; i++)
            total += list->v[i].len + (i ? sl : 0);
        char *buf = arena_alloc(a, total + 1);
        size_t o = 0;
        for (size_t i = 0; i < list->n; i++) {
            if (i && sl) {
                memcpy(buf + o, sp, sl);
                o += sl;
            }
            if (list->v[i].len) {
                memcpy(buf + o, list->v[i].str, list->v[i].len);
                o += list->v[i].len;
            }
        }
        buf[o] = '\0';
        set_one(s, buf, o);
        return;
    }
    case TR_CONCAT: {
        size_t total = 0;
        for (size_t i = 0; i < s->nargs; i++) {
            const struct fvalues *v = arg_values(rs, &s->args[i], &tmp0);
            if (!v)
                return; /* any missing argument: no value */
            total += v->v[0].len;
        }
        char *buf = arena_alloc(a, total + 1);
        size_t o = 0;
        for (size_t i = 0; i < s->nargs; i++) {
            const struct fvalues *v = arg_values(rs, &s->args[i], &tmp0);
            if (v->v[0].len) {
                memcpy(buf + o, v->v[0].str, v->v[0].len);
                o += v->v[0].len;
            }
        }
        buf[o] = '\0';
        set_one(s, buf, o);
        return;
    }
    case TR_GETOPT: {
        if (s->nargs != 2)
            return;
        const struct fvalues *opt = arg_values(rs, &s->args[1], &tmp1);
        if (!opt)
            return;
        struct fvalue optstr = opt->v[0];
        const struct fvalues *argv = arg_values(rs, &s->args[0], &tmp0);
        if (!argv)
            return;
        do_getopt(rs, s, argv, &optstr);
        return;
    }
    case TR_COUNT:
        return;
    }
}

static const struct fvalues *slot_get(struct ruleset *rs, int idx)
{
    struct slot *s = rs->slots[idx];
    if (s->gen == rs->gen)
        return &s->v;
    s->gen = rs->gen;
    s->v.n = 0;
    s->v.v = NULL;
    if (s->kind == SLOT_FIELD) {
        struct fvalues out = {0};
        rs->nextract++;
        if (rs->extract(rs->extract_ctx, rs->cur, &s->ref, &rs->arena, &out) && out.n)
            s->v = out;
    } else {
        compute_transform(rs, s);
    }
    return &s->v;
}

/* ---- comparisons ---- */

static uint64_t trunc_u(enum field_type t, uint64_t x)
{
    return trunc_unsigned(field_type_bits(t), x);
}

static int64_t trunc_i(enum field_type t, int64_t x)
{
    return trunc_signed(field_type_bits(t), x);
}

/* -1, 0, 1 for numeric values of type t. */
static int num_cmp(enum field_type t, const struct fvalue *x, const struct value *c)
{
    uint64_t cbits;
    memcpy(&cbits, &c->as, sizeof cbits); /* u, i or d: the same 64 bits */
    return num_compare(num_kind_of(t), field_type_bits(t), x->as.u, cbits);
}

/* The field address lies in the value's network (an address value is a
 * network of full length: equality). */
static bool ip_match(const struct fvalue *x, const struct value *c)
{
    return ip_in_net(x->as.ip.family, x->as.ip.addr, c->as.ip.family, c->as.ip.prefix,
                     c->as.ip.addr);
}

/* A full match of the value, UTF-8-sanitised first as libsinsp does
 * (falco-language.md 2.4): ill-formed bytes become U+FFFD. */
static bool regex_match(struct ruleset *rs, const pcre2_code *re, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t len = utf8_sequence_len((const unsigned char *)s + i, n - i);
        if (!len)
            break;
        i += len;
    }
    if (i == n)
        return pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, rs->md, NULL) >= 0;
    struct strbuf clean = {0};
    sb_utf8_repair(&clean, s, n);
    bool m = pcre2_match(re, (PCRE2_SPTR)clean.s, clean.len, 0, 0, rs->md, NULL) >= 0;
    sb_free(&clean);
    return m;
}

/* `x op c` for one left-hand value and one right-hand value. */
static bool cmp_one(struct ruleset *rs, enum cmp_op op, enum field_type t, const struct fvalue *x,
                    const struct value *c)
{
    switch (field_type_class(t)) {
    case TC_STRING:
    case TC_BYTES: {
        const char *s = x->str;
        size_t n = x->len;
        switch (op) {
        case OP_EQ:
        case OP_EQEQ:
        case OP_IN:
        case OP_INTERSECTS:
            return bytes_eq(s, n, c->str, c->len);
        case OP_NE:
            return !bytes_eq(s, n, c->str, c->len);
        case OP_LT:
        case OP_LE:
        case OP_GT:
        case OP_GE:
            return order_holds(op, bytes_cmp(s, n, c->str, c->len));
        case OP_CONTAINS:
        case OP_BCONTAINS:
            return bytes_contains(s, n, c->str, c->len);
        case OP_ICONTAINS:
            return bytes_icontains(s, n, c->str, c->len);
        case OP_STARTSWITH:
        case OP_BSTARTSWITH:
            return c->len <= n && (c->len == 0 || memcmp(s, c->str, c->len) == 0);
        case OP_ENDSWITH:
            return c->len <= n && (c->len == 0 || memcmp(s + n - c->len, c->str, c->len) == 0);
        case OP_GLOB:
        case OP_IGLOB:
            return c->str &&
                   fnmatch(c->str, scratch_cstr(rs, s, n), op == OP_IGLOB ? FNM_CASEFOLD : 0) == 0;
        case OP_REGEX:
            if (!c->compiled)
                return false;
            return regex_match(rs, (const pcre2_code *)c->compiled, s ? s : "", n);
        default:
            return false;
        }
    }
    case TC_NUMERIC:
        return cmp_result(op, num_cmp(t, x, c));
    case TC_BOOL:
        return eq_result(op, x->as.b == c->as.b);
    case TC_IP:
    case TC_NET: {
        bool m = ip_match(x, c);
        switch (op) {
        case OP_EQ:
        case OP_EQEQ:
        case OP_IN:
        case OP_INTERSECTS:
            return m;
        case OP_NE:
            return !m;
        default:
            return m; /* other operators reduce to equality (libsinsp) */
        }
    }
    case TC_OTHER:
        return false;
    }
    return false;
}

/* A right-hand field value as a constant of type t. */
static void fvalue_as_value(enum field_type t, const struct fvalue *f, struct value *v)
{
    memset(v, 0, sizeof *v);
    v->type = t;
    v->str = (char *)f->str;
    v->len = f->len;
    switch (field_type_class(t)) {
    case TC_NUMERIC:
        if (t == FT_DOUBLE)
            memcpy(&v->as.d, &f->as.u, sizeof v->as.d);
        else if (field_type_is_signed(t))
            v->as.i = trunc_i(t, f->as.i);
        else
            v->as.u = trunc_u(t, f->as.u);
        break;
    case TC_BOOL:
        v->as.b = f->as.b;
        break;
    case TC_IP:
    case TC_NET:
        v->as.ip.family = f->as.ip.family;
        v->as.ip.prefix = f->as.ip.family == 4 ? 32 : 128;
        memcpy(v->as.ip.addr, f->as.ip.addr, sizeof v->as.ip.addr);
        break;
    default:
        break;
    }
}

static bool strset_has(const struct strset *set, const struct value *vals, const char *s,
                       size_t n)
{
    size_t mask = set->cap - 1;
    for (size_t i = hash_bytes(s, n) & mask;; i = (i + 1) & mask) {
        uint32_t k = set->idx[i];
        if (!k)
            return false;
        const struct value *v = &vals[k - 1];
        if (bytes_eq(v->str, v->len, s, n))
            return true;
    }
}

/* x equals (or, for networks, lies in) one of the values. */
static bool in_values(struct ruleset *rs, const struct node *nd, const struct fvalue *x,
                      const struct value *vals, size_t nv)
{
    if (nd->set.cap && vals == nd->values)
        return strset_has(&nd->set, vals, x->str, x->len);
    for (size_t i = 0; i < nv; i++)
        if (cmp_one(rs, OP_EQ, nd->type, x, &vals[i]))
            return true;
    return false;
}

static bool comp_match(struct ruleset *rs, const struct pm_comp *rc, const char *s, size_t n)
{
    if (!rc->glob)
        return bytes_eq(rc->s, rc->len, s, n);
    return fnmatch(rc->s, scratch_cstr(rs, s, n), 0) == 0;
}

/* pmatch: some right-hand path's components are a prefix of the value's
 * (empty components dropped; components may be globs). */
static bool pmatch(struct ruleset *rs, const struct node *nd, const struct fvalue *x)
{
    const char *s = x->str;
    size_t n = x->len;
    /* Split the value once. */
    size_t ncomp = 0;
    for (size_t i = 0; i < n;) {
        while (i < n && s[i] == '/')
            i++;
        if (i < n)
            ncomp++;
        while (i < n && s[i] != '/')
            i++;
    }
    struct { const char *s; size_t n; } *comps = arena_alloc(&rs->arena, (ncomp + 1) * sizeof *comps);
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        while (i < n && s[i] == '/')
            i++;
        size_t start = i;
        while (i < n && s[i] != '/')
            i++;
        if (i > start) {
            comps[k].s = s + start;
            comps[k].n = i - start;
            k++;
        }
    }
    for (size_t p = 0; p < nd->npaths; p++) {
        const struct pm_path *path = &nd->paths[p];
        if (path->n > ncomp)
            continue;
        size_t c = 0;
        while (c < path->n && comp_match(rs, &path->c[c], comps[c].s, comps[c].n))
            c++;
        if (c == path->n)
            return true;
    }
    return false;
}

/* A scalar left-hand value against the right-hand side. */
static bool check_scalar(struct ruleset *rs, const struct node *nd, const struct fvalue *x,
                         const struct value *vals, size_t nv)
{
    switch (nd->op) {
    case OP_IN:
    case OP_INTERSECTS:
        return in_values(rs, nd, x, vals, nv);
    case OP_PMATCH:
        return pmatch(rs, nd, x);
    default:
        break;
    }
    enum cmp_op op = nd->op;
    if (nd->mod == MOD_NONE)
        return nv > 0 && cmp_one(rs, op, nd->type, x, &vals[0]);
    if (nv == 0)
        return false;
    size_t hits = 0;
    for (size_t i = 0; i < nv; i++) {
        if (cmp_one(rs, op, nd->type, x, &vals[i])) {
            hits++;
            if (nd->mod == MOD_ANYOF)
                return true;
            if (nd->mod == MOD_ONEOF && hits > 1)
                return false;
        } else if (nd->mod == MOD_ALLOF) {
            return false;
        }
    }
    return nd->mod == MOD_ONEOF ? hits == 1 : nd->mod == MOD_ALLOF;
}

static bool eval_check(struct ruleset *rs, const struct node *nd)
{
    const struct fvalues *l = slot_get(rs, nd->lhs);
    if (nd->op == OP_EXISTS)
        return l->n > 0;
    if (l->n == 0)
        return false;
    const struct value *vals = nd->values;
    size_t nv = nd->nvalues;
    struct value one;
    if (nd->rhs >= 0) {
        const struct fvalues *r = slot_get(rs, nd->rhs);
        if (r->n == 0)
            return false;
        if (r->n == 1) {
            fvalue_as_value(nd->type, &r->v[0], &one);
            vals = &one;
        } else {
            struct value *tmp = arena_alloc(&rs->arena, r->n * sizeof *tmp);
            for (size_t i = 0; i < r->n; i++)
                fvalue_as_value(nd->type, &r->v[i], &tmp[i]);
            vals = tmp;
        }
        nv = r->n;
        /* fnmatch needs NUL-terminated patterns; extracted text may not be. */
        if (nd->op == OP_GLOB || nd->op == OP_IGLOB) {
            struct value *w = (struct value *)vals;
            for (size_t i = 0; i < nv; i++)
                w[i].str = arena_strndup(&rs->arena, w[i].str ? w[i].str : "", w[i].len);
        }
    }
    if (nd->lhs_list) {
        if (nd->op == OP_IN) {
            for (size_t i = 0; i < l->n; i++)
                if (!in_values(rs, nd, &l->v[i], vals, nv))
                    return false;
            return true;
        }
        if (nd->op == OP_INTERSECTS) {
            for (size_t i = 0; i < l->n; i++)
                if (in_values(rs, nd, &l->v[i], vals, nv))
                    return true;
            return false;
        }
        return false; /* rejected by the checker */
    }
    if (nd->any) {
        for (size_t i = 0; i < l->n; i++)
            if (check_scalar(rs, nd, &l->v[i], vals, nv))
                return true;
        return false;
    }
    return check_scalar(rs, nd, &l->v[0], vals, nv);
}

static bool eval_node(struct ruleset *rs, const struct node *nd)
{
    switch (nd->kind) {
    case N_AND:
        for (size_t i = 0; i < nd->n; i++)
            if (!eval_node(rs, nd->kids[i]))
                return false;
        return true;
    case N_OR:
        for (size_t i = 0; i < nd->n; i++)
            if (eval_node(rs, nd->kids[i]))
                return true;
        return false;
    case N_NOT:
        return !eval_node(rs, nd->kids[0]);
    case N_MACRO:
        return eval_node(rs, nd->kids[0]);
    case N_CHECK:
        return eval_check(rs, nd);
    case N_FALSE:
        return false;
    }
    return false;
}

/* ---- lowering the typed tree ---- */

static void strset_build(struct strset *set, const struct value *vals, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    set->cap = cap;
    set->idx = xcalloc(cap, sizeof *set->idx);
    for (size_t k = 0; k < n; k++) {
        size_t mask = cap - 1;
        size_t i = hash_bytes(vals[k].str, vals[k].len) & mask;
        while (set->idx[i])
            i = (i + 1) & mask;
        set->idx[i] = (uint32_t)(k + 1);
    }
}

static void pm_paths_build(struct node *nd)
{
    nd->paths = xcalloc(nd->nvalues ? nd->nvalues : 1, sizeof *nd->paths);
    nd->npaths = nd->nvalues;
    for (size_t p = 0; p < nd->nvalues; p++) {
        const char *s = nd->values[p].str ? nd->values[p].str : "";
        size_t n = nd->values[p].len;
        struct pm_path *path = &nd->paths[p];
        path->c = xcalloc(n / 2 + 1, sizeof *path->c);
        for (size_t i = 0; i < n;) {
            while (i < n && s[i] == '/')
                i++;
            size_t start = i;
            while (i < n && s[i] != '/')
                i++;
            if (i > start) {
                struct pm_comp *c = &path->c[path->n++];
                c->s = xstrndup(s + start, i - start);
                c->len = i - start;
                c->glob = strpbrk(c->s, "?*[") != NULL;
            }
        }
    }
}

static struct node *node_new(enum node_kind kind, const struct expr *e)
{
    struct node *nd = xcalloc(1, sizeof *nd);
    nd->kind = kind;
    nd->e = e;
    nd->lhs = nd->rhs = -1;
    return nd;
}

static struct node *lower(struct ruleset *rs, const struct expr *e)
{
    struct node *nd;
    switch (e->kind) {
    case EXPR_AND:
    case EXPR_OR:
        nd = node_new(e->kind == EXPR_AND ? N_AND : N_OR, e);
        nd->n = e->u.nary.n;
        nd->kids = xcalloc(nd->n ? nd->n : 1, sizeof *nd->kids);
        for (size_t i = 0; i < nd->n; i++)
            nd->kids[i] = lower(rs, e->u.nary.v[i]);
        return nd;
    case EXPR_NOT:
        nd = node_new(N_NOT, e);
        nd->n = 1;
        nd->kids = xcalloc(1, sizeof *nd->kids);
        nd->kids[0] = lower(rs, e->u.child);
        return nd;
    case EXPR_MACRO_REF:
        if (!e->u.macro.body)
            return node_new(N_FALSE, e);
        nd = node_new(N_MACRO, e);
        nd->n = 1;
        nd->kids = xcalloc(1, sizeof *nd->kids);
        nd->kids[0] = lower(rs, e->u.macro.body);
        return nd;
    case EXPR_CHECK:
        break;
    }
    const struct operand *lhs = e->u.check.lhs;
    nd = node_new(N_CHECK, e);
    nd->op = e->u.check.op;
    nd->mod = e->u.check.mod;
    nd->lhs = slot_for(rs, lhs);
    if (nd->lhs < 0) {
        nd->kind = N_FALSE;
        return nd;
    }
    nd->type = lhs->type;
    nd->lhs_list = lhs->is_list;
    nd->any = lhs->kind == OPND_FIELD && lhs->u.field.info &&
              (lhs->u.field.info->flags & FF_ANCESTOR) && !lhs->u.field.arg;
    const struct operand *rhs = e->u.check.rhs;
    if (rhs && (rhs->kind == OPND_FIELD || rhs->kind == OPND_TRANSFORM)) {
        nd->rhs = slot_for(rs, rhs);
        if (nd->rhs < 0)
            nd->kind = N_FALSE;
        return nd;
    }
    nd->values = e->u.check.values;
    nd->nvalues = e->u.check.nvalues;
    /* Networks, sockets and the like compare by equality only (libsinsp). */
    enum type_class cls = field_type_class(nd->type);
    if (nd->mod != MOD_NONE && (cls == TC_NET) && nd->op != OP_EQ && nd->op != OP_EQEQ &&
        nd->op != OP_NE && nd->op != OP_REGEX)
        nd->op = OP_EQ;
    if ((nd->op == OP_IN || nd->op == OP_INTERSECTS) && is_string_class(nd->type) &&
        nd->nvalues >= 8)
        strset_build(&nd->set, nd->values, nd->nvalues);
    if (nd->op == OP_PMATCH)
        pm_paths_build(nd);
    return nd;
}

static void node_free(struct node *nd)
{
    if (!nd)
        return;
    for (size_t i = 0; i < nd->n; i++)
        node_free(nd->kids[i]);
    free(nd->kids);
    free(nd->set.idx);
    for (size_t p = 0; p < nd->npaths; p++) {
        for (size_t c = 0; c < nd->paths[p].n; c++)
            free(nd->paths[p].c[c].s);
        free(nd->paths[p].c);
    }
    free(nd->paths);
    free(nd);
}

/* ---- selection (5.2) ---- */

/* Falco's rule-name wildcard: '*' matches any run, everything else itself. */
static bool wildcard_match(const char *pat, const char *s)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*pat == '*') {
            star = pat++;
            resume = s;
        } else if (*pat == *s) {
            pat++;
            s++;
        } else if (star) {
            pat = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*pat == '*')
        pat++;
    return *pat == '\0';
}

static bool rule_has_tag(const struct rule_def *r, const char *tag)
{
    for (size_t i = 0; i < r->ntags; i++)
        if (strcmp(r->tags[i], tag) == 0)
            return true;
    return false;
}

static void order_remove(struct ruleset *rs, size_t cand)
{
    for (size_t i = 0; i < rs->norder; i++) {
        if (rs->order[i] == cand) {
            memmove(&rs->order[i], &rs->order[i + 1], (rs->norder - i - 1) * sizeof *rs->order);
            rs->norder--;
            return;
        }
    }
}

static void apply_selection(struct ruleset *rs, const struct rule_selection *sel)
{
    rs->order = xcalloc(rs->ncands ? rs->ncands : 1, sizeof *rs->order);
    for (size_t i = 0; i < rs->ncands; i++)
        if (rs->cands[i].eligible && rs->cands[i].rule->enabled) {
            rs->cands[i].enabled = true;
            rs->order[rs->norder++] = i;
        }
    if (!sel)
        return;
    for (size_t k = 0; k < sel->ndisable; k++) {
        for (size_t i = 0; i < rs->ncands; i++) {
            if (rs->cands[i].enabled && wildcard_match(sel->disable_patterns[k],
                                                       rs->cands[i].rule->name)) {
                rs->cands[i].enabled = false;
                order_remove(rs, i);
            }
        }
    }
    for (size_t k = 0; k < sel->nenable_tags; k++) {
        for (size_t i = 0; i < rs->ncands; i++) {
            if (!rs->cands[i].enabled && rs->cands[i].eligible &&
                rule_has_tag(rs->cands[i].rule, sel->enable_tags[k])) {
                rs->cands[i].enabled = true;
                rs->order[rs->norder++] = i;
            }
        }
    }
}

/* ---- public API ---- */

struct ruleset *ruleset_new(const struct program *p, const char *source,
                            const struct rule_selection *sel)
{
    struct ruleset *rs = xcalloc(1, sizeof *rs);
    rs->p = p;
    rs->source = xstrdup(source);
    rs->plugin = source_plugin_find(source);
    rs->extract = default_extract;
    rs->extract_ctx = (void *)rs->plugin;
    rs->md = pcre2_match_data_create(1, NULL);
    rs->gen = 1;
    enum priority minp = sel ? sel->min_priority : PRIO_DEBUG;
    rs->building = true;
    rs->cands = xcalloc(p->nrules ? p->nrules : 1, sizeof *rs->cands);
    for (size_t i = 0; i < p->nrules; i++) {
        const struct rule_def *r = p->rules[i];
        if (!rule_is_compiled(r) || strcmp(r->source, source) != 0)
            continue;
        struct rule_entry *ce = &rs->cands[rs->ncands++];
        ce->rule = r;
        ce->pidx = (uint32_t)i;
        ce->eligible = r->priority <= minp;
        ce->root = lower(rs, r->ast);
        for (size_t k = 0; k < r->output_fmt.n; k++) {
            const struct format_part *part = &r->output_fmt.parts[k];
            if (part->is_token && part->opnd)
                slot_for(rs, part->opnd);
        }
    }
    /* JIT-compile the regexes once (a no-op where PCRE2 has no JIT). */
    for (size_t i = 0; i < rs->ncands; i++) {
        struct node *stack[256];
        size_t sp = 0;
        stack[sp++] = rs->cands[i].root;
        while (sp) {
            struct node *nd = stack[--sp];
            if (nd->kind == N_CHECK && nd->op == OP_REGEX)
                for (size_t k = 0; k < nd->nvalues; k++)
                    if (nd->values[k].compiled)
                        pcre2_jit_compile((pcre2_code *)nd->values[k].compiled,
                                          PCRE2_JIT_COMPLETE);
            for (size_t k = 0; k < nd->n && sp < 256; k++)
                stack[sp++] = nd->kids[k];
        }
    }
    rs->building = false;
    apply_selection(rs, sel);
    return rs;
}

void ruleset_free(struct ruleset *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->ncands; i++) {
        node_free(rs->cands[i].root);
        free(rs->cands[i].checks);
    }
    free(rs->cands);
    if (rs->native) {
        free(rs->native->ctx.memo);
        free(rs->native->ctx.cache);
        free(rs->native->slots);
        free(rs->native->by_pidx);
        free(rs->native->order);
        free(rs->native->matched);
        dispatch_free(rs->native->dispatch);
        free(rs->native->cand);
        free(rs->native);
    }
    free(rs->order);
    for (size_t i = 0; i < rs->nslots; i++) {
        free(rs->slots[i]->args);
        free(rs->slots[i]);
    }
    free(rs->slots);
    strmap_free(&rs->keys);
    free(rs->by_addr.keys);
    free(rs->by_addr.slots);
    if (rs->md)
        pcre2_match_data_free(rs->md);
    arena_free(&rs->arena);
    free(rs->scratch);
    free(rs->source);
    free(rs);
}

size_t ruleset_size(const struct ruleset *rs)
{
    return rs->norder;
}

const struct rule_def *ruleset_rule(const struct ruleset *rs, size_t i)
{
    return i < rs->norder ? rs->cands[rs->order[i]].rule : NULL;
}

void ruleset_set_extractor(struct ruleset *rs, ruleset_extract_fn fn, void *ctx)
{
    rs->extract = fn ? fn : default_extract;
    rs->extract_ctx = fn ? ctx : (void *)rs->plugin;
    rs->gen++; /* values of the old extractor are stale */
}

size_t ruleset_nslots(const struct ruleset *rs)
{
    return rs->nslots;
}

uint64_t ruleset_extractions(const struct ruleset *rs)
{
    return rs->nextract;
}

static const struct fvalues *native_slot(void *rt, uint32_t slot);

static size_t native_eval(struct ruleset *rs, const struct event *ev, enum rule_matching mode,
                          match_fn on_match, void *ctx)
{
    struct native_state *ns = rs->native;
    ns->ctx.gen = rs->gen;
    ns->ctx.memo_gen++;
    const uint32_t *order = ns->order;
    size_t norder = rs->norder;
    if (ns->dispatch) {
        norder = dispatch_select(ns->dispatch, native_slot, rs, ns->cand);
        order = ns->cand;
    }
    uint32_t n = ns->eval(&ns->ctx, order, (uint32_t)norder, mode == MATCH_ALL, ns->matched);
    for (uint32_t i = 0; i < n && on_match; i++)
        on_match(ctx, rs->p->rules[ns->matched[i]], ev, rs);
    return n;
}

static size_t eval_rules(struct ruleset *rs, const struct event *ev, enum rule_matching mode,
                         match_fn on_match, void *ctx);

size_t ruleset_eval(struct ruleset *rs, const struct event *ev, enum rule_matching mode,
                    match_fn on_match, void *ctx)
{
    begin_event(rs, ev);
    return eval_rules(rs, ev, mode, on_match, ctx);
}

size_t ruleset_eval_warm(struct ruleset *rs, const struct event *ev, enum rule_matching mode,
                         match_fn on_match, void *ctx)
{
    if (!same_event(rs, ev))
        begin_event(rs, ev);
    return eval_rules(rs, ev, mode, on_match, ctx);
}

static size_t eval_rules(struct ruleset *rs, const struct event *ev, enum rule_matching mode,
                         match_fn on_match, void *ctx)
{
    if (rs->native)
        return native_eval(rs, ev, mode, on_match, ctx);
    size_t matches = 0;
    for (size_t i = 0; i < rs->norder; i++) {
        const struct rule_entry *ce = &rs->cands[rs->order[i]];
        if (!eval_node(rs, ce->root))
            continue;
        matches++;
        if (on_match)
            on_match(ctx, ce->rule, ev, rs);
        if (mode == MATCH_FIRST)
            break;
    }
    return matches;
}

const struct fvalues *ruleset_field(struct ruleset *rs, const struct event *ev,
                                    const struct operand *field)
{
    static const struct fvalues none = {NULL, 0};
    if (!same_event(rs, ev))
        begin_event(rs, ev);
    int idx = operand_slot_by_addr(rs, field);
    if (idx < 0)
        idx = slot_for(rs, field);
    if (idx < 0)
        return &none;
    return slot_get(rs, idx);
}

/* ---- native code (native_abi.h) ---- */

static const struct fvalues *native_slot(void *rt, uint32_t slot)
{
    static const struct fvalues none = {NULL, 0};
    struct ruleset *rs = rt;
    struct native_state *ns = rs->native;
    if (slot >= ns->nslots)
        return &none;
    struct native_slot_value *sv = &ns->ctx.cache[slot];
    sv->v = ns->slots[slot] < 0 ? none : *slot_get(rs, ns->slots[slot]);
    sv->gen = rs->gen;
    return &sv->v;
}

static bool native_check(void *rt, uint32_t rule, uint32_t check)
{
    struct ruleset *rs = rt;
    if (rule >= rs->p->nrules || rs->native->by_pidx[rule] < 0)
        return false;
    const struct rule_entry *ce = &rs->cands[rs->native->by_pidx[rule]];
    return check < ce->nchecks && eval_node(rs, ce->checks[check]);
}

/* The check nodes of a tree in preorder, through macro bodies, as
 * compiler/generate_code.c numbers them. */
static void collect_checks(const struct node *nd, const struct node ***v, size_t *n, size_t *cap)
{
    if (nd->e && nd->e->kind == EXPR_CHECK) {
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 16;
            *v = xrealloc(*v, *cap * sizeof **v);
        }
        (*v)[(*n)++] = nd;
        return;
    }
    for (size_t i = 0; i < nd->n; i++)
        collect_checks(nd->kids[i], v, n, cap);
}

bool ruleset_set_native(struct ruleset *rs, const struct native_binding *b)
{
    struct native_state *ns = xcalloc(1, sizeof *ns);
    ns->eval = b->eval;
    ns->ctx.rt = rs;
    ns->ctx.slot = native_slot;
    ns->ctx.check = native_check;
    ns->ctx.memo = xcalloc(b->nmemo ? b->nmemo : 1, sizeof *ns->ctx.memo);
    ns->nslots = b->nslots;
    ns->slots = xcalloc(b->nslots ? b->nslots : 1, sizeof *ns->slots);
    ns->ctx.cache = xcalloc(b->nslots ? b->nslots : 1, sizeof *ns->ctx.cache);
    for (size_t i = 0; i < b->nslots; i++)
        ns->slots[i] = lookup_key(rs, b->slot_keys[i]);
    ns->by_pidx = xcalloc(rs->p->nrules ? rs->p->nrules : 1, sizeof *ns->by_pidx);
    for (size_t i = 0; i < rs->p->nrules; i++)
        ns->by_pidx[i] = -1;
    for (size_t i = 0; i < rs->ncands; i++) {
        struct rule_entry *ce = &rs->cands[i];
        size_t cap = 0;
        collect_checks(ce->root, &ce->checks, &ce->nchecks, &cap);
        ns->by_pidx[ce->pidx] = (int)i;
    }
    ns->order = xcalloc(rs->norder ? rs->norder : 1, sizeof *ns->order);
    ns->matched = xcalloc(rs->norder ? rs->norder : 1, sizeof *ns->matched);
    for (size_t i = 0; i < rs->norder; i++)
        ns->order[i] = rs->cands[rs->order[i]].pidx;
    /* The index costs a few lookups per event; below DISPATCH_MIN_RULES
     * enabled rules, running them all is cheaper (make bench: 48 k8s rules
     * run 430 ns/event without, 565 with; 81 syscall rules 538 without,
     * 491 with). */
    if (b->nguards && rs->norder >= DISPATCH_MIN_RULES) {
        ns->dispatch = dispatch_new(b->guards, b->nguards, ns->order, rs->norder,
                                    (uint32_t)rs->p->nrules);
        ns->cand = xcalloc(rs->norder ? rs->norder : 1, sizeof *ns->cand);
    }
    rs->native = ns;
    /* Memo entries hold gen * 2 + result: start from a generation no entry
     * can claim. */
    rs->gen++;
    return true;
}

/* ---- explaining a non-match ---- */

static void put_fvalue(struct strbuf *sb, enum field_type t, const struct fvalue *f)
{
    char buf[INET6_ADDRSTRLEN];
    switch (field_type_class(t)) {
    case TC_STRING:
    case TC_BYTES: {
        size_t n = f->len > 120 ? 120 : f->len;
        sb_putc(sb, '"');
        sb_json_escape(sb, f->str ? f->str : "", n);
        sb_puts(sb, n < f->len ? "...\"" : "\"");
        return;
    }
    case TC_NUMERIC:
        if (t == FT_DOUBLE) {
            double d;
            memcpy(&d, &f->as.u, sizeof d);
            sb_printf(sb, "%g", d);
        } else if (field_type_is_signed(t)) {
            sb_printf(sb, "%" PRId64, trunc_i(t, f->as.i));
        } else {
            sb_printf(sb, "%" PRIu64, trunc_u(t, f->as.u));
        }
        return;
    case TC_BOOL:
        sb_puts(sb, f->as.b ? "true" : "false");
        return;
    case TC_IP:
    case TC_NET:
        if (inet_ntop(f->as.ip.family == 4 ? AF_INET : AF_INET6, f->as.ip.addr, buf, sizeof buf))
            sb_puts(sb, buf);
        else
            sb_puts(sb, "?");
        return;
    case TC_OTHER:
        sb_puts(sb, "?");
        return;
    }
}

static void put_fvalues(struct strbuf *sb, enum field_type t, bool list, const struct fvalues *v)
{
    if (!list && v->n == 1) {
        put_fvalue(sb, t, &v->v[0]);
        return;
    }
    sb_putc(sb, '(');
    for (size_t i = 0; i < v->n && i < 8; i++) {
        if (i)
            sb_puts(sb, ", ");
        put_fvalue(sb, t, &v->v[i]);
    }
    if (v->n > 8)
        sb_printf(sb, ", ... %zu values", v->n);
    sb_putc(sb, ')');
}

struct explain {
    struct strbuf sb;
    const char *macros[64];
    size_t depth;
    bool done;
};

static void put_operand_text(struct strbuf *sb, const struct operand *o)
{
    char *t = operand_to_string(o);
    sb_puts(sb, t);
    free(t);
}

static void explain_check(struct ruleset *rs, struct explain *x, const struct node *nd, bool want)
{
    struct strbuf *sb = &x->sb;
    if (!want)
        sb_puts(sb, "not ");
    char *text = expr_to_string(nd->e, false);
    size_t tl = strlen(text);
    if (tl > 160) {
        sb_append(sb, text, 150);
        sb_puts(sb, "...");
    } else {
        sb_puts(sb, text);
    }
    free(text);
    if (x->depth) {
        size_t d = x->depth < 64 ? x->depth : 64;
        sb_printf(sb, " (in macro '%s'", x->macros[d - 1]);
        for (size_t i = d - 1; i-- > 0;)
            sb_printf(sb, ", from '%s'", x->macros[i]);
        sb_putc(sb, ')');
    }
    sb_puts(sb, ": ");
    if (nd->kind == N_FALSE) {
        sb_puts(sb, "cannot be evaluated");
        return;
    }
    const struct operand *lhs = nd->e->u.check.lhs;
    const struct fvalues *l = slot_get(rs, nd->lhs);
    if (l->n == 0) {
        if (nd->op != OP_EXISTS) {
            put_operand_text(sb, lhs);
            sb_puts(sb, " is ");
        }
        sb_puts(sb, "not extracted");
        return;
    }
    put_operand_text(sb, lhs);
    sb_puts(sb, " is ");
    put_fvalues(sb, nd->type, nd->lhs_list, l);
    if (nd->rhs >= 0) {
        const struct fvalues *r = slot_get(rs, nd->rhs);
        sb_puts(sb, ", ");
        put_operand_text(sb, nd->e->u.check.rhs);
        if (r->n == 0) {
            sb_puts(sb, " is not extracted");
        } else {
            sb_puts(sb, " is ");
            put_fvalues(sb, nd->type, nd->lhs_list, r);
        }
    }
}

/* nd evaluated to !want; describe the check responsible. */
static void explain_node(struct ruleset *rs, struct explain *x, const struct node *nd, bool want)
{
    switch (nd->kind) {
    case N_AND:
    case N_OR: {
        /* AND false / OR true: the first child with that value decided;
         * AND true / OR false: every child had it, describe the first. */
        bool decisive = nd->kind == N_OR; /* value that short-circuits */
        for (size_t i = 0; i < nd->n; i++) {
            if (eval_node(rs, nd->kids[i]) == decisive) {
                explain_node(rs, x, nd->kids[i], !decisive);
                return;
            }
        }
        if (nd->n)
            explain_node(rs, x, nd->kids[0], want);
        return;
    }
    case N_NOT:
        explain_node(rs, x, nd->kids[0], !want);
        return;
    case N_MACRO:
        if (x->depth < 64)
            x->macros[x->depth] = nd->e->u.macro.name;
        x->depth++;
        explain_node(rs, x, nd->kids[0], want);
        x->depth--;
        return;
    case N_CHECK:
    case N_FALSE:
        if (nd->e->kind == EXPR_CHECK)
            explain_check(rs, x, nd, want);
        else
            sb_puts(&x->sb, "macro cannot be evaluated");
        return;
    }
}

char *ruleset_explain_false(struct ruleset *rs, const struct rule_def *rule,
                            const struct event *ev)
{
    const struct rule_entry *ce = NULL;
    for (size_t i = 0; i < rs->ncands; i++)
        if (rs->cands[i].rule == rule)
            ce = &rs->cands[i];
    if (!ce)
        return NULL;
    if (!same_event(rs, ev))
        begin_event(rs, ev);
    if (eval_node(rs, ce->root))
        return NULL;
    struct explain x = {0};
    sb_append(&x.sb, "", 0);
    explain_node(rs, &x, ce->root, true);
    return sb_take(&x.sb);
}
