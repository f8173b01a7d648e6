/* bench_runtime: throughput of stoop's event path on one core, over the
 * same corpus bytes (a k8s audit corpus, see bench/gen_k8s_corpus.py):
 *
 *   a   parse only, in memory: every input read into a padded buffer first,
 *       then json_stream over it, touching every document (its kind). The
 *       ceiling: what the JSON library alone costs.
 *   a'  parse only, through input_reader (chunked reads from the page
 *       cache, as the event reader does), same json_stream work.
 *   b   decode + event reader, no rules: event_reader_next over the
 *       inputs (k8s decoding, EventLists split, stageTimestamp parsed and
 *       checked), touching every event.
 *   c   the interpreter: b + ruleset_eval with every rule of the rules
 *       files (rule_matching first); each alert formatted by alert_write
 *       (Falco's text line, or JSON with --json) into a FILE on /dev/null
 *       with a 1 MiB buffer, so formatting costs but no disk is involved.
 *   c'  the same with alerts only counted (no formatting).
 *   e   evaluation only: the time spent inside ruleset_eval (alerts
 *       counted), summed per event with CLOCK_MONOTONIC, minus the cost of
 *       the clock reads themselves (calibrated in the same process).
 *   l   rule logic only: each event is evaluated once untimed, then again
 *       timed with ruleset_eval_warm, which keeps the field values the
 *       first evaluation extracted: e without the cost of extraction.
 * Phases c, c' and e run for each engine: the interpreter, native code
 * JIT-compiled in process (compiler/jit.c), and a ruleset shared object
 * built ahead of time by `stoopc compile` (--aot FILE.so, same rules).
 *
 * Each phase runs in its own child process (forked before any corpus byte
 * or rule is loaded), so its peak RSS (wait4's ru_maxrss) is its own; the
 * process is pinned to the CPU it starts on, and children inherit that.
 * Every input is read once before timing, so the page cache holds it. Each
 * phase runs --runs times; the table gives the best and median wall times,
 * MB/s (10^6 bytes of input) and events/s at the median, and peak RSS.
 * events/s of the parse-only phases divides the corpus's event count (as
 * the event reader counts it) by their time, so the columns compare.
 *
 * usage: bench_runtime [-r RULES]... [--aot RULESET.so] [--no-jit] [--no-interp]
 *                      [--no-base] [--source S] [--runs N] [--json]
 *                      [--rule-matching first|all] INPUT...
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "eval.h"
#include "jit.h"
#include "native_code.h"
#include "input.h"
#include "json.h"
#include "pipeline.h"
#include "program.h"

#define MAX_RUNS 64

enum engine { ENG_INTERP, ENG_JIT, ENG_AOT, ENG_COUNT };
enum mode { M_FORMATTED, M_COUNTED, M_EVAL_ONLY, M_LOGIC_ONLY, M_COUNT };
/* Phases: three without rules, then engine x mode. */
enum { PH_PARSE_MEM, PH_PARSE_IO, PH_DECODE, PH_RULES };
#define PH_COUNT (PH_RULES + ENG_COUNT * M_COUNT)
#define PHASE(eng, mode) (PH_RULES + (eng) * M_COUNT + (mode))

static const char *const engine_label[ENG_COUNT] = {"interpreter", "native JIT", "native AOT .so"};
static const char *const mode_label[M_COUNT] = {"c  %s, alerts formatted",
                                                "c' %s, alerts counted",
                                                "e  %s, evaluation only",
                                                "l  %s, rule logic only"};
static char phase_label[PH_COUNT][64] = {
    "a  parse only, in memory (json_stream)",
    "a' parse only, via input_reader",
    "b  decode + event reader, no rules",
};

struct result {
    int ok;
    int runs;
    double wall[MAX_RUNS];
    double cpu[MAX_RUNS];
    double eval[MAX_RUNS]; /* mode e: seconds inside ruleset_eval */
    uint64_t bytes;  /* input bytes read by one run */
    uint64_t docs;   /* documents (a) */
    uint64_t events; /* events (b, c) */
    uint64_t errors; /* malformed documents / skipped events */
    uint64_t alerts; /* alerts (c) */
    uint64_t nrules; /* enabled rules (c) */
    long maxrss_kb;  /* filled by the parent */
};

struct opts {
    const char *rules[16];
    size_t nrules;
    const char *source;
    const char *aot; /* ruleset .so for the AOT engine, or NULL */
    bool jit, interp, base; /* run the JIT, interpreter, no-rules phases */
    const char *const *inputs;
    size_t ninputs;
    int runs;
    bool json;
    enum rule_matching matching;
};

static double now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Problems are counted by the readers; the corpus should have none, and
 * printing them would time the terminal. */
static void quiet_report(void *ctx, const struct input_problem *p)
{
    (void)p;
    (*(uint64_t *)ctx)++;
}

/* ---- the corpus in memory (phase a) ---- */

struct mem_input {
    char *data; /* len bytes + JSON_PADDING zero bytes */
    size_t len;
};

static struct mem_input *load_inputs(const struct opts *o, size_t *n, uint64_t *problems)
{
    struct input_opts io = {.report = quiet_report, .report_ctx = problems};
    struct input_reader *r = input_reader_open(o->inputs, o->ninputs, &io);
    struct mem_input *v = NULL;
    size_t cnt = 0;
    struct input_chunk c;
    while (input_reader_next(r, 0, &c)) {
        if (c.first) {
            v = realloc(v, (cnt + 1) * sizeof *v);
            if (!v)
                abort();
            v[cnt++] = (struct mem_input){NULL, 0};
        }
        struct mem_input *m = &v[cnt - 1];
        char *grown = realloc(m->data, m->len + c.len + JSON_PADDING);
        if (!grown)
            abort();
        m->data = grown;
        memcpy(m->data + m->len, c.data, c.len);
        m->len += c.len;
        memset(m->data + m->len, 0, JSON_PADDING);
    }
    input_reader_close(r);
    *n = cnt;
    return v;
}

/* ---- phases: one run each ---- */

static volatile uint64_t touch; /* keeps the work observable */

static void run_parse_mem(struct mem_input *in, size_t n, struct result *res)
{
    struct json_parser *p = json_parser_new(INPUT_DEFAULT_MAX_DOC);
    res->bytes = res->docs = res->errors = 0;
    for (size_t i = 0; i < n; i++) {
        struct json_stream *s = json_stream_open_padded(p, in[i].data, in[i].len);
        json_ref doc;
        size_t at;
        const char *err;
        enum json_next k;
        while ((k = json_stream_next(s, &doc, &at, &err)) != JSON_NEXT_END) {
            if (k == JSON_NEXT_DOC) {
                res->docs++;
                touch += (uint64_t)json_kind(doc);
            } else {
                res->errors++;
            }
        }
        json_stream_close(s);
        res->bytes += in[i].len;
    }
    json_parser_free(p);
}

/* What event_reader does with its inputs, without the decoding. */
static void run_parse_io(const struct opts *o, struct result *res)
{
    uint64_t problems = 0;
    struct input_opts io = {.report = quiet_report, .report_ctx = &problems};
    struct input_reader *r = input_reader_open(o->inputs, o->ninputs, &io);
    struct json_parser *p = json_parser_new(INPUT_DEFAULT_MAX_DOC);
    struct input_chunk c;
    res->docs = res->errors = 0;
    while (input_reader_next(r, 0, &c)) {
        struct json_stream *s = json_stream_open_padded(p, c.data, c.len);
        json_stream_set_more(s, !c.last);
        for (;;) {
            json_ref doc;
            size_t at;
            const char *err;
            enum json_next k = json_stream_next(s, &doc, &at, &err);
            if (k == JSON_NEXT_DOC) {
                res->docs++;
                touch += (uint64_t)json_kind(doc);
            } else if (k == JSON_NEXT_ERROR) {
                res->errors++;
            } else if (c.last) {
                break;
            } else {
                size_t keep = c.len - json_stream_consumed(s);
                if (!input_reader_next(r, keep, &c))
                    break;
                json_stream_refill(s, c.data, c.len, !c.last);
            }
        }
        json_stream_close(s);
    }
    struct input_counts ic;
    input_reader_counts(r, &ic);
    res->bytes = ic.bytes;
    res->errors += problems;
    json_parser_free(p);
    input_reader_close(r);
}

struct eval_ctx {
    FILE *sink; /* NULL: count only */
    struct alert_opts alert;
    uint64_t alerts;
    bool timed;      /* modes e and l */
    bool warm;       /* mode l */
    double in_eval;  /* seconds inside ruleset_eval, clock cost removed */
    double clock_cost; /* one pair of clock reads */
};

static void on_match(void *ctx, const struct rule_def *rule, const struct event *ev,
                     struct ruleset *rs)
{
    struct eval_ctx *x = ctx;
    if (x->sink)
        alert_write(x->sink, &x->alert, rs, rule, ev);
    x->alerts++;
}

static void run_events(const struct opts *o, const struct source_plugin *sp, struct ruleset *rs,
                       struct eval_ctx *x, struct result *res)
{
    uint64_t problems = 0;
    struct input_opts io = {.report = quiet_report, .report_ctx = &problems};
    struct event_reader *er = event_reader_open(sp, o->inputs, o->ninputs, &io, "bench");
    struct event ev;
    if (x)
        x->alerts = 0;
    if (x)
        x->in_eval = 0;
    while (event_reader_next(er, &ev)) {
        if (rs && x->timed && x->warm) {
            uint64_t alerts = x->alerts;
            ruleset_eval(rs, &ev, o->matching, on_match, x);
            x->alerts = alerts; /* counted once, by the timed evaluation */
            double t0 = now(CLOCK_MONOTONIC);
            ruleset_eval_warm(rs, &ev, o->matching, on_match, x);
            x->in_eval += now(CLOCK_MONOTONIC) - t0 - x->clock_cost;
        } else if (rs && x->timed) {
            double t0 = now(CLOCK_MONOTONIC);
            ruleset_eval(rs, &ev, o->matching, on_match, x);
            x->in_eval += now(CLOCK_MONOTONIC) - t0 - x->clock_cost;
        } else if (rs) {
            ruleset_eval(rs, &ev, o->matching, on_match, x);
        } else {
            touch += ev.ts_ns;
        }
    }
    struct event_counts c;
    event_reader_counts(er, &c);
    res->bytes = c.bytes;
    res->docs = c.documents;
    res->events = c.events;
    res->errors = c.skipped;
    res->alerts = x ? x->alerts : 0;
    event_reader_close(er);
}

/* ---- one phase, in a child ---- */

static void phase_child(int ph, const struct opts *o, struct result *res)
{
    const struct source_plugin *sp = source_plugin_find(o->source);
    struct mem_input *in = NULL;
    size_t nin = 0;
    uint64_t problems = 0;
    struct program prog;
    struct ruleset *rs = NULL;
    struct eval_ctx x = {0};
    bool have_prog = false;
    struct jit_ruleset *jit = NULL;
    struct native_code nc = {0};

    if (ph == PH_PARSE_MEM) {
        in = load_inputs(o, &nin, &problems);
    } else if (ph >= PH_RULES) {
        enum engine eng = (enum engine)((ph - PH_RULES) / M_COUNT);
        enum mode mode = (enum mode)((ph - PH_RULES) % M_COUNT);
        program_init(&prog);
        have_prog = true;
        pipeline_load(&prog, o->rules, o->nrules);
        if (prog.diags.nerrors) {
            fprintf(stderr, "bench_runtime: the rules have %zu errors (run stoopc lint)\n",
                    prog.diags.nerrors);
            program_free(&prog);
            return;
        }
        struct rule_selection sel = {.min_priority = PRIO_DEBUG};
        rs = ruleset_new(&prog, sp->name, &sel);
        res->nrules = ruleset_size(rs);
        char *err = NULL;
        bool bound = true;
        if (eng == ENG_JIT) {
            struct codegen_opts co;
            codegen_opts_default(&co);
            jit = jit_compile(&prog, &co, &err);
            if (jit) {
                const struct native_module *nm = jit_module(jit);
                struct native_binding b = {.eval = jit_entry(jit, sp->name, &err),
                                           .nmemo = nm->nmemo,
                                           .slot_keys = (const char *const *)nm->slot_keys,
                                           .nslots = nm->nslots,
                                           .guards = nm->guards,
                                           .nguards = nm->nguards};
                bound = b.eval && ruleset_set_native(rs, &b);
            } else {
                bound = false;
            }
        } else if (eng == ENG_AOT) {
            bound = ruleset_open(o->aot, NULL, &nc, &err) && native_code_bind(&nc, rs, sp->name, &err);
        }
        if (!bound) {
            fprintf(stderr, "bench_runtime: %s: %s\n", engine_label[eng], err ? err : "?");
            exit(1);
        }
        if (mode == M_EVAL_ONLY || mode == M_LOGIC_ONLY) {
            x.timed = true;
            x.warm = mode == M_LOGIC_ONLY;
            double t0 = now(CLOCK_MONOTONIC), t1 = t0;
            for (int k = 0; k < 100000; k++)
                t1 = now(CLOCK_MONOTONIC);
            x.clock_cost = (t1 - t0) / 100000;
        }
        if (mode == M_FORMATTED) {
            x.sink = fopen("/dev/null", "w");
            if (!x.sink) {
                perror("bench_runtime: /dev/null");
                exit(1);
            }
            setvbuf(x.sink, NULL, _IOFBF, 1 << 20);
        }
        x.alert = (struct alert_opts){.json = o->json, .hostname = "bench"};
    }

    for (int i = 0; i < o->runs; i++) {
        double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        switch (ph) {
        case PH_PARSE_MEM:
            run_parse_mem(in, nin, res);
            break;
        case PH_PARSE_IO:
            run_parse_io(o, res);
            break;
        case PH_DECODE:
            run_events(o, sp, NULL, NULL, res);
            break;
        default:
            run_events(o, sp, rs, &x, res);
            if (x.sink)
                fflush(x.sink);
            break;
        }
        res->eval[i] = x.in_eval;
        res->wall[i] = now(CLOCK_MONOTONIC) - w0;
        res->cpu[i] = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
    }
    res->runs = o->runs;
    res->ok = 1;

    if (x.sink)
        fclose(x.sink);
    if (rs)
        ruleset_free(rs);
    native_code_free(&nc);
    jit_free(jit);
    if (have_prog)
        program_free(&prog);
    for (size_t i = 0; i < nin; i++)
        free(in[i].data);
    free(in);
}

static bool run_phase(int ph, const struct opts *o, struct result *out)
{
    int fds[2];
    if (pipe(fds) != 0) {
        perror("bench_runtime: pipe");
        return false;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench_runtime: fork");
        return false;
    }
    if (pid == 0) {
        close(fds[0]);
        struct result *res = calloc(1, sizeof *res);
        if (!res)
            _exit(1);
        phase_child(ph, o, res);
        const char *p = (const char *)res;
        size_t left = sizeof *res;
        while (left) {
            ssize_t k = write(fds[1], p, left);
            if (k <= 0) {
                if (k < 0 && errno == EINTR)
                    continue;
                _exit(1);
            }
            p += k;
            left -= (size_t)k;
        }
        free(res);
        _exit(0);
    }
    close(fds[1]);
    memset(out, 0, sizeof *out);
    char *p = (char *)out;
    size_t got = 0;
    while (got < sizeof *out) {
        ssize_t k = read(fds[0], p + got, sizeof *out - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fds[0]);
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
        ;
    if (got != sizeof *out || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || !out->ok) {
        fprintf(stderr, "bench_runtime: phase '%s' failed\n", phase_label[ph]);
        return false;
    }
    out->maxrss_kb = ru.ru_maxrss;
    return true;
}

/* ---- report ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
    double s[MAX_RUNS];
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static double best(const double *v, int n)
{
    double b = v[0];
    for (int i = 1; i < n; i++)
        if (v[i] < b)
            b = v[i];
    return b;
}

static void usage(FILE *f)
{
    fputs("usage: bench_runtime [-r RULES]... [--aot RULESET.so] [--no-jit] [--no-interp]\n"
          "                     [--no-base] [--source SRC] [--runs N] [--json]\n"
          "                     [--rule-matching first|all] INPUT...\n"
          "Times, on one core and over the same input bytes: parsing only (in memory and\n"
          "through the input reader), decoding with the event reader, and each engine\n"
          "(interpreter, JIT, the --aot ruleset built from the same rules) with the rules:\n"
          "alerts formatted to /dev/null, only counted, and evaluation only. INPUT is a\n"
          "file or a directory of .json/.jsonl files (bench/gen_k8s_corpus.py).\n",
          f);
}

int main(int argc, char **argv)
{
    struct opts o = {.source = "k8s_audit", .runs = 5, .matching = MATCH_FIRST, .jit = true,
                     .interp = true, .base = true};
    const char **inputs = calloc((size_t)argc, sizeof *inputs);
    size_t ninputs = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "-r") == 0 || strcmp(a, "--rules") == 0) && i + 1 < argc) {
            if (o.nrules == sizeof o.rules / sizeof o.rules[0]) {
                fputs("bench_runtime: too many rules files\n", stderr);
                return 2;
            }
            o.rules[o.nrules++] = argv[++i];
        } else if (strcmp(a, "--source") == 0 && i + 1 < argc) {
            o.source = argv[++i];
        } else if (strcmp(a, "--aot") == 0 && i + 1 < argc) {
            o.aot = argv[++i];
        } else if (strcmp(a, "--no-jit") == 0) {
            o.jit = false;
        } else if (strcmp(a, "--no-interp") == 0) {
            o.interp = false;
        } else if (strcmp(a, "--no-base") == 0) {
            o.base = false;
        } else if (strcmp(a, "--runs") == 0 && i + 1 < argc) {
            o.runs = atoi(argv[++i]);
        } else if (strcmp(a, "--json") == 0) {
            o.json = true;
        } else if (strcmp(a, "--rule-matching") == 0 && i + 1 < argc) {
            const char *m = argv[++i];
            if (strcmp(m, "first") != 0 && strcmp(m, "all") != 0) {
                usage(stderr);
                return 2;
            }
            o.matching = strcmp(m, "all") == 0 ? MATCH_ALL : MATCH_FIRST;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "bench_runtime: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        } else {
            inputs[ninputs++] = a;
        }
    }
    if (ninputs == 0 || o.runs < 1 || o.runs > MAX_RUNS) {
        usage(stderr);
        return 2;
    }
    if (!source_plugin_find(o.source)) {
        fprintf(stderr, "bench_runtime: no source '%s'\n", o.source);
        return 2;
    }
    o.inputs = inputs;
    o.ninputs = ninputs;

    /* One core: the one we start on. */
    int cpu = sched_getcpu();
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0)
            cpu = -1;
    }

    /* Warm the page cache: read every input once (not kept). */
    {
        uint64_t problems = 0;
        struct input_opts io = {.report = quiet_report, .report_ctx = &problems};
        struct input_reader *r = input_reader_open(o.inputs, o.ninputs, &io);
        struct input_chunk c;
        while (input_reader_next(r, 0, &c))
            touch += c.len ? (unsigned char)c.data[c.len - 1] : 0;
        input_reader_close(r);
    }

    bool with_rules = o.nrules > 0;
    struct result res[PH_COUNT];
    bool have[PH_COUNT] = {false};
    for (int ph = PH_RULES; ph < PH_COUNT; ph++)
        snprintf(phase_label[ph], sizeof phase_label[ph], mode_label[(ph - PH_RULES) % M_COUNT],
                 engine_label[(ph - PH_RULES) / M_COUNT]);
    for (int ph = 0; ph < PH_COUNT; ph++) {
        if (ph >= PH_RULES) {
            enum engine eng = (enum engine)((ph - PH_RULES) / M_COUNT);
            if (!with_rules || (eng == ENG_JIT && !o.jit) || (eng == ENG_AOT && !o.aot) ||
                (eng == ENG_INTERP && !o.interp))
                continue;
        } else if (!o.base && ph != PH_DECODE) {
            continue; /* b stays: it gives the event count */
        }
        have[ph] = run_phase(ph, &o, &res[ph]);
        if (!have[ph])
            return 1;
    }

    const struct result *dec = &res[PH_DECODE];
    uint64_t events = dec->events, bytes = dec->bytes;
    printf("corpus: %zu path%s, %.1f MB, %llu documents, %llu events (%llu skipped)\n", ninputs,
           ninputs == 1 ? "" : "s", (double)bytes / 1e6, (unsigned long long)dec->docs,
           (unsigned long long)events, (unsigned long long)dec->errors);
    int first = -1; /* the first phase with rules that ran */
    for (int ph = PH_RULES; ph < PH_COUNT && first < 0; ph++)
        if (have[ph])
            first = ph;
    if (first >= 0)
        printf("rules: %llu enabled for %s, rule_matching %s; c: alerts in %s to /dev/null "
               "(%llu alerts per run)\n",
               (unsigned long long)res[first].nrules, o.source,
               o.matching == MATCH_FIRST ? "first" : "all", o.json ? "JSON" : "text",
               (unsigned long long)res[first].alerts);
    printf("one core (cpu %d), %d runs per phase, each phase in its own process\n", cpu, o.runs);
    printf("%-40s %8s %8s %8s %10s %9s\n", "phase", "best s", "median s", "MB/s", "events/s",
           "peak RSS");
    double med[PH_COUNT] = {0}, bst[PH_COUNT] = {0};
    for (int ph = 0; ph < PH_COUNT; ph++) {
        if (!have[ph])
            continue;
        const struct result *r = &res[ph];
        bool eval_only = ph >= PH_RULES && ((ph - PH_RULES) % M_COUNT == M_EVAL_ONLY ||
                                            (ph - PH_RULES) % M_COUNT == M_LOGIC_ONLY);
        med[ph] = median(eval_only ? r->eval : r->wall, r->runs);
        bst[ph] = best(eval_only ? r->eval : r->wall, r->runs);
        printf("%-40s %8.3f %8.3f %8.1f %10.0f %6.1f MB\n", phase_label[ph], bst[ph], med[ph],
               (double)r->bytes / 1e6 / med[ph], (double)events / med[ph],
               (double)r->maxrss_kb / 1024.0);
        if (r->bytes != bytes || (ph >= PH_DECODE && r->events != events))
            printf("   warning: this phase read %llu bytes, %llu events\n",
                   (unsigned long long)r->bytes, (unsigned long long)r->events);
        if (ph == PH_PARSE_MEM && r->errors)
            printf("   warning: %llu malformed documents\n", (unsigned long long)r->errors);
        if (ph >= PH_RULES && have[PHASE(ENG_INTERP, M_COUNTED)] &&
            r->alerts != res[PHASE(ENG_INTERP, M_COUNTED)].alerts)
            printf("   ERROR: %llu alerts, the interpreter gives %llu\n",
                   (unsigned long long)r->alerts,
                   (unsigned long long)res[PHASE(ENG_INTERP, M_COUNTED)].alerts);
    }
    if (with_rules) {
        for (int eng = 0; eng < ENG_COUNT; eng++) {
            int c = PHASE(eng, M_FORMATTED), e = PHASE(eng, M_EVAL_ONLY);
            if (!have[c])
                continue;
            int l = PHASE(eng, M_LOGIC_ONLY);
            printf("%-15s evaluation %.0f ns/event", engine_label[eng],
                   med[e] / (double)events * 1e9);
            if (eng != ENG_INTERP && have[PHASE(ENG_INTERP, M_EVAL_ONLY)])
                printf(" (%.1fx the interpreter's)", med[PHASE(ENG_INTERP, M_EVAL_ONLY)] / med[e]);
            printf(", rule logic %.0f ns/event", med[l] / (double)events * 1e9);
            if (eng != ENG_INTERP && have[PHASE(ENG_INTERP, M_LOGIC_ONLY)])
                printf(" (%.1fx)", med[PHASE(ENG_INTERP, M_LOGIC_ONLY)] / med[l]);
            if (have[PH_PARSE_MEM])
                printf("; end to end over parse-only (a): %.3f formatted (c), %.3f counted (c')",
                       med[PH_PARSE_MEM] / med[c], med[PH_PARSE_MEM] / med[PHASE(eng, M_COUNTED)]);
            putchar('\n');
        }
    }
    struct rusage self;
    getrusage(RUSAGE_SELF, &self);
    printf("peak RSS of the parent (no corpus, no rules): %.1f MB\n",
           (double)self.ru_maxrss / 1024.0);
    free(inputs);
    return 0;
}
