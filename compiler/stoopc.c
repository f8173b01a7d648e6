/* stoopc: the compiler's command line. A thin layer over the front end:
 * lint, explain, fields, codes. The commands of the native back end
 * (compile, run, dump, explain --dump) run in stoopc-llvm, which this
 * program executes in its place: LLVM is a 100 MB shared library whose
 * loading alone would cost lint 25 ms and 50 MB. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "diag.h"
#include "pipeline.h"
#include "program.h"
#include "schema.h"
#include "util.h"


static void usage(FILE *out)
{
    fputs("usage: stoopc <command> [options]\n"
          "\n"
          "commands:\n"
          "  lint [--format text|json|sarif] [--werror] [--color] FILE...\n"
          "      check rules files, loaded in the order given, and report every problem\n"
          "  explain [--rule NAME] [--format text|json] FILE...\n"
          "      print each rule's resolved condition, macros, lists and event types\n"
          "  explain [--rule NAME] --dump ast,resolved,types,ir,ir-opt,asm FILE...\n"
          "      show each stage of the compilation (also: stoopc dump)\n"
          "  compile [-o RULESET.so] [--cpu CPU] [--stats] FILE...\n"
          "      compile rules files to native code in a ruleset shared object\n"
          "  run -r FILE... --input PATH... [options]\n"
          "      run rules over events with native code compiled in process (JIT);\n"
          "      the options of `stoop run` (stoopc run --help)\n"
          "  fields [--source S] [--json]\n"
          "      list the fields of every event source\n"
          "  codes [--markdown]\n"
          "      list every diagnostic code with its severity and description\n"
          "  version\n"
          "\n"
          "exit status: 0 no errors, 1 errors (or warnings with --werror), 2 usage or I/O problem\n",
          out);
}

struct common_opts {
    enum diag_format format;
    bool werror, color;
    const char *rule;
    const char **files;
    size_t nfiles;
};

/* Parses options shared by lint and explain; returns false on a usage error. */
static bool parse_opts(int argc, char **argv, struct common_opts *o, bool allow_sarif)
{
    o->files = calloc((size_t)argc + 1, sizeof *o->files);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            const char *f = argv[++i];
            if (strcmp(f, "text") == 0)
                o->format = DIAG_FMT_TEXT;
            else if (strcmp(f, "json") == 0)
                o->format = DIAG_FMT_JSON;
            else if (strcmp(f, "sarif") == 0 && allow_sarif)
                o->format = DIAG_FMT_SARIF;
            else {
                fprintf(stderr, "stoopc: unknown format '%s'\n", f);
                return false;
            }
        } else if (strncmp(a, "--format=", 9) == 0) {
            char *copy[] = {argv[0], "--format", (char *)a + 9};
            struct common_opts tmp = *o;
            if (!parse_opts(3, copy, &tmp, allow_sarif))
                return false;
            free(tmp.files);
            o->format = tmp.format;
        } else if (strcmp(a, "--werror") == 0) {
            o->werror = true;
        } else if (strcmp(a, "--color") == 0) {
            o->color = true;
        } else if (strcmp(a, "--rule") == 0 && i + 1 < argc) {
            o->rule = argv[++i];
        } else if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++)
                o->files[o->nfiles++] = argv[i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "stoopc: unknown option '%s'\n", a);
            return false;
        } else {
            o->files[o->nfiles++] = a;
        }
    }
    if (o->nfiles == 0) {
        fputs("stoopc: no rules files given\n", stderr);
        return false;
    }
    return true;
}

static bool has_read_error(const struct program *p)
{
    for (size_t i = 0; i < p->diags.n; i++)
        if (p->diags.v[i].code == LOAD_ERR_FILE_READ)
            return true;
    return false;
}

/* Falco's `-V` verdict per file, after the diagnostics. */
static void print_file_verdicts(const struct program *p)
{
    for (size_t f = 0; f < p->src.n; f++) {
        size_t errors = 0, warnings = 0;
        for (size_t i = 0; i < p->diags.n; i++) {
            if (p->diags.v[i].primary.file != f)
                continue;
            if (p->diags.v[i].severity == SEV_ERROR)
                errors++;
            else if (p->diags.v[i].severity == SEV_WARNING)
                warnings++;
        }
        printf("%s: %s", p->src.files[f]->path,
               errors ? "Invalid" : warnings ? "Ok, with warnings" : "Ok");
        if (errors || warnings)
            printf(" (%zu error%s, %zu warning%s)", errors, errors == 1 ? "" : "s", warnings,
                   warnings == 1 ? "" : "s");
        putchar('\n');
    }
}

static int cmd_lint(int argc, char **argv)
{
    struct common_opts o = {0};
    if (!parse_opts(argc, argv, &o, true)) {
        free(o.files);
        return 2;
    }
    struct program p;
    program_init(&p);
    pipeline_load(&p, o.files, o.nfiles);
    diag_sort(&p.diags);
    struct diag_render_opts ro = {o.format, o.color && isatty(STDOUT_FILENO)};
    if (o.color)
        ro.color = true;
    diag_render(stdout, &p.diags, &p.src, &ro);
    if (o.format == DIAG_FMT_TEXT) {
        if (p.diags.n)
            putchar('\n');
        print_file_verdicts(&p);
    }
    int rc = has_read_error(&p) ? 2
             : p.diags.nerrors || (o.werror && p.diags.nwarnings) ? 1
                                                                   : 0;
    program_free(&p);
    free(o.files);
    return rc;
}

static void json_string(FILE *out, const char *s)
{
    struct strbuf sb = {0};
    sb_json_escape(&sb, s, strlen(s));
    fprintf(out, "\"%s\"", sb.s ? sb.s : "");
    sb_free(&sb);
}

static void json_names(FILE *out, char **names, size_t n)
{
    fputc('[', out);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', out);
        json_string(out, names[i]);
    }
    fputc(']', out);
}

static void explain_rule_json(FILE *out, const struct rule_def *r, bool first)
{
    char *cond = r->ast ? expr_to_string(r->ast, true) : xstrdup("");
    fprintf(out, "%s{\"name\":", first ? "" : ",");
    json_string(out, r->name);
    fputs(",\"source\":", out);
    json_string(out, r->source);
    fprintf(out, ",\"enabled\":%s,\"priority\":", r->enabled ? "true" : "false");
    json_string(out, priority_name(r->priority));
    fputs(",\"condition\":", out);
    json_string(out, cond);
    fputs(",\"evttypes\":[", out);
    if (strcmp(r->source, "syscall") == 0 && !r->evttypes_all) {
        for (size_t i = 0; i < r->nevttypes; i++) {
            if (i)
                fputc(',', out);
            json_string(out, schema_event(r->evttypes[i])->name);
        }
    }
    fputs("],\"macros\":", out);
    json_names(out, r->macros_used, r->nmacros_used);
    fputs(",\"lists\":", out);
    json_names(out, r->lists_used, r->nlists_used);
    fputs(",\"tags\":", out);
    json_names(out, r->tags, r->ntags);
    fputc('}', out);
    free(cond);
}

static void explain_rule_text(FILE *out, const struct rule_def *r)
{
    char *cond = r->ast ? expr_to_string(r->ast, true) : xstrdup("(not compiled)");
    fprintf(out, "rule: %s\n  source: %s\n  enabled: %s\n  priority: %s\n  condition: %s\n",
            r->name, r->source, r->enabled ? "true" : "false", priority_name(r->priority), cond);
    if (strcmp(r->source, "syscall") == 0) {
        fputs("  event types: ", out);
        if (r->evttypes_all)
            fputs("all (no restriction)", out);
        for (size_t i = 0; !r->evttypes_all && i < r->nevttypes; i++)
            fprintf(out, "%s%s", i ? ", " : "", schema_event(r->evttypes[i])->name);
        fputc('\n', out);
    }
    fputs("  macros: ", out);
    for (size_t i = 0; i < r->nmacros_used; i++)
        fprintf(out, "%s%s", i ? ", " : "", r->macros_used[i]);
    fputs("\n  lists: ", out);
    for (size_t i = 0; i < r->nlists_used; i++)
        fprintf(out, "%s%s", i ? ", " : "", r->lists_used[i]);
    fputc('\n', out);
    free(cond);
}

/* Runs stoopc-llvm (beside this program, or $STOOPC_LLVM) with the same
 * arguments; returns only on failure. */
static int exec_backend(char **argv)
{
    const char *env = getenv("STOOPC_LLVM");
    char path[PATH_MAX];
    if (env && *env) {
        snprintf(path, sizeof path, "%s", env);
    } else {
        ssize_t n = readlink("/proc/self/exe", path, sizeof path - 16);
        if (n <= 0) {
            fputs("stoopc: cannot find my own path to run stoopc-llvm (set STOOPC_LLVM)\n", stderr);
            return 2;
        }
        path[n] = '\0';
        char *slash = strrchr(path, '/');
        strcpy(slash ? slash + 1 : path, "stoopc-llvm");
    }
    argv[0] = path;
    execv(path, argv);
    fprintf(stderr, "stoopc: cannot run the native back end %s: %s\n", path, strerror(errno));
    return 2;
}

static int cmd_explain(int argc, char **argv, char **full_argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--dump") == 0)
            return exec_backend(full_argv); /* explain --dump STAGES: the compilation stages */
    struct common_opts o = {0};
    if (!parse_opts(argc, argv, &o, false)) {
        free(o.files);
        return 2;
    }
    struct program p;
    program_init(&p);
    pipeline_load(&p, o.files, o.nfiles);
    int rc = has_read_error(&p) ? 2 : p.diags.nerrors ? 1 : 0;
    if (p.diags.nerrors) {
        diag_sort(&p.diags);
        struct diag_render_opts ro = {DIAG_FMT_TEXT, false};
        diag_render(stderr, &p.diags, &p.src, &ro);
    }
    bool found = o.rule == NULL, first = true;
    if (o.format == DIAG_FMT_JSON)
        fputs("[", stdout);
    for (size_t i = 0; i < p.nrules; i++) {
        const struct rule_def *r = p.rules[i];
        if (o.rule && strcmp(o.rule, r->name) != 0)
            continue;
        found = true;
        if (o.format == DIAG_FMT_JSON)
            explain_rule_json(stdout, r, first);
        else
            explain_rule_text(stdout, r);
        first = false;
    }
    if (o.format == DIAG_FMT_JSON)
        fputs("]\n", stdout);
    if (!found) {
        fprintf(stderr, "stoopc: no rule named '%s'\n", o.rule);
        rc = rc ? rc : 1;
    }
    program_free(&p);
    free(o.files);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "lint") == 0)
        return cmd_lint(argc - 1, argv + 1);
    if (strcmp(cmd, "explain") == 0)
        return cmd_explain(argc - 1, argv + 1, argv);
    if (strcmp(cmd, "compile") == 0 || strcmp(cmd, "run") == 0 || strcmp(cmd, "dump") == 0)
        return exec_backend(argv);
    if (strcmp(cmd, "fields") == 0)
        return cmd_fields(argc - 1, argv + 1);
    if (strcmp(cmd, "codes") == 0) {
        diag_print_code_table(stdout, argc > 2 && strcmp(argv[2], "--markdown") == 0);
        return 0;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("stoopc %s (Falco rules engine version %s)\n", STOOP_VERSION,
               STOOP_ENGINE_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "stoopc: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
