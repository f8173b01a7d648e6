/* cmd_compile.c: `stoopc compile` (rules files to a ruleset shared object)
 * and `stoopc dump` (each stage of the compilation of a rule: its parsed
 * tree, with macros and lists resolved, with types, the generated IR
 * before and after optimisation, and the assembly). */
#include <llvm-c/Core.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "diag.h"
#include "emit.h"
#include "native.h"
#include "pipeline.h"
#include "util.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Loads rules files; prints diagnostics with errors. 0, 1 (rule errors)
 * or 2 (unreadable file). */
static int load(struct program *p, const char *const *files, size_t n)
{
    bool read_ok = pipeline_load(p, files, n);
    if (p->diags.nerrors) {
        diag_sort(&p->diags);
        struct diag_render_opts ro = {DIAG_FMT_TEXT, false};
        diag_render(stderr, &p->diags, &p->src, &ro);
        fprintf(stderr, "stoopc: not compiled: the rules have %zu error%s\n", p->diags.nerrors,
                p->diags.nerrors == 1 ? "" : "s");
        return read_ok ? 1 : 2;
    }
    return 0;
}

static void compile_usage(FILE *out)
{
    fputs("usage: stoopc compile [-o RULESET.so] [--cpu CPU|native] [--jobs N] [--no-inline]\n"
          "                      [--no-memo] [--no-guards] [--stats] [--quiet] RULES...\n"
          "\n"
          "Compiles rules files (loaded in the order given, as Falco loads -r files) to a\n"
          "ruleset shared object for `stoop run -r RULESET.so`. The code targets a generic\n"
          "x86-64 CPU unless --cpu says otherwise. --no-inline, --no-memo and --no-guards\n"
          "turn off inline checks, shared-macro memoisation and the rule guards the\n"
          "runtime indexes (to measure each). --stats prints each stage's time. Large\n"
          "rule sets are split into partitions compiled on --jobs threads (default: the\n"
          "online CPUs, at most 8).\n",
          out);
}

int cmd_compile(int argc, char **argv)
{
    const char *out = "ruleset.so", *cpu = NULL;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned jobs = ncpu > 0 ? (unsigned)(ncpu < 8 ? ncpu : 8) : 1;
    bool stats = false, quiet = false;
    struct codegen_opts co;
    codegen_opts_default(&co);
    const char **files = xcalloc((size_t)argc + 1, sizeof *files);
    size_t nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-o") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(a, "--cpu") == 0 && i + 1 < argc)
            cpu = argv[++i];
        else if (strcmp(a, "--jobs") == 0 && i + 1 < argc && atoi(argv[i + 1]) > 0)
            jobs = (unsigned)atoi(argv[++i]);
        else if (strcmp(a, "--no-inline") == 0)
            co.inline_checks = false;
        else if (strcmp(a, "--no-memo") == 0)
            co.memo_macros = false;
        else if (strcmp(a, "--no-guards") == 0)
            co.guards = false;
        else if (strcmp(a, "--stats") == 0)
            stats = true;
        else if (strcmp(a, "--quiet") == 0)
            quiet = true;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            compile_usage(stdout);
            free(files);
            return 0;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "stoopc: unknown option '%s'\n", a);
            compile_usage(stderr);
            free(files);
            return 2;
        } else
            files[nfiles++] = a;
    }
    if (nfiles == 0) {
        fputs("stoopc: no rules files given\n", stderr);
        compile_usage(stderr);
        free(files);
        return 2;
    }
    double t0 = now();
    struct program p;
    program_init(&p);
    int rc = load(&p, files, nfiles);
    free(files);
    if (rc) {
        program_free(&p);
        return rc;
    }
    double t1 = now();
    char *err = NULL;
    size_t nparts = codegen_partitions(&p, jobs);
    LLVMContextRef *ctxs = xcalloc(nparts, sizeof *ctxs);
    for (size_t k = 0; k < nparts; k++)
        ctxs[k] = LLVMContextCreate();
    struct native_module nm;
    generate_code(&p, ctxs, nparts, &co, &nm);
    double t2 = now(), link = 0;
    bool ok = emit_shared_object(&p, &nm, cpu, out, &link, &err);
    double t3 = now();
    if (!ok) {
        fprintf(stderr, "stoopc: %s\n", err);
        free(err);
        rc = 2;
    } else {
        size_t nrules = 0;
        for (size_t i = 0; i < p.nrules; i++)
            nrules += rule_is_compiled(p.rules[i]);
        if (!quiet)
            fprintf(stderr, "stoopc: %s: %zu rules, %zu sources, %zu checks inline, %zu through "
                            "the interpreter, %u shared macros, %zu guarded rules, in %.3f s\n",
                    out, nrules, nm.nsources, nm.ninline, nm.nfallback, nm.nmemo, nm.nguards,
                    t3 - t0);
        if (stats)
            fprintf(stderr, "stoopc: stages: load %.1f ms, generate %.1f ms, verify + optimise + "
                            "emit %.1f ms (%zu partition%s in parallel), link %.1f ms\n",
                    (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2 - link) * 1e3, nparts,
                    nparts == 1 ? "" : "s", link * 1e3);
    }
    for (size_t k = 0; k < nparts; k++) {
        LLVMDisposeModule(nm.mods[k]);
        LLVMContextDispose(ctxs[k]);
    }
    free(ctxs);
    native_module_free(&nm);
    program_free(&p);
    return rc;
}

/* ---- dump ---- */

enum dump_stage { D_AST, D_RESOLVED, D_TYPES, D_IR, D_IR_OPT, D_ASM, D_COUNT };
static const char *const stage_names[] = {"ast", "resolved", "types", "ir", "ir-opt", "asm"};

static void dump_types(FILE *out, const struct expr *e, int depth)
{
    fprintf(out, "%*s", depth * 2, "");
    switch (e->kind) {
    case EXPR_AND:
    case EXPR_OR:
        fputs(e->kind == EXPR_AND ? "and\n" : "or\n", out);
        for (size_t i = 0; i < e->u.nary.n; i++)
            dump_types(out, e->u.nary.v[i], depth + 1);
        return;
    case EXPR_NOT:
        fputs("not\n", out);
        dump_types(out, e->u.child, depth + 1);
        return;
    case EXPR_MACRO_REF:
        fprintf(out, "macro %s\n", e->u.macro.name);
        if (e->u.macro.body)
            dump_types(out, e->u.macro.body, depth + 1);
        return;
    case EXPR_CHECK: {
        char *lhs = operand_to_string(e->u.check.lhs);
        fprintf(out, "%s : %s%s %s", lhs, field_type_name(e->u.check.lhs->type),
                e->u.check.lhs->is_list ? " list" : "", op_spelling(e->u.check.op));
        free(lhs);
        if (e->u.check.rhs) {
            char *rhs = operand_to_string(e->u.check.rhs);
            fprintf(out, " %s", rhs);
            free(rhs);
            if (e->u.check.nvalues)
                fprintf(out, " : %zu constant%s", e->u.check.nvalues,
                        e->u.check.nvalues == 1 ? "" : "s");
        }
        fputc('\n', out);
        return;
    }
    }
}

static void print_function_ir(FILE *out, LLVMModuleRef mod, const char *name)
{
    LLVMValueRef f = LLVMGetNamedFunction(mod, name);
    if (!f || LLVMCountBasicBlocks(f) == 0) {
        fprintf(out, "; %s was inlined into its source's entry (stoop_eval_*)\n", name);
        return;
    }
    char *s = LLVMPrintValueToString(f);
    fputs(s, out);
    fputc('\n', out);
    LLVMDisposeMessage(s);
}

static void usage_dump(FILE *out)
{
    fputs("usage: stoopc dump [--rule NAME] [--stage ast,resolved,types,ir,ir-opt,asm] RULES...\n"
          "Shows each compilation stage of every rule (or one): the parsed condition, with\n"
          "macros and lists resolved, with operand types; the generated LLVM IR before and\n"
          "after O2, and the assembly for this host.\n",
          out);
}

int cmd_dump(int argc, char **argv)
{
    bool want[D_COUNT] = {false};
    bool any = false;
    const char *rule = NULL;
    const char **files = xcalloc((size_t)argc + 1, sizeof *files);
    size_t nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "--stage") == 0 || strcmp(a, "--dump") == 0) && i + 1 < argc) {
            char *list = xstrdup(argv[++i]);
            for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
                int k = 0;
                while (k < D_COUNT && strcmp(stage_names[k], tok) != 0)
                    k++;
                if (k == D_COUNT) {
                    fprintf(stderr, "stoopc: unknown stage '%s'\n", tok);
                    free(list);
                    free(files);
                    return 2;
                }
                want[k] = any = true;
            }
            free(list);
        } else if (strcmp(a, "--rule") == 0 && i + 1 < argc) {
            rule = argv[++i];
        } else if (strcmp(a, "--help") == 0) {
            usage_dump(stdout);
            free(files);
            return 0;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "stoopc: unknown option '%s'\n", a);
            usage_dump(stderr);
            free(files);
            return 2;
        } else {
            files[nfiles++] = a;
        }
    }
    if (!nfiles) {
        usage_dump(stderr);
        free(files);
        return 2;
    }
    for (int k = 0; k < D_COUNT && !any; k++)
        want[k] = true;
    struct program p;
    program_init(&p);
    int rc = load(&p, files, nfiles);
    free(files);
    if (rc) {
        program_free(&p);
        return rc;
    }
    bool found = rule == NULL;
    for (size_t i = 0; i < p.nrules; i++) {
        const struct rule_def *r = p.rules[i];
        if ((rule && strcmp(rule, r->name) != 0) || !r->ast)
            continue;
        found = true;
        if (!want[D_AST] && !want[D_RESOLVED] && !want[D_TYPES])
            continue;
        printf("== rule %s (%s)\n", r->name, r->source);
        if (want[D_AST]) {
            char *s = expr_to_string(r->ast, false);
            printf("-- ast\n%s\n", s);
            free(s);
        }
        if (want[D_RESOLVED]) {
            char *s = expr_to_string(r->ast, true);
            printf("-- resolved\n%s\n", s);
            free(s);
        }
        if (want[D_TYPES]) {
            puts("-- types");
            dump_types(stdout, r->ast, 0);
        }
    }
    if (!found) {
        fprintf(stderr, "stoopc: no rule named '%s'\n", rule);
        program_free(&p);
        return 1;
    }
    if (want[D_IR] || want[D_IR_OPT] || want[D_ASM]) {
        char *err = NULL;
        LLVMTargetMachineRef tm = native_target_machine("native", false, &err);
        if (!tm) {
            fprintf(stderr, "stoopc: %s\n", err);
            free(err);
            program_free(&p);
            return 2;
        }
        LLVMContextRef ctx = LLVMContextCreate();
        struct codegen_opts co;
        codegen_opts_default(&co);
        struct native_module nm;
        generate_code(&p, &ctx, 1, &co, &nm);
        char *fname = NULL;
        for (size_t i = 0; rule && i < p.nrules; i++)
            if (strcmp(p.rules[i]->name, rule) == 0)
                fname = xasprintf("stoop_rule_%zu", i);
        if (want[D_IR]) {
            puts("== ir");
            if (fname)
                print_function_ir(stdout, nm.mods[0], fname);
            else
                print_generated_ir(stdout, nm.mods[0]);
        }
        bool ok = verify_module(nm.mods[0], &err) && optimize_module(nm.mods[0], tm, &err);
        if (!ok) {
            fprintf(stderr, "stoopc: %s\n", err);
            free(err);
            rc = 2;
        }
        if (ok && want[D_IR_OPT]) {
            puts("== ir-opt");
            if (fname)
                print_function_ir(stdout, nm.mods[0], fname);
            else
                print_generated_ir(stdout, nm.mods[0]);
        }
        if (ok && want[D_ASM]) {
            LLVMMemoryBufferRef buf;
            char *msg = NULL;
            if (LLVMTargetMachineEmitToMemoryBuffer(tm, nm.mods[0], LLVMAssemblyFile, &msg, &buf)) {
                fprintf(stderr, "stoopc: %s\n", msg ? msg : "cannot emit assembly");
                LLVMDisposeMessage(msg);
                rc = 2;
            } else {
                puts("== asm");
                fwrite(LLVMGetBufferStart(buf), 1, LLVMGetBufferSize(buf), stdout);
                LLVMDisposeMemoryBuffer(buf);
            }
        }
        free(fname);
        LLVMDisposeModule(nm.mods[0]);
        native_module_free(&nm);
        LLVMContextDispose(ctx);
        LLVMDisposeTargetMachine(tm);
    }
    program_free(&p);
    return rc;
}
