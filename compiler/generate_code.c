/* generate_code.c: lowers the checked rules to LLVM IR (native.h).
 *
 * The program is split into partitions (modules of their own contexts,
 * optimised in parallel by optimize.c); each starts as the runtime's helper
 * bitcode (runtime/native_helpers.c, embedded by helpers_bitcode.c), and
 * the generator adds
 *   - one function per compiled rule, `i1 stoop_rule_<index>(ptr ctx)`,
 *     whose and/or/not short-circuit as the interpreter's do (rules are
 *     spread over the partitions);
 *   - one function per macro shared by several rules of a source, memoised
 *     per evaluation (native_ctx.memo), when opts.memo_macros;
 *   - one entry per source, `stoop_eval_<source>`, that runs a given order
 *     of rules (the runtime applies the rule selection and the guard index)
 *     and reports matches (first partition);
 *   - per rule, a guard for the runtime's dispatch index (find_guards).
 * Checks are lowered to helper calls with constant arguments (they inline
 * and fold); constant string lists to a switch on length plus memcmp, or a
 * constant hash table when long; runs of startswith/endswith on one field
 * to a byte trie; the rest (modifiers, list-valued or ancestor fields,
 * field-vs-field, regex, pmatch) call back into the interpreter's node for
 * that check, numbered in preorder per rule as runtime/eval.c numbers them.
 * Field values come from the runtime's memoised slots, numbered here by
 * operand_value_key. */
#include <llvm-c/Analysis.h>
#include <llvm-c/BitReader.h>
#include <llvm-c/Core.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/compare.h"
#include "native.h"
#include "schema.h"
#include "util.h"

/* helpers_bitcode.c */
extern const char stoop_helpers_bc[];
extern const char stoop_helpers_bc_end[];

void codegen_opts_default(struct codegen_opts *o)
{
    o->inline_checks = true;
    o->memo_macros = true;
    o->guards = true;
}

struct helper {
    LLVMValueRef fn;
    LLVMTypeRef type;
};

/* Helpers by name, in the order of the enum. */
#define HELPERS(X)                                                            \
    X(H_SLOT, "stoop_h_slot")                                                 \
    X(H_FALLBACK, "stoop_h_fallback")                                         \
    X(H_MEMO_GET, "stoop_h_memo_get")                                         \
    X(H_MEMO_PUT, "stoop_h_memo_put")                                         \
    X(H_EXISTS, "stoop_h_exists")                                             \
    X(H_STR, "stoop_h_str")                                                   \
    X(H_COUNT_VALUES, "stoop_h_count")                                        \
    X(H_STR_AT, "stoop_h_str_at")                                             \
    X(H_BYTES_IN_TABLE, "stoop_h_bytes_in_table")                             \
    X(H_STR_EQ, "stoop_h_str_eq")                                             \
    X(H_STR_NE, "stoop_h_str_ne")                                             \
    X(H_STR_ORDER, "stoop_h_str_order")                                       \
    X(H_CONTAINS, "stoop_h_contains")                                         \
    X(H_ICONTAINS, "stoop_h_icontains")                                       \
    X(H_STARTSWITH, "stoop_h_startswith")                                     \
    X(H_ENDSWITH, "stoop_h_endswith")                                         \
    X(H_GLOB, "stoop_h_glob")                                                 \
    X(H_NUM, "stoop_h_num")                                                   \
    X(H_BOOL, "stoop_h_bool")                                                 \
    X(H_IP, "stoop_h_ip")

enum helper_id {
#define X(e, name) e,
    HELPERS(X)
#undef X
        H_COUNT
};
static const char *const helper_names[] = {
#define X(e, name) name,
    HELPERS(X)
#undef X
};

/* State shared by the partitions of one program. */
struct gen_shared {
    struct strmap slots; /* key -> slot + 1 */
    VEC(char *) slot_keys;
    struct strmap macro_uses; /* source \x1f name \x1f body text -> rules using it */
    struct strmap macro_fns;  /* same key -> function name (defined in some partition) */
    uint32_t nmemo;
    size_t ninline, nfallback;
    bool split; /* several partitions: functions are hidden, not internal */
};

/* One partition: a module of its own context (partitions are optimised
 * and emitted in parallel). */
struct gen {
    const struct program *p;
    const struct codegen_opts *o;
    struct gen_shared *sh;
    LLVMContextRef C;
    LLVMModuleRef M;
    LLVMBuilderRef B;
    LLVMTypeRef i1, i8, i32, i64, ptr, rule_fn_type;
    struct helper h[H_COUNT];
    LLVMValueRef memcmp_fn;
    LLVMTypeRef memcmp_type;

    /* The function being generated. */
    LLVMValueRef fn, ctx;
    uint32_t rule;     /* program index of the rule whose numbering applies */
    uint32_t check_no; /* next check number in that rule */
    const char *source;

    struct strmap strings; /* constant text -> global */
};

/* ---- small builders ---- */

static LLVMValueRef const_i32(struct gen *g, uint64_t v)
{
    return LLVMConstInt(g->i32, v, false);
}

static LLVMValueRef const_i64(struct gen *g, uint64_t v)
{
    return LLVMConstInt(g->i64, v, false);
}

static LLVMValueRef const_bool(struct gen *g, bool v)
{
    return LLVMConstInt(g->i1, v, false);
}

static LLVMValueRef call(struct gen *g, enum helper_id id, LLVMValueRef *args, unsigned n)
{
    return LLVMBuildCall2(g->B, g->h[id].type, g->h[id].fn, args, n, "");
}

/* A private constant holding the bytes plus a NUL (patterns need it). */
static LLVMValueRef const_string(struct gen *g, const char *s, size_t n)
{
    struct strbuf key = {0};
    sb_append(&key, "", 0);
    sb_json_escape(&key, s ? s : "", n);
    LLVMValueRef gv = strmap_get(&g->strings, key.s);
    if (!gv) {
        LLVMValueRef init = LLVMConstStringInContext(g->C, s ? s : "", (unsigned)n, false);
        gv = LLVMAddGlobal(g->M, LLVMTypeOf(init), "str");
        LLVMSetInitializer(gv, init);
        LLVMSetGlobalConstant(gv, true);
        LLVMSetLinkage(gv, LLVMPrivateLinkage);
        LLVMSetUnnamedAddress(gv, LLVMGlobalUnnamedAddr);
        LLVMSetAlignment(gv, 1);
        strmap_put(&g->strings, key.s, gv);
    }
    sb_free(&key);
    return gv;
}

/* An alloca in the function's entry block (mem2reg promotes it). */
static LLVMValueRef entry_alloca(struct gen *g, LLVMTypeRef t)
{
    LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(g->fn);
    LLVMBuilderRef b = LLVMCreateBuilderInContext(g->C);
    LLVMValueRef first = LLVMGetFirstInstruction(entry);
    if (first)
        LLVMPositionBuilderBefore(b, first);
    else
        LLVMPositionBuilderAtEnd(b, entry);
    LLVMValueRef a = LLVMBuildAlloca(b, t, "");
    LLVMDisposeBuilder(b);
    return a;
}

static LLVMBasicBlockRef new_block(struct gen *g, const char *name)
{
    return LLVMAppendBasicBlockInContext(g->C, g->fn, name);
}

static uint32_t slot_index(struct gen *g, char *key)
{
    void *v = strmap_get(&g->sh->slots, key);
    if (v) {
        free(key);
        return (uint32_t)((uintptr_t)v - 1);
    }
    uint32_t idx = (uint32_t)g->sh->slot_keys.n;
    VEC_PUSH(g->sh->slot_keys, key);
    strmap_put(&g->sh->slots, key, (void *)(uintptr_t)(idx + 1));
    return idx;
}

static size_t count_checks(const struct expr *e)
{
    switch (e->kind) {
    case EXPR_AND:
    case EXPR_OR: {
        size_t n = 0;
        for (size_t i = 0; i < e->u.nary.n; i++)
            n += count_checks(e->u.nary.v[i]);
        return n;
    }
    case EXPR_NOT:
        return count_checks(e->u.child);
    case EXPR_MACRO_REF:
        return e->u.macro.body ? count_checks(e->u.macro.body) : 0;
    case EXPR_CHECK:
        return 1;
    }
    return 0;
}

/* ---- checks ---- */

static LLVMValueRef fallback(struct gen *g, uint32_t check)
{
    g->sh->nfallback++;
    LLVMValueRef args[] = {g->ctx, const_i32(g, g->rule), const_i32(g, check)};
    return call(g, H_FALLBACK, args, 3);
}

/* Joins the boolean outcomes of several blocks. */
struct join {
    LLVMBasicBlockRef end;
    VEC(LLVMValueRef) vals;
    VEC(LLVMBasicBlockRef) blocks;
};

static void join_add(struct join *j, LLVMValueRef v, LLVMBasicBlockRef from)
{
    VEC_PUSH(j->vals, v);
    VEC_PUSH(j->blocks, from);
}

static LLVMValueRef join_finish(struct gen *g, struct join *j)
{
    LLVMPositionBuilderAtEnd(g->B, j->end);
    LLVMValueRef phi = LLVMBuildPhi(g->B, g->i1, "");
    LLVMAddIncoming(phi, j->vals.v, j->blocks.v, (unsigned)j->vals.n);
    VEC_FREE(j->vals);
    VEC_FREE(j->blocks);
    return phi;
}

/* A test of a string value that branches to `yes` or `no`: begin leaves
 * the builder where the text (s) and length (len) are known (a value not
 * extracted goes to no); end joins the two outcomes. */
struct str_test {
    LLVMValueRef s, len;
    LLVMBasicBlockRef yes, no;
    struct join j;
};

static void str_test_begin(struct gen *g, LLVMValueRef l, struct str_test *t)
{
    LLVMValueRef lenp = entry_alloca(g, g->i64);
    LLVMValueRef args[] = {l, lenp};
    t->s = call(g, H_STR, args, 2);
    t->j = (struct join){.end = new_block(g, "test.end")};
    t->yes = new_block(g, "test.yes");
    t->no = new_block(g, "test.no");
    LLVMBasicBlockRef have = new_block(g, "test.have");
    LLVMBuildCondBr(g->B, LLVMBuildIsNull(g->B, t->s, ""), t->no, have);
    LLVMPositionBuilderAtEnd(g->B, have);
    t->len = LLVMBuildLoad2(g->B, g->i64, lenp, "len");
}

static LLVMValueRef str_test_end(struct gen *g, struct str_test *t)
{
    LLVMPositionBuilderAtEnd(g->B, t->yes);
    LLVMBuildBr(g->B, t->j.end);
    join_add(&t->j, const_bool(g, true), t->yes);
    LLVMPositionBuilderAtEnd(g->B, t->no);
    LLVMBuildBr(g->B, t->j.end);
    join_add(&t->j, const_bool(g, false), t->no);
    return join_finish(g, &t->j);
}

static int cmp_values_by_len(const void *a, const void *b)
{
    const struct value *x = *(const struct value *const *)a, *y = *(const struct value *const *)b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    size_t m = x->len;
    int c = m ? memcmp(x->str, y->str, m) : 0;
    return c;
}

/* Up to this many constants, `in` is a switch on length plus memcmp;
 * beyond, a hash table in constant data (code size stays flat). */
#define INLINE_IN_MAX 16

/* Lays the distinct values out in a table of cap entries for seed;
 * returns how many sit outside their home entry. */
static size_t strtab_place(const struct value **vals, size_t n, size_t cap, uint64_t seed,
                           const struct value **slots)
{
    size_t displaced = 0;
    memset(slots, 0, cap * sizeof *slots);
    for (size_t i = 0; i < n; i++) {
        size_t k = native_strtab_hash(vals[i]->str ? vals[i]->str : "", vals[i]->len, seed) & (cap - 1);
        if (slots[k])
            displaced++;
        while (slots[k])
            k = (k + 1) & (cap - 1);
        slots[k] = vals[i];
    }
    return displaced;
}

/* `l in (many constant strings)`: a constant hash table, searched for a
 * seed that puts every value in its home entry (perfect) when one exists
 * among a few hundred, with a table of 2 to 4 times the values. */
static LLVMValueRef gen_string_in_table(struct gen *g, LLVMValueRef s, LLVMValueRef len,
                                        const struct value **vals, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    const struct value **slots = xcalloc(4 * cap, sizeof *slots);
    uint64_t best_seed = 0;
    size_t best_cap = cap, best = SIZE_MAX;
    for (size_t c = cap; c <= 4 * cap && best; c *= 2)
        for (uint64_t seed = 0; seed < 256 && best; seed++) {
            size_t d = strtab_place(vals, n, c, seed, slots);
            if (d < best) {
                best = d;
                best_seed = seed;
                best_cap = c;
            }
        }
    strtab_place(vals, n, best_cap, best_seed, slots);
    LLVMTypeRef fields[] = {g->ptr, g->i64};
    LLVMTypeRef entry_t = LLVMStructTypeInContext(g->C, fields, 2, false);
    LLVMValueRef *entries = xcalloc(best_cap, sizeof *entries);
    for (size_t i = 0; i < best_cap; i++) {
        LLVMValueRef f[2];
        if (slots[i]) {
            f[0] = const_string(g, slots[i]->str, slots[i]->len);
            f[1] = const_i64(g, slots[i]->len);
        } else {
            f[0] = LLVMConstNull(g->ptr);
            f[1] = const_i64(g, 0);
        }
        entries[i] = LLVMConstNamedStruct(entry_t, f, 2);
    }
    LLVMValueRef init = LLVMConstArray2(entry_t, entries, best_cap);
    LLVMValueRef tab = LLVMAddGlobal(g->M, LLVMTypeOf(init), "strtab");
    LLVMSetInitializer(tab, init);
    LLVMSetGlobalConstant(tab, true);
    LLVMSetLinkage(tab, LLVMPrivateLinkage);
    free(entries);
    free(slots);
    LLVMValueRef args[] = {s, len, tab, const_i64(g, best_cap - 1), const_i64(g, best_seed)};
    return call(g, H_BYTES_IN_TABLE, args, 5);
}

/* The distinct constants, sorted by length then bytes (caller frees). */
static const struct value **distinct_values(const struct value *vals, size_t nv, size_t *n)
{
    const struct value **sorted = xcalloc(nv ? nv : 1, sizeof *sorted);
    for (size_t i = 0; i < nv; i++)
        sorted[i] = &vals[i];
    qsort(sorted, nv, sizeof *sorted, cmp_values_by_len);
    *n = 0;
    for (size_t i = 0; i < nv; i++)
        if (*n == 0 || cmp_values_by_len(&sorted[i], &sorted[*n - 1]) != 0)
            sorted[(*n)++] = sorted[i];
    return sorted;
}

/* Branches to `yes` if the text (s, len) is one of the distinct constants
 * vals[0..n), else to `no`: a switch on the length, then memcmp against
 * the strings of that length (memcmp with a constant size becomes a few
 * loads); beyond INLINE_IN_MAX, a constant hash table (gen_string_in_table). */
static void gen_membership(struct gen *g, LLVMValueRef s, LLVMValueRef len,
                           const struct value **vals, size_t n, LLVMBasicBlockRef yes,
                           LLVMBasicBlockRef no)
{
    if (n > INLINE_IN_MAX) {
        LLVMBuildCondBr(g->B, gen_string_in_table(g, s, len, vals, n), yes, no);
        return;
    }
    size_t ngroups = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || vals[i]->len != vals[i - 1]->len)
            ngroups++;
    LLVMValueRef sw = LLVMBuildSwitch(g->B, len, no, (unsigned)ngroups);
    for (size_t i = 0; i < n;) {
        size_t k = i;
        while (k < n && vals[k]->len == vals[i]->len)
            k++;
        size_t glen = vals[i]->len;
        LLVMBasicBlockRef bb = new_block(g, "in.len");
        LLVMAddCase(sw, const_i64(g, glen), bb);
        LLVMPositionBuilderAtEnd(g->B, bb);
        if (glen == 0) {
            LLVMBuildBr(g->B, yes);
        } else {
            for (size_t m = i; m < k; m++) {
                LLVMValueRef cargs[] = {s, const_string(g, vals[m]->str, glen), const_i64(g, glen)};
                LLVMValueRef r = LLVMBuildCall2(g->B, g->memcmp_type, g->memcmp_fn, cargs, 3, "");
                LLVMValueRef eq = LLVMBuildICmp(g->B, LLVMIntEQ, r, const_i32(g, 0), "");
                LLVMBasicBlockRef next = new_block(g, "in.next");
                LLVMBuildCondBr(g->B, eq, yes, next);
                LLVMPositionBuilderAtEnd(g->B, next);
            }
            LLVMBuildBr(g->B, no);
        }
        i = k;
    }
}

/* `l in (constant strings)` for a single-valued field. */
static LLVMValueRef gen_string_in(struct gen *g, LLVMValueRef l, const struct value *vals, size_t nv)
{
    if (nv == 0)
        return const_bool(g, false);
    size_t n;
    const struct value **sorted = distinct_values(vals, nv, &n);
    struct str_test t;
    str_test_begin(g, l, &t);
    gen_membership(g, t.s, t.len, sorted, n, t.yes, t.no);
    free(sorted);
    return str_test_end(g, &t);
}

/* A list-valued field against constant strings: `in` holds when every
 * value is one of them, `intersects` when one is (runtime/eval.c); no
 * value at all makes both false. */
static LLVMValueRef gen_list_in(struct gen *g, LLVMValueRef l, enum cmp_op op,
                                const struct value *vals, size_t nv)
{
    bool all = op == OP_IN;
    size_t n;
    const struct value **sorted = distinct_values(vals, nv, &n);
    struct join j = {.end = new_block(g, "list.end")};
    LLVMValueRef count = call(g, H_COUNT_VALUES, &l, 1);
    LLVMValueRef ip = entry_alloca(g, g->i64), lenp = entry_alloca(g, g->i64);
    LLVMBasicBlockRef head = new_block(g, "list.head"), body = new_block(g, "list.body"),
                      hit = new_block(g, "list.hit"), miss = new_block(g, "list.miss"),
                      step = new_block(g, "list.step"), done = new_block(g, "list.done"),
                      empty = new_block(g, "list.empty");
    LLVMBuildStore(g->B, const_i64(g, 0), ip);
    LLVMBuildCondBr(g->B, LLVMBuildICmp(g->B, LLVMIntEQ, count, const_i64(g, 0), ""), empty, head);
    LLVMPositionBuilderAtEnd(g->B, empty);
    LLVMBuildBr(g->B, j.end);
    join_add(&j, const_bool(g, false), empty);

    LLVMPositionBuilderAtEnd(g->B, head);
    LLVMValueRef i = LLVMBuildLoad2(g->B, g->i64, ip, "i");
    LLVMBuildCondBr(g->B, LLVMBuildICmp(g->B, LLVMIntULT, i, count, ""), body, done);
    LLVMPositionBuilderAtEnd(g->B, body);
    LLVMValueRef args[] = {l, i, lenp};
    LLVMValueRef s = call(g, H_STR_AT, args, 3);
    LLVMValueRef len = LLVMBuildLoad2(g->B, g->i64, lenp, "len");
    if (n == 0)
        LLVMBuildBr(g->B, miss);
    else
        gen_membership(g, s, len, sorted, n, hit, miss);
    free(sorted);
    /* in: a value outside the set decides (false); intersects: one inside
     * decides (true); otherwise go on. */
    LLVMPositionBuilderAtEnd(g->B, all ? miss : hit);
    LLVMBuildBr(g->B, j.end);
    join_add(&j, const_bool(g, !all), all ? miss : hit);
    LLVMPositionBuilderAtEnd(g->B, all ? hit : miss);
    LLVMBuildBr(g->B, step);
    LLVMPositionBuilderAtEnd(g->B, step);
    LLVMBuildStore(g->B, LLVMBuildAdd(g->B, LLVMBuildLoad2(g->B, g->i64, ip, ""), const_i64(g, 1), ""),
                   ip);
    LLVMBuildBr(g->B, head);
    LLVMPositionBuilderAtEnd(g->B, done);
    LLVMBuildBr(g->B, j.end);
    join_add(&j, const_bool(g, all), done);
    return join_finish(g, &j);
}

/* One scalar comparison of the first value against constant c (not a
 * string class); NULL if the class/operator pair is not lowered here. */
static LLVMValueRef gen_scalar(struct gen *g, LLVMValueRef l, enum cmp_op op, enum field_type t,
                               const struct value *c)
{
    switch (field_type_class(t)) {
    case TC_NUMERIC: {
        if (op == OP_EXISTS || op_kind(op) == OK_UNARY)
            return NULL;
        enum num_kind kind = num_kind_of(t);
        uint64_t bits_c;
        memcpy(&bits_c, &c->as, sizeof bits_c); /* u, i or d: the same 64 bits */
        switch (op) {
        case OP_EQ:
        case OP_EQEQ:
        case OP_NE:
        case OP_LT:
        case OP_LE:
        case OP_GT:
        case OP_GE:
        case OP_IN:
        case OP_INTERSECTS: {
            LLVMValueRef args[] = {l, const_i32(g, (uint64_t)kind), const_i32(g, field_type_bits(t)),
                                   const_i32(g, op), const_i64(g, bits_c)};
            return call(g, H_NUM, args, 5);
        }
        default:
            return NULL;
        }
    }
    case TC_BOOL:
        switch (op) {
        case OP_EQ:
        case OP_EQEQ:
        case OP_NE:
        case OP_IN:
        case OP_INTERSECTS: {
            LLVMValueRef args[] = {l, const_i32(g, op), const_bool(g, c->as.b)};
            return call(g, H_BOOL, args, 3);
        }
        default:
            return NULL;
        }
    case TC_IP:
    case TC_NET:
        switch (op) {
        case OP_EQ:
        case OP_EQEQ:
        case OP_NE:
        case OP_IN:
        case OP_INTERSECTS: {
            LLVMValueRef addr = const_string(g, (const char *)c->as.ip.addr, sizeof c->as.ip.addr);
            LLVMValueRef args[] = {l, const_i32(g, op), const_i32(g, c->as.ip.family),
                                   const_i32(g, c->as.ip.prefix), addr};
            return call(g, H_IP, args, 5);
        }
        default:
            return NULL;
        }
    default:
        return NULL;
    }
}

/* Lowers a string-class check; NULL if not lowered here. */
static LLVMValueRef gen_string_check(struct gen *g, LLVMValueRef l, enum cmp_op op,
                                     const struct value *vals, size_t nv)
{
    if (op == OP_IN || op == OP_INTERSECTS)
        return gen_string_in(g, l, vals, nv);
    if (nv == 0)
        return NULL;
    const struct value *c = &vals[0];
    LLVMValueRef cs = const_string(g, c->str, c->len);
    LLVMValueRef args[] = {l, cs, const_i64(g, c->len), NULL};
    switch (op) {
    case OP_EQ:
    case OP_EQEQ:
        return call(g, H_STR_EQ, args, 3);
    case OP_NE:
        return call(g, H_STR_NE, args, 3);
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
        args[3] = const_i32(g, op);
        return call(g, H_STR_ORDER, args, 4);
    case OP_CONTAINS:
    case OP_BCONTAINS:
        return call(g, H_CONTAINS, args, 3);
    case OP_ICONTAINS:
        return call(g, H_ICONTAINS, args, 3);
    case OP_STARTSWITH:
    case OP_BSTARTSWITH:
        return call(g, H_STARTSWITH, args, 3);
    case OP_ENDSWITH:
        return call(g, H_ENDSWITH, args, 3);
    case OP_GLOB:
    case OP_IGLOB: {
        if (!c->str)
            return const_bool(g, false);
        LLVMValueRef gargs[] = {l, cs, const_i32(g, op == OP_IGLOB)};
        return call(g, H_GLOB, gargs, 3);
    }
    default:
        return NULL; /* regex, pmatch: the interpreter's compiled forms */
    }
}

/* An ancestor field without an index (proc.aname): true if any ancestor
 * matches, so it is not a single value. */
static bool every_ancestor(const struct operand *o)
{
    return o->kind == OPND_FIELD && o->u.field.info && (o->u.field.info->flags & FF_ANCESTOR) &&
           !o->u.field.arg;
}

/* A check of one value against constants: no modifier, no field or
 * transformer on the right, no list-valued or every-ancestor field. */
static bool single_value_check(const struct expr *e)
{
    if (e->kind != EXPR_CHECK || e->u.check.mod != MOD_NONE)
        return false;
    const struct operand *lhs = e->u.check.lhs, *rhs = e->u.check.rhs;
    return !(rhs && (rhs->kind == OPND_FIELD || rhs->kind == OPND_TRANSFORM)) && !lhs->is_list &&
           !every_ancestor(lhs);
}

static bool string_class(enum field_type t)
{
    enum type_class c = field_type_class(t);
    return c == TC_STRING || c == TC_BYTES;
}

static LLVMValueRef gen_check(struct gen *g, const struct expr *e)
{
    uint32_t check = g->check_no++;
    const struct operand *lhs = e->u.check.lhs, *rhs = e->u.check.rhs;
    char *key = operand_value_key(lhs);
    if (!key)
        return const_bool(g, false); /* the interpreter's N_FALSE */
    uint32_t slot = slot_index(g, key);
    enum cmp_op op = e->u.check.op;
    bool const_rhs = !(rhs && (rhs->kind == OPND_FIELD || rhs->kind == OPND_TRANSFORM));
    if (g->o->inline_checks && e->u.check.mod == MOD_NONE && lhs->is_list && const_rhs &&
        (op == OP_IN || op == OP_INTERSECTS) && string_class(lhs->type)) {
        LLVMValueRef sargs[] = {g->ctx, const_i32(g, slot)};
        g->sh->ninline++;
        return gen_list_in(g, call(g, H_SLOT, sargs, 2), op, e->u.check.values, e->u.check.nvalues);
    }
    if (!g->o->inline_checks || !single_value_check(e))
        return fallback(g, check);
    LLVMValueRef sargs[] = {g->ctx, const_i32(g, slot)};
    LLVMValueRef l = call(g, H_SLOT, sargs, 2);
    if (op == OP_EXISTS) {
        g->sh->ninline++;
        return call(g, H_EXISTS, &l, 1);
    }
    const struct value *vals = e->u.check.values;
    size_t nv = e->u.check.nvalues;
    enum type_class cls = field_type_class(lhs->type);
    LLVMValueRef r = NULL;
    if (cls == TC_STRING || cls == TC_BYTES) {
        r = gen_string_check(g, l, op, vals, nv);
    } else if (op == OP_IN || op == OP_INTERSECTS) {
        /* Any constant equal (a network containing the address). */
        r = const_bool(g, false);
        for (size_t i = 0; i < nv && r; i++) {
            LLVMValueRef one = gen_scalar(g, l, OP_EQ, lhs->type, &vals[i]);
            r = one ? LLVMBuildOr(g->B, r, one, "") : NULL;
        }
    } else if (nv > 0) {
        r = gen_scalar(g, l, op, lhs->type, &vals[0]);
    }
    if (!r)
        return fallback(g, check);
    g->sh->ninline++;
    return r;
}

/* ---- prefix and suffix tries ---- */

/* `f startswith a or f startswith b or ...` (three or more in a row, one
 * field): one walk over the value's bytes through a trie of the prefixes
 * (a switch per byte), instead of one memcmp per prefix. endswith: the
 * same from the value's end. */
#define TRIE_MIN_RUN 3

struct trie {
    struct trie *kid[256];
    bool terminal; /* a pattern ends here */
};

static void trie_free(struct trie *t)
{
    if (!t)
        return;
    for (int i = 0; i < 256; i++)
        trie_free(t->kid[i]);
    free(t);
}

/* The check's slot key when it can join a trie run of operator `op`
 * (startswith or endswith, one constant, a plain string field). */
static char *trie_key(const struct expr *e, enum cmp_op *op)
{
    if (!single_value_check(e) || e->u.check.nvalues != 1 || !string_class(e->u.check.lhs->type))
        return NULL;
    enum cmp_op o = e->u.check.op;
    if (o == OP_BSTARTSWITH)
        o = OP_STARTSWITH;
    if (o != OP_STARTSWITH && o != OP_ENDSWITH)
        return NULL;
    *op = o;
    return operand_value_key(e->u.check.lhs);
}

/* How many checks from kids[i] on form a trie run (0 if under the minimum). */
static size_t trie_run(struct gen *g, struct expr *const *kids, size_t n, size_t i)
{
    if (!g->o->inline_checks)
        return 0;
    enum cmp_op op, op2;
    char *key = trie_key(kids[i], &op);
    if (!key)
        return 0;
    size_t k = i + 1;
    for (; k < n; k++) {
        char *k2 = trie_key(kids[k], &op2);
        bool same = k2 && op2 == op && strcmp(k2, key) == 0;
        free(k2);
        if (!same)
            break;
    }
    free(key);
    return k - i >= TRIE_MIN_RUN ? k - i : 0;
}

static void gen_trie_node(struct gen *g, const struct trie *t, size_t depth, bool from_end,
                          LLVMValueRef s, LLVMValueRef len, LLVMBasicBlockRef yes,
                          LLVMBasicBlockRef no)
{
    if (t->terminal) {
        LLVMBuildBr(g->B, yes);
        return;
    }
    LLVMBasicBlockRef have = new_block(g, "trie.byte");
    LLVMBuildCondBr(g->B, LLVMBuildICmp(g->B, LLVMIntUGT, len, const_i64(g, depth), ""), have, no);
    LLVMPositionBuilderAtEnd(g->B, have);
    LLVMValueRef at = from_end ? LLVMBuildSub(g->B, len, const_i64(g, depth + 1), "")
                               : const_i64(g, depth);
    LLVMValueRef byte = LLVMBuildLoad2(g->B, g->i8, LLVMBuildGEP2(g->B, g->i8, s, &at, 1, ""), "");
    unsigned ncases = 0;
    for (int c = 0; c < 256; c++)
        ncases += t->kid[c] != NULL;
    LLVMValueRef sw = LLVMBuildSwitch(g->B, byte, no, ncases);
    for (int c = 0; c < 256; c++) {
        if (!t->kid[c])
            continue;
        LLVMBasicBlockRef bb = new_block(g, "trie.next");
        LLVMAddCase(sw, LLVMConstInt(g->i8, (unsigned)c, false), bb);
        LLVMPositionBuilderAtEnd(g->B, bb);
        gen_trie_node(g, t->kid[c], depth + 1, from_end, s, len, yes, no);
    }
}

/* kids[0..n): a trie run (trie_run); numbers its checks like the others. */
static LLVMValueRef gen_trie(struct gen *g, struct expr *const *kids, size_t n)
{
    enum cmp_op op;
    char *key = trie_key(kids[0], &op);
    uint32_t slot = slot_index(g, key);
    bool from_end = op == OP_ENDSWITH;
    struct trie *root = xcalloc(1, sizeof *root);
    for (size_t i = 0; i < n; i++) {
        const struct value *c = &kids[i]->u.check.values[0];
        struct trie *t = root;
        for (size_t k = 0; k < c->len && !t->terminal; k++) {
            unsigned char b = (unsigned char)c->str[from_end ? c->len - 1 - k : k];
            if (!t->kid[b])
                t->kid[b] = xcalloc(1, sizeof *t);
            t = t->kid[b];
        }
        t->terminal = true; /* a shorter pattern covers the longer ones */
    }
    g->check_no += (uint32_t)n;
    g->sh->ninline += n;
    LLVMValueRef sargs[] = {g->ctx, const_i32(g, slot)};
    LLVMValueRef l = call(g, H_SLOT, sargs, 2);
    struct str_test t;
    str_test_begin(g, l, &t);
    gen_trie_node(g, root, 0, from_end, t.s, t.len, t.yes, t.no);
    trie_free(root);
    return str_test_end(g, &t);
}

/* ---- boolean structure ---- */

static LLVMValueRef gen_expr(struct gen *g, const struct expr *e);

static char *macro_key(struct gen *g, const struct expr *e)
{
    /* The name too: `macro: b` whose body is just `a` has a's text, and
     * sharing a's function would make b's call itself. */
    char *text = expr_to_string(e->u.macro.body, true);
    char *k = xasprintf("%s\x1f%s\x1f%s", g->source, e->u.macro.name, text);
    free(text);
    return k;
}

/* A shared macro: its memoised function, generated on first use with the
 * current rule's check numbering. */
/* A function generated here, or declared here and defined in another
 * partition (then hidden: visible to the other objects of the ruleset,
 * not outside it). */
static void set_local(struct gen *g, LLVMValueRef fn)
{
    if (g->sh->split)
        LLVMSetVisibility(fn, LLVMHiddenVisibility);
    else
        LLVMSetLinkage(fn, LLVMInternalLinkage);
}

static LLVMValueRef function_named(struct gen *g, const char *name)
{
    LLVMValueRef fn = LLVMGetNamedFunction(g->M, name);
    if (!fn) { /* defined in another partition */
        fn = LLVMAddFunction(g->M, name, g->rule_fn_type);
        LLVMSetVisibility(fn, LLVMHiddenVisibility);
    }
    return fn;
}

static LLVMValueRef gen_memo_macro(struct gen *g, const struct expr *e, const char *key)
{
    const char *known_name = strmap_get(&g->sh->macro_fns, key);
    LLVMValueRef fn = known_name ? function_named(g, known_name) : NULL;
    size_t nchecks = count_checks(e->u.macro.body);
    if (!fn) {
        uint32_t memo = g->sh->nmemo++;
        char *name = xasprintf("stoop_macro_%s_%u", e->u.macro.name, memo);
        fn = LLVMAddFunction(g->M, name, g->rule_fn_type);
        set_local(g, fn);
        strmap_put(&g->sh->macro_fns, key, name); /* the map owns the name */
        /* Generate it now, then come back. */
        LLVMBasicBlockRef saved_block = LLVMGetInsertBlock(g->B);
        LLVMValueRef saved_fn = g->fn, saved_ctx = g->ctx;
        g->fn = fn;
        g->ctx = LLVMGetParam(fn, 0);
        LLVMBasicBlockRef entry = new_block(g, "entry");
        LLVMPositionBuilderAtEnd(g->B, entry);
        LLVMValueRef resp = entry_alloca(g, g->i8);
        LLVMValueRef gargs[] = {g->ctx, const_i32(g, memo), resp};
        LLVMValueRef known = call(g, H_MEMO_GET, gargs, 3);
        LLVMBasicBlockRef hit = new_block(g, "memo.hit"), miss = new_block(g, "memo.miss");
        LLVMBuildCondBr(g->B, known, hit, miss);
        LLVMPositionBuilderAtEnd(g->B, hit);
        LLVMValueRef cached = LLVMBuildTrunc(g->B, LLVMBuildLoad2(g->B, g->i8, resp, ""), g->i1, "");
        LLVMBuildRet(g->B, cached);
        LLVMPositionBuilderAtEnd(g->B, miss);
        uint32_t saved_check = g->check_no;
        LLVMValueRef v = gen_expr(g, e->u.macro.body);
        g->check_no = saved_check;
        LLVMValueRef pargs[] = {g->ctx, const_i32(g, memo), v};
        LLVMBuildRet(g->B, call(g, H_MEMO_PUT, pargs, 3));
        g->fn = saved_fn;
        g->ctx = saved_ctx;
        LLVMPositionBuilderAtEnd(g->B, saved_block);
    }
    g->check_no += (uint32_t)nchecks;
    return LLVMBuildCall2(g->B, g->rule_fn_type, fn, &g->ctx, 1, "");
}

static LLVMValueRef gen_expr(struct gen *g, const struct expr *e)
{
    switch (e->kind) {
    case EXPR_AND:
    case EXPR_OR: {
        bool is_and = e->kind == EXPR_AND;
        struct join j = {.end = new_block(g, is_and ? "and.end" : "or.end")};
        for (size_t i = 0; i < e->u.nary.n; i++) {
            size_t run = is_and ? 0 : trie_run(g, e->u.nary.v, e->u.nary.n, i);
            LLVMValueRef v = run ? gen_trie(g, e->u.nary.v + i, run) : gen_expr(g, e->u.nary.v[i]);
            if (run)
                i += run - 1;
            LLVMBasicBlockRef cur = LLVMGetInsertBlock(g->B);
            if (i + 1 == e->u.nary.n) {
                LLVMBuildBr(g->B, j.end);
                join_add(&j, v, cur);
            } else {
                LLVMBasicBlockRef next = new_block(g, is_and ? "and.next" : "or.next");
                if (is_and)
                    LLVMBuildCondBr(g->B, v, next, j.end);
                else
                    LLVMBuildCondBr(g->B, v, j.end, next);
                join_add(&j, const_bool(g, !is_and), cur);
                LLVMPositionBuilderAtEnd(g->B, next);
            }
        }
        if (e->u.nary.n == 0) {
            LLVMBasicBlockRef cur = LLVMGetInsertBlock(g->B);
            LLVMBuildBr(g->B, j.end);
            join_add(&j, const_bool(g, is_and), cur);
        }
        return join_finish(g, &j);
    }
    case EXPR_NOT:
        return LLVMBuildNot(g->B, gen_expr(g, e->u.child), "");
    case EXPR_MACRO_REF: {
        if (!e->u.macro.body)
            return const_bool(g, false);
        if (g->o->memo_macros && count_checks(e->u.macro.body) >= 2) {
            char *key = macro_key(g, e);
            uintptr_t uses = (uintptr_t)strmap_get(&g->sh->macro_uses, key);
            LLVMValueRef v = uses >= 2 ? gen_memo_macro(g, e, key) : NULL;
            free(key);
            if (v)
                return v;
        }
        return gen_expr(g, e->u.macro.body);
    }
    case EXPR_CHECK:
        return gen_check(g, e);
    }
    return const_bool(g, false);
}

/* Counts, per source, the rules using each macro (directly or nested). */
static void count_macro_uses(struct gen *g, const struct expr *e, struct strmap *seen)
{
    switch (e->kind) {
    case EXPR_AND:
    case EXPR_OR:
        for (size_t i = 0; i < e->u.nary.n; i++)
            count_macro_uses(g, e->u.nary.v[i], seen);
        return;
    case EXPR_NOT:
        count_macro_uses(g, e->u.child, seen);
        return;
    case EXPR_MACRO_REF:
        if (!e->u.macro.body)
            return;
        if (count_checks(e->u.macro.body) >= 2) {
            char *key = macro_key(g, e);
            if (!strmap_get(seen, key)) {
                strmap_put(seen, key, (void *)1);
                uintptr_t n = (uintptr_t)strmap_get(&g->sh->macro_uses, key);
                strmap_put(&g->sh->macro_uses, key, (void *)(n + 1));
            }
            free(key);
        }
        count_macro_uses(g, e->u.macro.body, seen);
        return;
    case EXPR_CHECK:
        return;
    }
}

/* ---- guards (native_abi.h) ---- */

typedef VEC(const struct expr *) expr_vec;
typedef VEC(struct native_guard) guard_vec;

static void conjuncts(const struct expr *e, expr_vec *out)
{
    if (e->kind == EXPR_AND) {
        for (size_t i = 0; i < e->u.nary.n; i++)
            conjuncts(e->u.nary.v[i], out);
    } else if (e->kind == EXPR_MACRO_REF && e->u.macro.body) {
        conjuncts(e->u.macro.body, out);
    } else {
        VEC_PUSH(*out, e);
    }
}

/* A conjunct usable as a guard: its slot key, or NULL. */
static char *guard_key(const struct expr *e)
{
    if (!single_value_check(e) || !string_class(e->u.check.lhs->type) ||
        e->u.check.nvalues == 0 || e->u.check.nvalues > 512)
        return NULL;
    enum cmp_op op = e->u.check.op;
    if (op != OP_EQ && op != OP_EQEQ && op != OP_IN && op != OP_INTERSECTS)
        return NULL;
    return operand_value_key(e->u.check.lhs);
}

/* Guard fields and their diversity: how many distinct values the rules'
 * guard conjuncts on that field name. */
struct guard_field_stat {
    size_t distinct; /* distinct values over all rules */
    size_t picks;    /* rules whose most selective conjunct is on it */
};

/* A conjunct's estimated chance to hold: its values over the field's
 * distinct values (1: it tells rules apart no better than nothing). */
static double guard_selectivity(const struct expr *e, const struct guard_field_stat *st)
{
    return st && st->distinct ? (double)e->u.check.nvalues / (double)st->distinct : 1.0;
}

/* The rule's most selective guard conjunct, among fields accepted by
 * `allowed` (NULL: any). */
static const struct expr *best_conjunct(const struct expr *ast, const struct strmap *stats,
                                        const struct strmap *allowed, const char *exclude,
                                        char **key_out)
{
    expr_vec cj = {0};
    conjuncts(ast, &cj);
    const struct expr *best = NULL;
    double best_sel = 1.0;
    *key_out = NULL;
    for (size_t k = 0; k < cj.n; k++) {
        char *key = guard_key(cj.v[k]);
        if (!key || (allowed && !strmap_get(allowed, key)) || (exclude && strcmp(key, exclude) == 0)) {
            free(key);
            continue;
        }
        double sel = guard_selectivity(cj.v[k], strmap_get(stats, key));
        if (sel < best_sel) {
            free(*key_out);
            best = cj.v[k];
            best_sel = sel;
            *key_out = key;
        } else {
            free(key);
        }
    }
    VEC_FREE(cj);
    return best;
}

#define MAX_GUARD_FIELDS 4
/* Kinds of guard (a field, or a pair of fields) the runtime looks up per
 * event, at most; and the most value combinations one pair guard adds. */
#define DISPATCH_KINDS NATIVE_MAX_GUARD_KINDS
#define PAIR_MAX_VALUES 64

static void guard_values(const struct expr *e, char ***values, size_t **lens, size_t *n)
{
    *n = e->u.check.nvalues;
    *values = xcalloc(*n, sizeof **values);
    *lens = xcalloc(*n, sizeof **lens);
    for (size_t v = 0; v < *n; v++) {
        const struct value *c = &e->u.check.values[v];
        (*values)[v] = xstrndup(c->str ? c->str : "", c->len);
        (*lens)[v] = c->len;
    }
}

/* Per rule, a guard for the runtime's dispatch index: its most selective
 * conjunct on one of a few guard fields (each event looks each of those
 * fields up once). A field's selectivity comes from how many distinct
 * values the rules guard it with: ka.target.resource = pods / secrets /
 * ... splits the rules, jevt.value[/stage] = ResponseComplete, shared by
 * every rule, does not and is never a guard. */
static void find_guards(struct gen *g, guard_vec *out)
{
    const struct program *p = g->p;
    struct strmap stats = {0}; /* field key -> struct guard_field_stat */
    struct strmap seen = {0};  /* field \x1f value */
    VEC(struct guard_field_stat *) all_stats = {0};
    for (size_t i = 0; i < p->nrules; i++) {
        const struct rule_def *r = p->rules[i];
        if (!rule_is_compiled(r))
            continue;
        expr_vec cj = {0};
        conjuncts(r->ast, &cj);
        for (size_t k = 0; k < cj.n; k++) {
            char *key = guard_key(cj.v[k]);
            if (!key)
                continue;
            struct guard_field_stat *st = strmap_get(&stats, key);
            if (!st) {
                st = xcalloc(1, sizeof *st);
                strmap_put(&stats, key, st);
                VEC_PUSH(all_stats, st);
            }
            for (size_t v = 0; v < cj.v[k]->u.check.nvalues; v++) {
                const struct value *c = &cj.v[k]->u.check.values[v];
                struct strbuf kv = {0};
                sb_puts(&kv, key);
                sb_putc(&kv, '\x1f');
                sb_json_escape(&kv, c->str ? c->str : "", c->len);
                if (!strmap_get(&seen, kv.s)) {
                    strmap_put(&seen, kv.s, (void *)1);
                    st->distinct++;
                }
                sb_free(&kv);
            }
            free(key);
        }
        VEC_FREE(cj);
    }
    strmap_free(&seen);
    /* The fields most rules would pick. */
    struct strmap picked = {0}; /* key -> count + 1 */
    for (size_t i = 0; i < p->nrules; i++) {
        const struct rule_def *r = p->rules[i];
        if (!rule_is_compiled(r))
            continue;
        char *key;
        if (best_conjunct(r->ast, &stats, NULL, NULL, &key)) {
            uintptr_t n = (uintptr_t)strmap_get(&picked, key);
            strmap_put(&picked, key, (void *)(n + 1));
        }
        free(key);
    }
    struct strmap allowed = {0};
    for (int round = 0; round < MAX_GUARD_FIELDS; round++) {
        const char *top = NULL;
        uintptr_t top_n = 0;
        for (size_t k = 0; k < picked.cap; k++)
            if (picked.keys[k] && (uintptr_t)picked.vals[k] > top_n &&
                !strmap_get(&allowed, picked.keys[k])) {
                top = picked.keys[k];
                top_n = (uintptr_t)picked.vals[k];
            }
        if (!top)
            break;
        strmap_put(&allowed, top, (void *)1);
    }
    /* Per rule its best conjunct and, when the product of values stays
     * small, its second best on another allowed field: a pair of values
     * splits the rules far finer than one (resource = pods and verb =
     * create). At most DISPATCH_KINDS kinds (field, or pair of fields) are
     * kept, the most used; other rules fall back to their single field's
     * kind if kept, else stay unguarded. */
    struct choice {
        const struct expr *e1, *e2; /* e2 NULL: single */
        char *k1, *k2;
    };
    struct choice *ch = xcalloc(p->nrules ? p->nrules : 1, sizeof *ch);
    struct strmap kinds = {0}; /* kind key -> uses */
    for (size_t i = 0; i < p->nrules; i++) {
        const struct rule_def *r = p->rules[i];
        if (!rule_is_compiled(r))
            continue;
        struct choice *c = &ch[i];
        c->e1 = best_conjunct(r->ast, &stats, &allowed, NULL, &c->k1);
        if (!c->e1)
            continue;
        c->e2 = best_conjunct(r->ast, &stats, &allowed, c->k1, &c->k2);
        if (c->e2 && c->e1->u.check.nvalues * c->e2->u.check.nvalues > PAIR_MAX_VALUES) {
            c->e2 = NULL;
            free(c->k2);
            c->k2 = NULL;
        }
        if (c->e2 && strcmp(c->k1, c->k2) > 0) { /* one order per pair of fields */
            const struct expr *te = c->e1;
            char *tk = c->k1;
            c->e1 = c->e2, c->k1 = c->k2;
            c->e2 = te, c->k2 = tk;
        }
        char *kind = xasprintf("%s\x1e%s", c->k1, c->k2 ? c->k2 : "");
        strmap_put(&kinds, kind, (void *)((uintptr_t)strmap_get(&kinds, kind) + 1));
        free(kind);
    }
    /* Each kind costs every event a lookup, and maybe an extraction the
     * rules would not have made: it must stand for enough rules (1/16 of
     * them, between 4 and 8: the syscall files drop kinds of two or three
     * rules, 417 -> 277 ns/event; 10,000 generated rules keep kinds of 8). */
    size_t nguardable = 0;
    for (size_t i = 0; i < p->nrules; i++)
        nguardable += ch[i].e1 != NULL;
    uintptr_t min_uses = nguardable / 16 < 8 ? (nguardable / 16 > 4 ? nguardable / 16 : 4) : 8;
    struct strmap kept = {0};
    for (int round = 0; round < DISPATCH_KINDS; round++) {
        const char *top = NULL;
        uintptr_t top_n = min_uses - 1;
        for (size_t k = 0; k < kinds.cap; k++)
            if (kinds.keys[k] && (uintptr_t)kinds.vals[k] > top_n && !strmap_get(&kept, kinds.keys[k])) {
                top = kinds.keys[k];
                top_n = (uintptr_t)kinds.vals[k];
            }
        if (!top)
            break;
        strmap_put(&kept, top, (void *)1);
    }
    for (size_t i = 0; i < p->nrules; i++) {
        struct choice *c = &ch[i];
        if (!c->e1)
            continue;
        char *pair = xasprintf("%s\x1e%s", c->k1, c->k2 ? c->k2 : "");
        char *single = xasprintf("%s\x1e", c->k1);
        bool use_pair = c->e2 && strmap_get(&kept, pair);
        bool use_single = !use_pair && strmap_get(&kept, single);
        if (!use_pair && c->e2 && !use_single) {
            /* its other field alone, if kept */
            char *other = xasprintf("%s\x1e", c->k2);
            if (strmap_get(&kept, other)) {
                const struct expr *te = c->e1;
                char *tk = c->k1;
                c->e1 = c->e2, c->k1 = c->k2;
                c->e2 = te, c->k2 = tk;
                use_single = true;
            }
            free(other);
        }
        free(pair);
        free(single);
        if (use_pair || use_single) {
            struct native_guard ng = {.rule = (uint32_t)i};
            ng.slot = slot_index(g, c->k1);
            c->k1 = NULL; /* slot_index took it */
            guard_values(c->e1, &ng.values, &ng.lens, &ng.nvalues);
            if (use_pair) {
                ng.slot2 = slot_index(g, c->k2);
                c->k2 = NULL;
                guard_values(c->e2, &ng.values2, &ng.lens2, &ng.nvalues2);
            }
            VEC_PUSH(*out, ng);
        }
        free(c->k1);
        free(c->k2);
    }
    free(ch);
    strmap_free(&kinds);
    strmap_free(&kept);
    strmap_free(&allowed);
    strmap_free(&picked);
    strmap_free(&stats);
    for (size_t i = 0; i < all_stats.n; i++)
        free(all_stats.v[i]);
    VEC_FREE(all_stats);
}

/* ---- rules and entries ---- */

/* Rules stay functions of their own: inlining hundreds of them into the
 * entry's switch gains nothing at run time and costs compile time. */
static void set_noinline(struct gen *g, LLVMValueRef fn)
{
    unsigned kind = LLVMGetEnumAttributeKindForName("noinline", 8);
    LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(g->C, kind, 0));
}

static LLVMValueRef gen_rule(struct gen *g, size_t idx)
{
    const struct rule_def *r = g->p->rules[idx];
    char *name = xasprintf("stoop_rule_%zu", idx);
    LLVMValueRef fn = LLVMAddFunction(g->M, name, g->rule_fn_type);
    free(name);
    set_local(g, fn);
    set_noinline(g, fn);
    g->fn = fn;
    g->ctx = LLVMGetParam(fn, 0);
    g->rule = (uint32_t)idx;
    g->check_no = 0;
    g->source = r->source;
    LLVMPositionBuilderAtEnd(g->B, new_block(g, "entry"));
    LLVMBuildRet(g->B, gen_expr(g, r->ast));
    return fn;
}

/* uint32_t stoop_eval_<source>(ctx, order, n, all, matched); rules may
 * live in other partitions. */
static void gen_entry(struct gen *g, const char *source, const bool *compiled)
{
    LLVMTypeRef params[] = {g->ptr, g->ptr, g->i32, g->i32, g->ptr};
    LLVMTypeRef ft = LLVMFunctionType(g->i32, params, 5, false);
    char *name = xasprintf("stoop_eval_%s", source);
    LLVMValueRef fn = LLVMAddFunction(g->M, name, ft);
    free(name);
    g->fn = fn;
    LLVMValueRef ctx = LLVMGetParam(fn, 0), order = LLVMGetParam(fn, 1), n = LLVMGetParam(fn, 2),
                 all = LLVMGetParam(fn, 3), matched = LLVMGetParam(fn, 4);
    LLVMBasicBlockRef entry = new_block(g, "entry"), loop = new_block(g, "loop"),
                      body = new_block(g, "body"), hit = new_block(g, "hit"),
                      next = new_block(g, "next"), done = new_block(g, "done");
    LLVMPositionBuilderAtEnd(g->B, entry);
    LLVMValueRef ip = LLVMBuildAlloca(g->B, g->i32, "i"), mp = LLVMBuildAlloca(g->B, g->i32, "m"),
                 rp = LLVMBuildAlloca(g->B, g->i1, "r");
    LLVMBuildStore(g->B, const_i32(g, 0), ip);
    LLVMBuildStore(g->B, const_i32(g, 0), mp);
    LLVMBuildBr(g->B, loop);

    LLVMPositionBuilderAtEnd(g->B, loop);
    LLVMValueRef i = LLVMBuildLoad2(g->B, g->i32, ip, "");
    LLVMBuildCondBr(g->B, LLVMBuildICmp(g->B, LLVMIntULT, i, n, ""), body, done);

    LLVMPositionBuilderAtEnd(g->B, body);
    LLVMValueRef slot = LLVMBuildGEP2(g->B, g->i32, order, &i, 1, "");
    LLVMValueRef ridx = LLVMBuildLoad2(g->B, g->i32, slot, "rule");
    LLVMBasicBlockRef judge = new_block(g, "judge");
    LLVMBasicBlockRef none = new_block(g, "none");
    size_t ncases = 0;
    for (size_t k = 0; k < g->p->nrules; k++)
        if (compiled[k] && strcmp(g->p->rules[k]->source, source) == 0)
            ncases++;
    LLVMValueRef sw = LLVMBuildSwitch(g->B, ridx, none, (unsigned)ncases);
    for (size_t k = 0; k < g->p->nrules; k++) {
        if (!compiled[k] || strcmp(g->p->rules[k]->source, source) != 0)
            continue;
        LLVMBasicBlockRef bb = new_block(g, "rule");
        LLVMAddCase(sw, const_i32(g, k), bb);
        LLVMPositionBuilderAtEnd(g->B, bb);
        char *rname = xasprintf("stoop_rule_%zu", k);
        LLVMValueRef rfn = function_named(g, rname);
        free(rname);
        LLVMValueRef v = LLVMBuildCall2(g->B, g->rule_fn_type, rfn, &ctx, 1, "");
        LLVMBuildStore(g->B, v, rp);
        LLVMBuildBr(g->B, judge);
    }
    LLVMPositionBuilderAtEnd(g->B, none);
    LLVMBuildStore(g->B, const_bool(g, false), rp);
    LLVMBuildBr(g->B, judge);

    LLVMPositionBuilderAtEnd(g->B, judge);
    LLVMBuildCondBr(g->B, LLVMBuildLoad2(g->B, g->i1, rp, ""), hit, next);

    LLVMPositionBuilderAtEnd(g->B, hit);
    LLVMValueRef m = LLVMBuildLoad2(g->B, g->i32, mp, "");
    LLVMBuildStore(g->B, ridx, LLVMBuildGEP2(g->B, g->i32, matched, &m, 1, ""));
    LLVMBuildStore(g->B, LLVMBuildAdd(g->B, m, const_i32(g, 1), ""), mp);
    LLVMBuildCondBr(g->B, LLVMBuildICmp(g->B, LLVMIntNE, all, const_i32(g, 0), ""), next, done);

    LLVMPositionBuilderAtEnd(g->B, next);
    LLVMValueRef i2 = LLVMBuildLoad2(g->B, g->i32, ip, "");
    LLVMBuildStore(g->B, LLVMBuildAdd(g->B, i2, const_i32(g, 1), ""), ip);
    LLVMBuildBr(g->B, loop);

    LLVMPositionBuilderAtEnd(g->B, done);
    LLVMBuildRet(g->B, LLVMBuildLoad2(g->B, g->i32, mp, ""));
}

static LLVMModuleRef load_helpers(LLVMContextRef ctx)
{
    LLVMMemoryBufferRef buf = LLVMCreateMemoryBufferWithMemoryRange(
        stoop_helpers_bc, (size_t)(stoop_helpers_bc_end - stoop_helpers_bc), "native_helpers.bc",
        false);
    LLVMModuleRef m = NULL;
    if (LLVMParseBitcodeInContext2(ctx, buf, &m))
        BUG("the embedded helper bitcode does not parse");
    LLVMDisposeMemoryBuffer(buf);
    return m;
}

static void part_init(struct gen *g, const struct program *p, const struct codegen_opts *o,
                      struct gen_shared *sh, LLVMContextRef ctx, size_t index)
{
    memset(g, 0, sizeof *g);
    g->p = p;
    g->o = o;
    g->sh = sh;
    g->C = ctx;
    g->M = load_helpers(ctx);
    char *id = xasprintf("stoop_rules_%zu", index);
    LLVMSetModuleIdentifier(g->M, id, strlen(id));
    free(id);
    g->B = LLVMCreateBuilderInContext(ctx);
    g->i1 = LLVMInt1TypeInContext(ctx);
    g->i8 = LLVMInt8TypeInContext(ctx);
    g->i32 = LLVMInt32TypeInContext(ctx);
    g->i64 = LLVMInt64TypeInContext(ctx);
    g->ptr = LLVMPointerTypeInContext(ctx, 0);
    g->rule_fn_type = LLVMFunctionType(g->i1, &g->ptr, 1, false);
    for (int i = 0; i < H_COUNT; i++) {
        g->h[i].fn = LLVMGetNamedFunction(g->M, helper_names[i]);
        if (!g->h[i].fn)
            BUG("helper %s missing from the bitcode", helper_names[i]);
        g->h[i].type = LLVMGlobalGetValueType(g->h[i].fn);
    }
    LLVMTypeRef mparams[] = {g->ptr, g->ptr, g->i64};
    g->memcmp_type = LLVMFunctionType(g->i32, mparams, 3, false);
    g->memcmp_fn = LLVMGetNamedFunction(g->M, "memcmp");
    if (!g->memcmp_fn)
        g->memcmp_fn = LLVMAddFunction(g->M, "memcmp", g->memcmp_type);
}

static LLVMModuleRef part_finish(struct gen *g)
{
    /* The helpers exist to be inlined: internal, so unused ones vanish. */
    for (int i = 0; i < H_COUNT; i++)
        LLVMSetLinkage(g->h[i].fn, LLVMInternalLinkage);
    LLVMDisposeBuilder(g->B);
    strmap_free(&g->strings);
    return g->M;
}

void generate_code(const struct program *p, LLVMContextRef *ctxs, size_t nparts,
                   const struct codegen_opts *o, struct native_module *out)
{
    struct gen_shared sh = {.split = nparts > 1};
    memset(out, 0, sizeof *out);
    struct gen *parts = xcalloc(nparts, sizeof *parts);
    for (size_t k = 0; k < nparts; k++)
        part_init(&parts[k], p, o, &sh, ctxs[k], k);
    struct gen *g0 = &parts[0];

    /* Which macros several rules of a source share. */
    for (size_t i = 0; i < p->nrules; i++) {
        if (!rule_is_compiled(p->rules[i]))
            continue;
        struct strmap seen = {0};
        g0->source = p->rules[i]->source;
        count_macro_uses(g0, p->rules[i]->ast, &seen);
        strmap_free(&seen);
    }

    guard_vec guards = {0};
    if (o->guards)
        find_guards(g0, &guards);

    /* Rules go round-robin to the partitions; entries and the memo size
     * to the first. */
    bool *compiled = xcalloc(p->nrules ? p->nrules : 1, sizeof *compiled);
    VEC(char *) sources = {0};
    size_t n = 0;
    for (size_t i = 0; i < p->nrules; i++) {
        if (!rule_is_compiled(p->rules[i]))
            continue;
        gen_rule(&parts[n++ % nparts], i);
        compiled[i] = true;
        bool known = false;
        for (size_t k = 0; k < sources.n; k++)
            known = known || strcmp(sources.v[k], p->rules[i]->source) == 0;
        if (!known)
            VEC_PUSH(sources, xstrdup(p->rules[i]->source));
    }
    for (size_t k = 0; k < sources.n; k++)
        gen_entry(g0, sources.v[k], compiled);
    free(compiled);

    out->mods = xcalloc(nparts, sizeof *out->mods);
    out->nmods = nparts;
    for (size_t k = 0; k < nparts; k++)
        out->mods[k] = part_finish(&parts[k]);
    free(parts);
    strmap_free(&sh.slots);
    strmap_free(&sh.macro_uses);
    for (size_t k = 0; k < sh.macro_fns.cap; k++)
        if (sh.macro_fns.keys && sh.macro_fns.keys[k])
            free(sh.macro_fns.vals[k]);
    strmap_free(&sh.macro_fns);
    out->slot_keys = sh.slot_keys.v;
    out->nslots = sh.slot_keys.n;
    out->nmemo = sh.nmemo;
    out->guards = guards.v;
    out->nguards = guards.n;
    out->sources = sources.v;
    out->nsources = sources.n;
    out->ninline = sh.ninline;
    out->nfallback = sh.nfallback;
}

size_t codegen_partitions(const struct program *p, unsigned jobs)
{
    size_t nrules = 0;
    for (size_t i = 0; i < p->nrules; i++)
        nrules += rule_is_compiled(p->rules[i]);
    /* Splitting pays once there is work for each: 24 rules a partition. */
    size_t n = nrules / 24;
    if (n > jobs)
        n = jobs;
    return n ? n : 1;
}

void native_module_free(struct native_module *m)
{
    for (size_t i = 0; i < m->nslots; i++)
        free(m->slot_keys[i]);
    free(m->slot_keys);
    for (size_t i = 0; i < m->nguards; i++)
        native_guard_clear(&m->guards[i]);
    free(m->guards);
    for (size_t i = 0; i < m->nsources; i++)
        free(m->sources[i]);
    free(m->sources);
    free(m->mods);
    memset(m, 0, sizeof *m);
}

bool verify_module(LLVMModuleRef mod, char **err)
{
    char *msg = NULL;
    if (!LLVMVerifyModule(mod, LLVMReturnStatusAction, &msg)) {
        LLVMDisposeMessage(msg);
        return true;
    }
    *err = xstrdup(msg ? msg : "the module does not verify");
    LLVMDisposeMessage(msg);
    return false;
}

void print_generated_ir(FILE *out, LLVMModuleRef mod)
{
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
        size_t n;
        const char *name = LLVMGetValueName2(f, &n);
        bool generated = strncmp(name, "stoop_rule_", 11) == 0 ||
                         strncmp(name, "stoop_macro_", 12) == 0 || strncmp(name, "stoop_eval_", 11) == 0;
        if (LLVMCountBasicBlocks(f) == 0 || !generated)
            continue;
        char *s = LLVMPrintValueToString(f);
        fputs(s, out);
        fputc('\n', out);
        LLVMDisposeMessage(s);
    }
}
