/* emit.c: writes a ruleset shared object (`stoopc compile -o X.so`).
 *
 * The object holds the optimised native code and, in the ELF section
 * .stoop_manifest, a manifest the runtime reads before it maps anything
 * (runtime/ruleset_load.c):
 *   <JSON text> NUL <rules file 1 bytes> <rules file 2 bytes> ...
 * The JSON says what the object is (format, stoop version, native ABI,
 * schema hash), what it holds (rules: name, source, priority, tags,
 * enabled, output; per source: its entry symbol and the fields it needs;
 * the slot keys of the native code; the memo size; the rule guards, with
 * values in hex since they may hold any byte) and where each rules
 * file's bytes are (offset after the NUL, length): the runtime rebuilds
 * the rules' output formats and interpreter fallbacks from those files
 * with the front end, which needs no LLVM. The partitions of the code are
 * optimised and emitted on parallel threads, then linked into a shared
 * object by the system's C compiler driver (cc, or $CC). */
#include <errno.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "emit.h"
#include "schema.h"
#include "util.h"
#include "../runtime/native_abi.h"

extern char **environ;

static void json_str(struct strbuf *sb, const char *s)
{
    sb_putc(sb, '"');
    sb_json_escape(sb, s ? s : "", s ? strlen(s) : 0);
    sb_putc(sb, '"');
}

static void collect_fields_operand(const struct operand *o, struct strmap *seen, struct strbuf *sb,
                                   bool *first)
{
    if (o->kind == OPND_FIELD && o->u.field.info) {
        const char *name = o->u.field.info->name;
        if (!strmap_get(seen, name)) {
            strmap_put(seen, name, (void *)1);
            sb_puts(sb, *first ? "" : ",");
            json_str(sb, name);
            *first = false;
        }
    } else if (o->kind == OPND_TRANSFORM) {
        for (size_t i = 0; i < o->u.transform.nargs; i++)
            collect_fields_operand(o->u.transform.args[i], seen, sb, first);
    } else if (o->kind == OPND_LIST) {
        for (size_t i = 0; i < o->u.list.n; i++)
            collect_fields_operand(o->u.list.items[i], seen, sb, first);
    }
}

static void collect_fields_expr(const struct expr *e, struct strmap *seen, struct strbuf *sb,
                                bool *first)
{
    switch (e->kind) {
    case EXPR_AND:
    case EXPR_OR:
        for (size_t i = 0; i < e->u.nary.n; i++)
            collect_fields_expr(e->u.nary.v[i], seen, sb, first);
        return;
    case EXPR_NOT:
        collect_fields_expr(e->u.child, seen, sb, first);
        return;
    case EXPR_MACRO_REF:
        if (e->u.macro.body)
            collect_fields_expr(e->u.macro.body, seen, sb, first);
        return;
    case EXPR_CHECK:
        collect_fields_operand(e->u.check.lhs, seen, sb, first);
        if (e->u.check.rhs)
            collect_fields_operand(e->u.check.rhs, seen, sb, first);
        return;
    }
}

char *manifest_json(const struct program *p, const struct native_module *nm, size_t *len)
{
    struct strbuf sb = {0};
    sb_printf(&sb,
              "{\"format\":\"stoop-ruleset\",\"stoop_version\":\"%s\",\"abi\":%d,"
              "\"schema_hash\":\"%016" PRIx64 "\",\"engine_version\":\"%s\",\"nmemo\":%u,",
              STOOP_VERSION, STOOP_NATIVE_ABI, schema_hash(), STOOP_ENGINE_VERSION, nm->nmemo);
    sb_puts(&sb, "\"files\":[");
    size_t offset = 0;
    for (size_t i = 0; i < p->src.n; i++) {
        const struct source_file *f = p->src.files[i];
        sb_puts(&sb, i ? ",{\"name\":" : "{\"name\":");
        json_str(&sb, f->path);
        sb_printf(&sb, ",\"offset\":%zu,\"length\":%zu}", offset, f->len);
        offset += f->len;
    }
    sb_puts(&sb, "],\"rules\":[");
    bool first_rule = true;
    for (size_t i = 0; i < p->nrules; i++) {
        const struct rule_def *r = p->rules[i];
        sb_puts(&sb, first_rule ? "{\"index\":" : ",{\"index\":");
        first_rule = false;
        sb_printf(&sb, "%zu,\"name\":", i);
        json_str(&sb, r->name);
        sb_puts(&sb, ",\"source\":");
        json_str(&sb, r->source);
        sb_puts(&sb, ",\"priority\":");
        json_str(&sb, priority_name(r->priority));
        sb_printf(&sb, ",\"enabled\":%s,\"native\":%s,\"tags\":[", r->enabled ? "true" : "false",
                  rule_is_compiled(r) ? "true" : "false");
        for (size_t t = 0; t < r->ntags; t++) {
            sb_puts(&sb, t ? "," : "");
            json_str(&sb, r->tags[t]);
        }
        sb_puts(&sb, "],\"output\":");
        json_str(&sb, r->output.text);
        sb_putc(&sb, '}');
    }
    sb_puts(&sb, "],\"sources\":[");
    for (size_t s = 0; s < nm->nsources; s++) {
        const char *src = nm->sources[s];
        sb_puts(&sb, s ? ",{\"name\":" : "{\"name\":");
        json_str(&sb, src);
        sb_printf(&sb, ",\"entry\":\"" NATIVE_SYM_EVAL_PREFIX "%s\",\"fields\":[", src);
        struct strmap seen = {0};
        bool first = true;
        for (size_t i = 0; i < p->nrules; i++) {
            const struct rule_def *r = p->rules[i];
            if (!rule_is_compiled(r) || strcmp(r->source, src) != 0)
                continue;
            collect_fields_expr(r->ast, &seen, &sb, &first);
            for (size_t k = 0; k < r->output_fmt.n; k++)
                if (r->output_fmt.parts[k].is_token && r->output_fmt.parts[k].opnd)
                    collect_fields_operand(r->output_fmt.parts[k].opnd, &seen, &sb, &first);
        }
        strmap_free(&seen);
        sb_puts(&sb, "]}");
    }
    sb_puts(&sb, "],\"guards\":[");
    for (size_t i = 0; i < nm->nguards; i++) {
        const struct native_guard *g = &nm->guards[i];
        sb_printf(&sb, "%s{\"rule\":%u,\"slot\":%u,\"values_hex\":[", i ? "," : "", g->rule, g->slot);
        for (size_t v = 0; v < g->nvalues; v++) {
            sb_puts(&sb, v ? ",\"" : "\"");
            for (size_t k = 0; k < g->lens[v]; k++)
                sb_printf(&sb, "%02x", (unsigned char)g->values[v][k]);
            sb_putc(&sb, '"');
        }
        sb_putc(&sb, ']');
        if (g->nvalues2) {
            sb_printf(&sb, ",\"slot2\":%u,\"values2_hex\":[", g->slot2);
            for (size_t v = 0; v < g->nvalues2; v++) {
                sb_puts(&sb, v ? ",\"" : "\"");
                for (size_t k = 0; k < g->lens2[v]; k++)
                    sb_printf(&sb, "%02x", (unsigned char)g->values2[v][k]);
                sb_putc(&sb, '"');
            }
            sb_putc(&sb, ']');
        }
        sb_putc(&sb, '}');
    }
    sb_puts(&sb, "],\"slots\":[");
    for (size_t i = 0; i < nm->nslots; i++) {
        sb_puts(&sb, i ? "," : "");
        json_str(&sb, nm->slot_keys[i]);
    }
    sb_puts(&sb, "]}");
    *len = sb.len;
    return sb_take(&sb);
}

/* The manifest section: JSON, NUL, then the rules files' bytes. */
static void add_manifest(const struct program *p, const struct native_module *nm)
{
    size_t jlen;
    char *json = manifest_json(p, nm, &jlen);
    struct strbuf blob = {0};
    sb_append(&blob, json, jlen + 1); /* with its NUL */
    free(json);
    for (size_t i = 0; i < p->src.n; i++)
        sb_append(&blob, p->src.files[i]->text, p->src.files[i]->len);
    LLVMContextRef ctx = LLVMGetModuleContext(nm->mods[0]);
    LLVMValueRef init = LLVMConstStringInContext(ctx, blob.s, (unsigned)blob.len, true);
    LLVMValueRef gv = LLVMAddGlobal(nm->mods[0], LLVMTypeOf(init), NATIVE_SYM_MANIFEST);
    LLVMSetInitializer(gv, init);
    LLVMSetGlobalConstant(gv, true);
    LLVMSetSection(gv, NATIVE_MANIFEST_SECTION);
    LLVMSetAlignment(gv, 1);
    sb_free(&blob);
}

/* Runs argv, waits; false with *err unless it exits 0. */
static bool run_tool(char *const *argv, char **err)
{
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
    if (rc != 0) {
        *err = xasprintf("cannot run '%s' to link the shared object: %s (stoopc compile needs a C "
                         "compiler driver; set CC)", argv[0], strerror(rc));
        return false;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            *err = xasprintf("waiting for '%s': %s", argv[0], strerror(errno));
            return false;
        }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        *err = xasprintf("'%s' failed to link the shared object", argv[0]);
        return false;
    }
    return true;
}

bool emit_shared_object(const struct program *p, struct native_module *nm, const char *cpu,
                        const char *out_path, double *link_seconds, char **err)
{
    add_manifest(p, nm);
    char *prefix = xasprintf("%s.%ld.part", out_path, (long)getpid());
    char *tmp = xasprintf("%s.%ld.tmp", out_path, (long)getpid());
    bool ok = false;
    char **argv = xcalloc(nm->nmods + 6, sizeof *argv);
    if (!optimize_parallel(nm, cpu, true, prefix, err))
        goto done;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const char *cc = getenv("CC");
    size_t k = 0;
    argv[k++] = (char *)(cc && *cc ? cc : "cc");
    argv[k++] = "-shared";
    argv[k++] = "-o";
    argv[k++] = tmp;
    for (size_t i = 0; i < nm->nmods; i++)
        argv[k++] = xasprintf("%s%zu.o", prefix, i);
    if (!run_tool(argv, err))
        goto done;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (link_seconds)
        *link_seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (rename(tmp, out_path) != 0) {
        *err = xasprintf("cannot write %s: %s", out_path, strerror(errno));
        goto done;
    }
    ok = true;
done:
    for (size_t i = 0; i < nm->nmods; i++) {
        char *obj = xasprintf("%s%zu.o", prefix, i);
        unlink(obj);
        free(obj);
    }
    for (size_t i = 4; argv[i]; i++)
        free(argv[i]);
    free(argv);
    unlink(tmp);
    free(prefix);
    free(tmp);
    return ok;
}
