/* run.c: `stoop run`: load rules, read every input of one source to its
 * end, evaluate each event, write alerts, and say at the end what was read,
 * skipped and found. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "stoop_commands.h"
#include "input.h"
#include "native_code.h"
#include "pipeline.h"
#include "util.h"

struct str_vec {
    const char **v;
    size_t n, cap;
};

struct run_opts {
    struct str_vec rules, inputs, disable, enable_tags;
    const char *source;
    const char *output;
    const char *engine; /* NULL: native */
    enum rule_matching matching;
    enum priority min_priority;
    bool json, strict, iso8601;
};

struct run_state {
    FILE *out;
    struct alert_opts alert;
    uint64_t by_priority[PRIO_COUNT];
    uint64_t alerts;
};

static void run_usage(FILE *out, const char *prog, const struct run_engine *engine)
{
    fprintf(out,
            "usage: %s run -r RULES...|RULESET.so [--source SRC] (--input PATH|-)... [--json]\n"
            "                 [--engine %s|interp] [--rule-matching first|all]\n"
            "                 [--min-priority P] [--disable-rule PATTERN] [--enable-tag TAG]\n"
            "                 [-o FILE] [--time-iso8601] [--strict]\n"
            "\n"
            "Reads every input (files, directories walked in name order, gzip, or - for\n"
            "stdin) as events of one source, writes one alert per line (Falco's text, or\n"
            "its JSON with --json) and a summary on stderr. Malformed input is reported,\n"
            "counted and skipped; --strict makes that an error (exit 1).\n"
            "Rules run as native code: a ruleset built by `stoopc compile`, or rules\n"
            "files %s; --engine interp interprets them instead.\n",
            prog, engine->name,
            strcmp(engine->name, "jit") == 0 ? "compiled in process (JIT)"
                                              : "compiled by stoopc once and cached");
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Takes the arguments after an option up to the next option. */
static int take_values(int argc, char **argv, int i, struct str_vec *vec)
{
    int taken = 0;
    while (i + 1 < argc && (argv[i + 1][0] != '-' || strcmp(argv[i + 1], "-") == 0)) {
        VEC_PUSH(*vec, argv[++i]);
        taken++;
    }
    return taken;
}

static bool parse_run_opts(int argc, char **argv, struct run_opts *o)
{
    o->matching = MATCH_FIRST;
    o->min_priority = PRIO_DEBUG;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int n = 0;
        if (strcmp(a, "-r") == 0 || strcmp(a, "--rules") == 0) {
            n = take_values(argc, argv, i, &o->rules);
        } else if (strcmp(a, "--input") == 0 || strcmp(a, "-i") == 0) {
            n = take_values(argc, argv, i, &o->inputs);
        } else if (strcmp(a, "--source") == 0 && i + 1 < argc) {
            o->source = argv[++i];
            continue;
        } else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
            o->output = argv[++i];
            continue;
        } else if (strcmp(a, "--engine") == 0 && i + 1 < argc) {
            o->engine = argv[++i];
            continue;
        } else if (strcmp(a, "--json") == 0) {
            o->json = true;
            continue;
        } else if (strcmp(a, "--strict") == 0) {
            o->strict = true;
            continue;
        } else if (strcmp(a, "--time-iso8601") == 0) {
            o->iso8601 = true;
            continue;
        } else if (strcmp(a, "--rule-matching") == 0 && i + 1 < argc) {
            const char *m = argv[++i];
            if (strcmp(m, "first") == 0)
                o->matching = MATCH_FIRST;
            else if (strcmp(m, "all") == 0)
                o->matching = MATCH_ALL;
            else {
                fprintf(stderr, "stoop: --rule-matching is first or all, not '%s'\n", m);
                return false;
            }
            continue;
        } else if (strcmp(a, "--min-priority") == 0 && i + 1 < argc) {
            if (!priority_parse(argv[++i], &o->min_priority)) {
                fprintf(stderr, "stoop: unknown priority '%s'\n", argv[i]);
                return false;
            }
            continue;
        } else if (strcmp(a, "--disable-rule") == 0 && i + 1 < argc) {
            VEC_PUSH(o->disable, argv[++i]);
            continue;
        } else if (strcmp(a, "--enable-tag") == 0 && i + 1 < argc) {
            VEC_PUSH(o->enable_tags, argv[++i]);
            continue;
        } else {
            fprintf(stderr, "stoop: unknown or incomplete option '%s'\n", a);
            return false;
        }
        if (n == 0) {
            fprintf(stderr, "stoop: %s needs at least one value\n", a);
            return false;
        }
        i += n;
    }
    if (o->rules.n == 0 || o->inputs.n == 0) {
        fputs("stoop: run needs rules (-r) and inputs (--input)\n", stderr);
        return false;
    }
    return true;
}

static void on_match(void *ctx, const struct rule_def *rule, const struct event *ev,
                     struct ruleset *rs)
{
    struct run_state *st = ctx;
    alert_write(st->out, &st->alert, rs, rule, ev);
    st->by_priority[rule->priority]++;
    st->alerts++;
}

const char *run_hostname(void)
{
    static char name[256];
    const char *env = getenv("FALCO_HOSTNAME");
    if (env && *env)
        return env;
    if (gethostname(name, sizeof name - 1) != 0)
        strcpy(name, "localhost");
    name[sizeof name - 1] = '\0';
    return name;
}

/* Loads rules; prints the diagnostics of failed files. Returns 0, or the
 * exit status to stop with. */
int run_load_rules(struct program *p, const char *const *paths, size_t n)
{
    bool read_ok = pipeline_load(p, paths, n);
    if (p->diags.nerrors) {
        diag_sort(&p->diags);
        struct diag_render_opts ro = {DIAG_FMT_TEXT, false};
        diag_render(stderr, &p->diags, &p->src, &ro);
        fprintf(stderr, "stoop: the rules have %zu error%s (stoopc lint shows them too)\n",
                p->diags.nerrors, p->diags.nerrors == 1 ? "" : "s");
        return read_ok ? 1 : 2;
    }
    return 0;
}

static const struct run_engine cached_native_engine = {"native", native_cache_prepare};

int cmd_run(int argc, char **argv)
{
    return run_main("stoop", argc, argv, &cached_native_engine);
}

/* Loads the rules (files, or a ruleset shared object) and, unless
 * interpreting, their native code. Returns 0 or the exit status. */
static int load_program(const char *prog, const struct run_opts *o,
                        const struct run_engine *engine, struct program *p,
                        struct native_code *nc, bool *have_native)
{
    bool interp = o->engine && strcmp(o->engine, "interp") == 0;
    char *err = NULL;
    *have_native = false;
    if (o->rules.n == 1 && ruleset_file_looks_native(o->rules.v[0])) {
        if (!ruleset_open(o->rules.v[0], p, nc, &err)) {
            fprintf(stderr, "%s: %s\n", prog, err);
            free(err);
            return 2;
        }
        if (interp)
            native_code_free(nc);
        *have_native = !interp;
        return 0;
    }
    int rc = run_load_rules(p, o->rules.v, o->rules.n);
    if (rc || interp)
        return rc;
    if (engine->prepare(p, o->rules.v, o->rules.n, nc, &err)) {
        *have_native = true;
    } else {
        fprintf(stderr, "%s: warning: no native code (%s); interpreting the rules\n", prog, err);
        free(err);
    }
    return 0;
}

int run_main(const char *prog, int argc, char **argv, const struct run_engine *engine)
{
    struct run_opts o = {0};
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        run_usage(stdout, prog, engine);
        return 0;
    }
    bool parsed = parse_run_opts(argc, argv, &o);
    if (parsed && o.engine && strcmp(o.engine, "interp") != 0 && strcmp(o.engine, "native") != 0 &&
        strcmp(o.engine, engine->name) != 0) {
        fprintf(stderr, "%s: --engine is %s or interp, not '%s'\n", prog, engine->name, o.engine);
        parsed = false;
    }
    if (!parsed) {
        run_usage(stderr, prog, engine);
        VEC_FREE(o.rules);
        VEC_FREE(o.inputs);
        VEC_FREE(o.disable);
        VEC_FREE(o.enable_tags);
        return 2;
    }
    int rc = 0;
    struct program p;
    program_init(&p);
    struct ruleset *rs = NULL;
    struct event_reader *er = NULL;
    struct run_state st = {.out = stdout};
    struct native_code nc = {0};
    bool have_native = false;
    if ((rc = load_program(prog, &o, engine, &p, &nc, &have_native)) != 0)
        goto done;
    const char *source = o.source ? o.source : program_only_source(&p);
    const struct source_plugin *sp = source ? source_plugin_find(source) : NULL;
    if (!sp) {
        if (source)
            fprintf(stderr, "stoop: no input for source '%s' (k8s_audit, aws_cloudtrail, github, "
                            "okta, json, syscall)\n",
                    source);
        else
            fputs("stoop: the rules use several sources: choose one with --source\n", stderr);
        rc = 2;
        goto done;
    }
    struct rule_selection sel = {.min_priority = o.min_priority,
                                 .disable_patterns = o.disable.v,
                                 .ndisable = o.disable.n,
                                 .enable_tags = o.enable_tags.v,
                                 .nenable_tags = o.enable_tags.n};
    rs = ruleset_new(&p, sp->name, &sel);
    if (have_native && ruleset_size(rs) > 0) {
        char *err = NULL;
        if (!native_code_bind(&nc, rs, sp->name, &err)) {
            fprintf(stderr, "%s: warning: %s; interpreting the rules\n", prog, err);
            free(err);
        }
    }
    if (ruleset_size(rs) == 0)
        fprintf(stderr, "stoop: warning: no enabled rules for source '%s'\n", sp->name);
    if (o.output && !(st.out = fopen(o.output, "w"))) {
        fprintf(stderr, "stoop: cannot write '%s': %s\n", o.output, strerror(errno));
        rc = 2;
        goto done;
    }
    st.alert = (struct alert_opts){.json = o.json, .hostname = run_hostname(), .time_iso8601 = o.iso8601};
    struct input_opts iopts = {0};
    er = event_reader_open(sp, o.inputs.v, o.inputs.n, &iopts, st.alert.hostname);
    double start = now_seconds(), next_progress = start + 2.0;
    struct event ev;
    uint64_t events = 0;
    while (event_reader_next(er, &ev)) {
        ruleset_eval(rs, &ev, o.matching, on_match, &st);
        if ((++events & 4095) == 0 && now_seconds() >= next_progress) {
            double t = now_seconds() - start;
            struct event_counts c;
            event_reader_counts(er, &c);
            fprintf(stderr, "stoop: %llu events, %.1f MB, %llu alerts, %.0f events/s\n",
                    (unsigned long long)c.events, (double)c.bytes / 1e6,
                    (unsigned long long)st.alerts, (double)c.events / t);
            next_progress += 2.0;
        }
    }
    fflush(st.out);
    double elapsed = now_seconds() - start;
    struct event_counts c;
    event_reader_counts(er, &c);
    fprintf(stderr, "stoop: %llu events read, %llu skipped as malformed, ",
            (unsigned long long)c.events, (unsigned long long)c.skipped);
    /* Problems also count whole inputs refused (unreadable, fake gzip). */
    if (c.problems > c.skipped)
        fprintf(stderr, "%llu input problem%s reported, ", (unsigned long long)c.problems,
                c.problems == 1 ? "" : "s");
    fprintf(stderr, "%llu alert%s", (unsigned long long)st.alerts, st.alerts == 1 ? "" : "s");
    const char *sep = " (";
    for (int i = 0; i < PRIO_COUNT; i++) {
        if (st.by_priority[i]) {
            fprintf(stderr, "%s%s %llu", sep, priority_name((enum priority)i),
                    (unsigned long long)st.by_priority[i]);
            sep = ", ";
        }
    }
    fprintf(stderr, "%s in %.3f s, %.0f events/s\n", st.alerts ? ")" : "", elapsed,
            elapsed > 0 ? (double)c.events / elapsed : 0.0);
    if (o.strict && (c.skipped || c.problems))
        rc = 1;
done:
    if (er)
        event_reader_close(er);
    if (rs)
        ruleset_free(rs);
    native_code_free(&nc);
    if (st.out && st.out != stdout)
        fclose(st.out);
    program_free(&p);
    VEC_FREE(o.rules);
    VEC_FREE(o.inputs);
    VEC_FREE(o.disable);
    VEC_FREE(o.enable_tags);
    return rc;
}
