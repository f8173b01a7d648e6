/* test_eval.c: the reference interpreter (runtime/eval.c).
 *
 * Rules are written inline and loaded with the real front end
 * (pipeline_load_buffers). Two kinds of events:
 *   - JSON events (k8s_audit), parsed with the json.h API and extracted by
 *     the real extractors: jevt.value[/pointer] and ka.* fields;
 *   - "spec" events for the types no plugin field has (IP, CIDR, BOOL,
 *     signed and narrow integers, DOUBLE, BYTEBUF, ancestors): a test
 *     extractor installed with ruleset_set_extractor reads them from a
 *     string "field=v1|v2;other[arg]=v" (a field absent from the string is
 *     not extracted; \xHH escapes bytes).
 * Every table row is (condition, event, expected match). */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "json.h"
#include "pipeline.h"
#include "util.h"

/* ---- loading rules ---- */

static void load_yaml(struct program *p, const char *yaml)
{
    program_init(p);
    const char *names[] = {"test.yaml"};
    const char *data[] = {yaml};
    size_t lens[] = {strlen(yaml)};
    pipeline_load_buffers(p, names, data, lens, 1);
    if (p->diags.nerrors) {
        for (size_t i = 0; i < p->diags.n; i++)
            fprintf(stderr, "diag: %s %s\n", p->diags.v[i].message,
                    p->diags.v[i].context ? p->diags.v[i].context : "");
        ck_abort_msg("rules did not load:\n%s", yaml);
    }
}

/* One rule named "r" with condition `cond`. */
static char *one_rule_yaml(const char *source, const char *cond, const char *output)
{
    return xasprintf("- rule: r\n"
                     "  desc: d\n"
                     "  condition: |-\n"
                     "    %s\n"
                     "  output: |-\n"
                     "    %s\n"
                     "  priority: WARNING\n"
                     "  source: %s\n",
                     cond, output ? output : "o", source);
}

/* ---- the spec-event extractor ---- */

struct spec_ctx {
    const char *spec;
    /* extraction counts per key (memoisation checks) */
    char keys[32][64];
    unsigned counts[32];
    size_t nkeys;
};

static void count_key(struct spec_ctx *c, const char *key)
{
    for (size_t i = 0; i < c->nkeys; i++)
        if (strcmp(c->keys[i], key) == 0) {
            c->counts[i]++;
            return;
        }
    if (c->nkeys < 32) {
        size_t n = strnlen(key, sizeof c->keys[0] - 1); /* keys are short; truncation is fine */
        memcpy(c->keys[c->nkeys], key, n);
        c->keys[c->nkeys][n] = '\0';
        c->counts[c->nkeys++] = 1;
    }
}

static unsigned key_count(const struct spec_ctx *c, const char *key)
{
    for (size_t i = 0; i < c->nkeys; i++)
        if (strcmp(c->keys[i], key) == 0)
            return c->counts[i];
    return 0;
}

static int hexv(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static bool parse_one(enum field_type t, const char *s, size_t n, struct arena *a,
                      struct fvalue *out)
{
    memset(out, 0, sizeof *out);
    char *text = arena_strndup(a, s, n);
    switch (field_type_class(t)) {
    case TC_STRING:
    case TC_BYTES: {
        char *buf = arena_alloc(a, n + 1);
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '\\' && i + 3 < n + 0 + 1 && s[i + 1] == 'x' && hexv(s[i + 2]) >= 0 &&
                hexv(s[i + 3]) >= 0) {
                buf[o++] = (char)(hexv(s[i + 2]) * 16 + hexv(s[i + 3]));
                i += 3;
            } else {
                buf[o++] = s[i];
            }
        }
        buf[o] = '\0';
        out->str = buf;
        out->len = o;
        return true;
    }
    case TC_NUMERIC:
        if (t == FT_DOUBLE) {
            double d = strtod(text, NULL);
            memcpy(&out->as.u, &d, sizeof d);
        } else if (field_type_is_signed(t)) {
            out->as.i = strtoll(text, NULL, 10);
        } else {
            out->as.u = strtoull(text, NULL, 10);
        }
        return true;
    case TC_BOOL:
        out->as.b = strcmp(text, "true") == 0;
        return true;
    case TC_IP:
    case TC_NET: {
        bool v4 = strchr(text, '.') != NULL;
        out->as.ip.family = v4 ? 4 : 6;
        return inet_pton(v4 ? AF_INET : AF_INET6, text, out->as.ip.addr) == 1;
    }
    case TC_OTHER:
        break;
    }
    return false;
}

static bool spec_extract(void *vctx, const struct event *ev, const struct field_ref *f,
                         struct arena *a, struct fvalues *out)
{
    struct spec_ctx *c = vctx;
    (void)ev;
    char key[256];
    snprintf(key, sizeof key, "%s%s%s%s%s%s", f->info->name, f->arg ? "[" : "",
             f->arg ? f->arg : "", f->arg ? "]" : "", f->dotted ? "." : "",
             f->dotted ? f->dotted : "");
    count_key(c, key);
    size_t kl = strlen(key);
    const char *p = c->spec;
    while (p && *p) {
        const char *end = strchr(p, ';');
        if (!end)
            end = p + strlen(p);
        if ((size_t)(end - p) > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
            const char *v = p + kl + 1;
            size_t cap = 1;
            for (const char *q = v; q < end; q++)
                cap += *q == '|';
            out->v = arena_alloc(a, cap * sizeof *out->v);
            out->n = 0;
            for (;;) {
                const char *bar = memchr(v, '|', (size_t)(end - v));
                const char *vend = bar ? bar : end;
                if (!parse_one(f->info->type, v, (size_t)(vend - v), a, &out->v[out->n]))
                    return false;
                out->n++;
                if (!bar)
                    break;
                v = bar + 1;
            }
            return true;
        }
        p = *end ? end + 1 : end;
    }
    return false;
}

static uint64_t event_counter;

static struct event spec_event(void)
{
    struct event ev;
    memset(&ev, 0, sizeof ev);
    ev.num = ++event_counter;
    ev.source = "syscall";
    ev.input = "-";
    return ev;
}

/* Evaluates `cond` (a rule of `source`) on a spec event; returns matches. */
static size_t eval_spec(const char *source, const char *cond, const char *spec)
{
    struct program p;
    char *yaml = one_rule_yaml(source, cond, NULL);
    load_yaml(&p, yaml);
    struct ruleset *rs = ruleset_new(&p, source, NULL);
    ck_assert_uint_eq(ruleset_size(rs), 1);
    struct spec_ctx ctx = {.spec = spec};
    ruleset_set_extractor(rs, spec_extract, &ctx);
    struct event ev = spec_event();
    size_t n = ruleset_eval(rs, &ev, MATCH_FIRST, NULL, NULL);
    ruleset_free(rs);
    program_free(&p);
    free(yaml);
    return n;
}

struct row {
    const char *cond;
    const char *event; /* spec string (spec tables) or JSON (JSON tables) */
    int expect;
};

/* ---- spec tables: syscall fields of every type class ---- */

static const struct row syscall_rows[] = {
    /* equality, inequality, missing values */
    {"proc.name = bash", "proc.name=bash", 1},
    {"proc.name = bash", "proc.name=sh", 0},
    {"proc.name = bash", "", 0},
    {"proc.name == bash", "proc.name=bash", 1},
    {"proc.name != bash", "proc.name=sh", 1},
    {"proc.name != bash", "proc.name=bash", 0},
    {"proc.name != bash", "", 0},                 /* missing: != is false too */
    {"not proc.name = bash", "", 1},
    {"not proc.name != bash", "", 1},
    {"proc.name = \"\"", "proc.name=", 1},
    {"proc.name = \"\"", "", 0},
    {"proc.name exists", "proc.name=x", 1},
    {"proc.name exists", "", 0},
    {"not proc.name exists", "", 1},
    {"proc.name = 'two words'", "proc.name=two words", 1},
    /* ordering: byte-wise, as strcmp (the grammar wants a number or a
     * field after an ordering operator; strings compare as text) */
    {"proc.name < 5", "proc.name=45", 1},
    {"proc.name < 5", "proc.name=5", 0},
    {"proc.name < 5", "proc.name=6", 0},
    {"proc.name <= 5", "proc.name=5", 1},
    {"proc.name > 10", "proc.name=9", 1},
    {"proc.name > 10", "proc.name=10", 0},
    {"proc.name >= 10", "proc.name=100", 1},
    {"proc.name >= 10", "proc.name=1", 0},
    {"proc.name < 5", "", 0},
    {"proc.name >= 10", "", 0},
    {"proc.name < val(proc.pname)", "proc.name=abc;proc.pname=bash", 1},
    {"proc.name <= val(proc.pname)", "proc.name=bash;proc.pname=bash", 1},
    {"proc.name > val(proc.pname)", "proc.name=bashx;proc.pname=bash", 1},
    {"proc.name > val(proc.pname)", "proc.name=b;proc.pname=bash", 0},
    {"proc.name >= val(proc.pname)", "proc.name=Z;proc.pname=bash", 0},
    {"proc.name >= val(proc.pname)", "proc.name=bash", 0},
    /* substring operators, empty right-hand side */
    {"proc.cmdline contains \"-c \"", "proc.cmdline=bash -c ls", 1},
    {"proc.cmdline contains \"-x\"", "proc.cmdline=bash -c ls", 0},
    {"proc.cmdline contains \"\"", "proc.cmdline=bash", 1},
    {"proc.cmdline contains \"\"", "", 0},
    {"proc.cmdline icontains BASH", "proc.cmdline=/bin/Bash -c", 1},
    {"proc.cmdline icontains xyz", "proc.cmdline=/bin/Bash -c", 0},
    {"proc.cmdline icontains \"\"", "proc.cmdline=", 1},
    {"proc.cmdline icontains x", "", 0},
    {"proc.name startswith ba", "proc.name=bash", 1},
    {"proc.name startswith sh", "proc.name=bash", 0},
    {"proc.name startswith bashful", "proc.name=bash", 0},
    {"proc.name startswith \"\"", "proc.name=bash", 1},
    {"proc.name startswith ba", "", 0},
    {"proc.name endswith sh", "proc.name=bash", 1},
    {"proc.name endswith ba", "proc.name=bash", 0},
    {"proc.name endswith \"\"", "proc.name=bash", 1},
    {"proc.name endswith sh", "", 0},
    /* glob: fnmatch without FNM_PATHNAME, so '*' and '?' match '/' */
    {"fd.name glob /var/*", "fd.name=/var/run/file.txt", 1},
    {"fd.name glob /var/*.txt", "fd.name=/var/run/file.txt", 1},
    {"fd.name glob /var/?un/*", "fd.name=/var/run/x", 1},
    {"fd.name glob /var/[a-c]*", "fd.name=/var/run/x", 0},
    {"fd.name glob /var/[a-r]*", "fd.name=/var/run/x", 1},
    {"fd.name glob /VAR/*", "fd.name=/var/run/x", 0},
    {"fd.name glob /var", "fd.name=/var/run", 0},
    {"fd.name glob '.*'", "fd.name=.hidden", 1},
    {"fd.name glob /var/*", "", 0},
    {"fd.name iglob /VAR/*", "fd.name=/var/run/x", 1},
    {"fd.name iglob /tmp/*", "fd.name=/var/run/x", 0},
    {"fd.name iglob /VAR/*", "", 0},
    /* regex: full match */
    {"proc.name regex 'ba.h'", "proc.name=bash", 1},
    {"proc.name regex 'ba'", "proc.name=bash", 0},
    {"proc.name regex 'ash'", "proc.name=bash", 0},
    {"proc.name regex 'b.*'", "proc.name=bash", 1},
    {"proc.name regex '(ba|z)sh'", "proc.name=zsh", 1},
    {"proc.name regex '[0-9]+'", "proc.name=123", 1},
    {"proc.name regex '[0-9]+'", "proc.name=12a", 0},
    {"proc.name regex 'b.*'", "", 0},
    {"not proc.name regex 'b.*'", "", 1},
    /* pmatch: path prefix by components */
    {"fd.name pmatch (/var/run, /etc)", "fd.name=/var/run", 1},
    {"fd.name pmatch (/var/run, /etc)", "fd.name=/var/run/docker.sock", 1},
    {"fd.name pmatch (/var/run, /etc)", "fd.name=/var/runx", 0},
    {"fd.name pmatch (/var/run, /etc)", "fd.name=/var", 0},
    {"fd.name pmatch (/var/run, /etc)", "fd.name=/etc/passwd", 1},
    {"fd.name pmatch (/var/run, /etc)", "fd.name=//var///run/", 1},
    {"fd.name pmatch (/var/run, /etc)", "fd.name=var/run/x", 1},
    {"fd.name pmatch (var/run/)", "fd.name=/var/run/x", 1},
    {"fd.name pmatch (/home/*/.ssh)", "fd.name=/home/alice/.ssh/id_rsa", 1},
    {"fd.name pmatch (/home/*/.ssh)", "fd.name=/home/a/b/.ssh", 0},
    {"fd.name pmatch (/home/a?ice)", "fd.name=/home/alice/x", 1},
    {"fd.name pmatch (/)", "fd.name=/anything/at/all", 1},
    {"fd.name pmatch ()", "fd.name=/x", 0},
    {"fd.name pmatch (/var/run)", "", 0},
    {"not fd.name pmatch (/var/run)", "", 1},
    /* in / intersects on scalars */
    {"proc.name in (bash, sh)", "proc.name=sh", 1},
    {"proc.name in (bash, sh)", "proc.name=zsh", 0},
    {"proc.name in (bash, sh)", "", 0},
    {"not proc.name in (bash, sh)", "", 1},
    {"proc.name in ()", "proc.name=bash", 0},
    {"proc.name in (bash)", "proc.name=bas", 0},
    {"proc.name in (a, b, c, d, e, f, g, h, i, j, bash, k)", "proc.name=bash", 1},
    {"proc.name in (a, b, c, d, e, f, g, h, i, j, bash, k)", "proc.name=bas", 0},
    {"proc.name in (a, b, c, d, e, f, g, h, i, j, bash, k)", "proc.name=", 0},
    {"proc.name in (a, b, c, d, e, f, g, h, i, j, \"\", k)", "proc.name=", 1},
    {"proc.name intersects (bash, sh)", "proc.name=bash", 1},
    {"proc.name intersects (bash, sh)", "proc.name=ksh", 0},
    {"proc.name intersects (bash, sh)", "", 0},
    /* modifiers */
    {"proc.name = oneof (bash, sh)", "proc.name=sh", 1},
    {"proc.name = oneof (bash, sh)", "proc.name=zsh", 0},
    {"proc.name startswith oneof (ba, bas, x)", "proc.name=bash", 0}, /* two hold */
    {"proc.name startswith oneof (ba, x)", "proc.name=bash", 1},
    {"proc.name startswith anyof (ba, bas, x)", "proc.name=bash", 1},
    {"proc.name startswith anyof (x, y)", "proc.name=bash", 0},
    {"proc.name startswith allof (b, ba, bas)", "proc.name=bash", 1},
    {"proc.name startswith allof (b, x)", "proc.name=bash", 0},
    {"proc.name != allof (a, b)", "proc.name=c", 1},
    {"proc.name != allof (a, b)", "proc.name=a", 0},
    {"proc.name != oneof (a, b)", "proc.name=a", 1},
    {"proc.name != anyof (a, b)", "proc.name=a", 1},
    {"proc.name != anyof (a)", "proc.name=a", 0},
    {"proc.name contains anyof (x, as)", "proc.name=bash", 1},
    {"proc.name icontains allof (BA, SH)", "proc.name=bash", 1},
    {"proc.name endswith oneof (sh, ash)", "proc.name=bash", 0},
    {"proc.name endswith oneof (sh, zsh)", "proc.name=bash", 1},
    {"proc.name glob anyof ('b*', 'z*')", "proc.name=bash", 1},
    {"proc.name glob allof ('b*', 'z*')", "proc.name=bash", 0},
    {"proc.name iglob oneof ('B*', 'b*')", "proc.name=bash", 0},
    {"proc.name regex anyof ('z.*', 'b.*')", "proc.name=bash", 1},
    {"proc.name regex oneof ('.*', 'b.*')", "proc.name=bash", 0},
    {"proc.name regex allof ('.*', 'b.*')", "proc.name=bash", 1},
    {"proc.name = anyof (bash)", "", 0},
    {"proc.name != allof (a)", "", 0},
    {"not proc.name != allof (a)", "", 1},
    {"proc.name = anyof ()", "proc.name=bash", 0},
    {"proc.name != allof ()", "proc.name=bash", 0},
    {"evt.buffer bcontains oneof (6c6c, 7a7a)", "evt.buffer=hello", 1},
    {"evt.buffer bstartswith anyof (7a, 68)", "evt.buffer=hello", 1},
    /* transformers */
    {"tolower(proc.name) = bash", "proc.name=BaSh", 1},
    {"tolower(proc.name) = BaSh", "proc.name=BaSh", 0},
    {"toupper(proc.name) = BASH", "proc.name=bash", 1},
    {"toupper(proc.name) = \"1-X\"", "proc.name=1-x", 1},
    {"tolower(proc.name) exists", "", 0},
    {"tolower(proc.name) != x", "", 0},
    {"basename(fd.name) = passwd", "fd.name=/etc/passwd", 1},
    {"basename(fd.name) = \"\"", "fd.name=/etc/", 1},
    {"basename(fd.name) = passwd", "fd.name=passwd", 1},
    {"basename(fd.name) = passwd", "", 0},
    {"toupper(basename(fd.name)) = PASSWD", "fd.name=/etc/passwd", 1},
    {"len(proc.name) = 4", "proc.name=bash", 1},
    {"len(proc.name) > 3", "proc.name=bash", 1},
    {"len(proc.name) < 4", "proc.name=bash", 0},
    {"len(proc.name) = 0", "proc.name=", 1},
    {"len(proc.name) = 0", "", 0},
    {"len(evt.buffer) = 3", "evt.buffer=a\\x00b", 1},
    {"len(basename(fd.name)) = 6", "fd.name=/etc/passwd", 1},
    {"b64(proc.name) = hello", "proc.name=aGVsbG8=", 1},
    {"b64(proc.name) = hello", "proc.name=aGVsbG8", 1}, /* padding optional */
    {"b64(proc.name) = hi", "proc.name=aGk", 1},
    {"b64(proc.name) = hi", "proc.name=aGk=", 1},
    {"b64(proc.name) = hi", "proc.name=aGk==", 1}, /* up to two '=' dropped */
    {"b64(proc.name) exists", "proc.name=aGk===", 0},
    {"b64(proc.name) = \"\"", "proc.name=", 1},
    {"b64(proc.name) exists", "proc.name=a$b=", 0},  /* invalid: not extracted */
    {"b64(proc.name) != x", "proc.name=a$b=", 0},
    {"not b64(proc.name) = x", "proc.name=a$b=", 1},
    {"b64(proc.name) exists", "proc.name=aGVsbG9", 0}, /* stray trailing bits */
    {"b64(proc.name) exists", "proc.name=a", 0},
    {"b64(proc.name) exists", "proc.name==", 0},
    {"b64(evt.buffer) bstartswith 6869", "evt.buffer=aGk", 1},
    {"proc.name = val(proc.pname)", "proc.name=bash;proc.pname=bash", 1},
    {"proc.name = val(proc.pname)", "proc.name=bash;proc.pname=sh", 0},
    {"proc.name = val(proc.pname)", "proc.name=bash", 0},
    {"proc.name != val(proc.pname)", "proc.name=bash", 0}, /* right side missing */
    {"proc.name != val(proc.pname)", "proc.name=bash;proc.pname=sh", 1},
    {"proc.name startswith val(proc.pname)", "proc.name=bash;proc.pname=ba", 1},
    {"proc.name contains val(proc.pname)", "proc.name=bash;proc.pname=as", 1},
    {"proc.name glob val(proc.pname)", "proc.name=bash;proc.pname=b*", 1},
    {"proc.name in val(proc.pname)", "proc.name=bash;proc.pname=bash", 1},
    {"tolower(proc.name) = tolower(proc.pname)", "proc.name=BASH;proc.pname=bash", 1},
    {"proc.name = tolower(proc.pname)", "proc.name=bash;proc.pname=BASH", 1},
    {"proc.name < val(proc.pname)", "proc.name=a;proc.pname=b", 1},
    {"concat(proc.name, \"-\", proc.pname) = bash-sh", "proc.name=bash;proc.pname=sh", 1},
    {"concat(proc.name, proc.pname) = bashsh", "proc.name=bash;proc.pname=sh", 1},
    {"concat(proc.name, \"-\", proc.pname) exists", "proc.name=bash", 0},
    {"len(concat(proc.name, proc.pname)) = 6", "proc.name=bash;proc.pname=sh", 1},
    {"toupper(concat(proc.name, \"x\")) = BASHX", "proc.name=bash", 1},
    /* numbers: signed, unsigned, narrow widths, ports, doubles */
    {"proc.pid = 42", "proc.pid=42", 1},
    {"proc.pid = 42", "proc.pid=43", 0},
    {"proc.pid != 42", "proc.pid=43", 1},
    {"proc.pid != 42", "", 0},
    {"proc.pid < 0", "proc.pid=-1", 1},
    {"proc.pid > -5", "proc.pid=-1", 1},
    {"proc.pid <= -1", "proc.pid=-1", 1},
    {"proc.pid >= 100", "proc.pid=99", 0},
    {"proc.pid in (1, 2, 42)", "proc.pid=42", 1},
    {"proc.pid in (1, 2, 42)", "proc.pid=3", 0},
    {"proc.pid intersects (1, 42)", "proc.pid=1", 1},
    {"proc.pid = anyof (7, 42)", "proc.pid=42", 1},
    {"proc.pid > 10", "", 0},
    {"evt.num = 18446744073709551615", "evt.num=18446744073709551615", 1},
    {"evt.num > 9223372036854775807", "evt.num=18446744073709551615", 1}, /* unsigned */
    {"evt.num < 5", "evt.num=4", 1},
    {"evt.cpu = -1", "evt.cpu=-1", 1},
    {"evt.cpu < 0", "evt.cpu=65535", 1}, /* INT16: the value is -1 */
    {"fd.sport = 22", "fd.sport=22", 1},
    {"fd.sport = ssh", "fd.sport=22", 1},
    {"fd.sport > 1024", "fd.sport=8080", 1},
    {"fd.sport in (80, 443)", "fd.sport=443", 1},
    {"proc.fdusage > 1", "proc.fdusage=1.5", 1},
    {"proc.fdusage < 1", "proc.fdusage=0.5", 1},
    {"proc.fdusage = 2", "proc.fdusage=2", 1},
    /* booleans */
    {"evt.failed = true", "evt.failed=true", 1},
    {"evt.failed = true", "evt.failed=false", 0},
    {"evt.failed = false", "evt.failed=false", 1},
    {"evt.failed != true", "evt.failed=false", 1},
    {"evt.failed != true", "", 0},
    {"evt.failed in (true)", "evt.failed=true", 1},
    {"evt.failed intersects (false)", "evt.failed=true", 0},
    {"evt.failed = val(fd.connected)", "evt.failed=true;fd.connected=true", 1},
    /* IP addresses and networks */
    {"fd.sip = 10.0.0.1", "fd.sip=10.0.0.1", 1},
    {"fd.sip = 10.0.0.1", "fd.sip=10.0.0.2", 0},
    {"fd.sip != 10.0.0.1", "fd.sip=10.0.0.2", 1},
    {"fd.sip != 10.0.0.1", "", 0},
    {"fd.sip = 10.0.0.0/8", "fd.sip=10.200.3.4", 1},   /* containment */
    {"fd.sip = 10.0.0.0/8", "fd.sip=11.0.0.1", 0},
    {"fd.sip != 10.0.0.0/8", "fd.sip=11.0.0.1", 1},
    {"fd.sip = 192.168.1.0/23", "fd.sip=192.168.0.7", 1},
    {"fd.sip = 192.168.1.0/23", "fd.sip=192.168.2.7", 0},
    {"fd.sip = 0.0.0.0/0", "fd.sip=8.8.8.8", 1},
    {"fd.sip in (192.168.0.0/16, 10.0.0.1)", "fd.sip=10.0.0.1", 1},
    {"fd.sip in (192.168.0.0/16, 10.0.0.1)", "fd.sip=192.168.44.1", 1},
    {"fd.sip in (192.168.0.0/16, 10.0.0.1)", "fd.sip=10.0.0.2", 0},
    {"fd.sip = \"::1\"", "fd.sip=::1", 1},
    {"fd.sip = \"::1\"", "fd.sip=::2", 0},
    {"fd.sip = \"2001:db8::/32\"", "fd.sip=2001:db8:0:1::5", 1},
    {"fd.sip = \"2001:db8::/32\"", "fd.sip=2001:db9::5", 0},
    {"fd.sip = \"2001:db8::/33\"", "fd.sip=2001:db8:8000::1", 0},
    {"fd.sip = 10.0.0.0/8", "fd.sip=::a00:1", 0}, /* families differ */
    {"fd.sip = val(fd.cip)", "fd.sip=1.2.3.4;fd.cip=1.2.3.4", 1},
    {"fd.sip = val(fd.cip)", "fd.sip=1.2.3.4;fd.cip=1.2.3.5", 0},
    {"fd.net = 10.0.0.0/8", "fd.net=10.1.2.3", 1},
    {"fd.net = 10.0.0.0/8", "fd.net=12.1.2.3", 0},
    {"fd.net != 10.0.0.0/8", "fd.net=12.1.2.3", 1},
    {"fd.net in (10.0.0.0/8, 172.16.0.0/12)", "fd.net=172.20.0.1", 1},
    {"fd.net = 10.0.0.0/8", "", 0},
    {"fd.sip exists", "fd.sip=1.1.1.1", 1},
    /* byte buffers */
    {"evt.buffer bcontains 6c6c6f", "evt.buffer=hello", 1},
    {"evt.buffer bcontains 6C6C6F", "evt.buffer=hello", 1},
    {"evt.buffer bcontains 6c6c6c", "evt.buffer=hello", 0},
    {"evt.buffer bcontains 00ff", "evt.buffer=a\\x00\\xffb", 1},
    {"evt.buffer bstartswith 6865", "evt.buffer=hello", 1},
    {"evt.buffer bstartswith 6c", "evt.buffer=hello", 0},
    {"evt.buffer bstartswith \"\"", "evt.buffer=hello", 1},
    {"evt.buffer bcontains 6c", "", 0},
    {"evt.buffer contains ell", "evt.buffer=hello", 1},
    {"evt.buffer startswith he", "evt.buffer=hello", 1},
    {"evt.buffer endswith lo", "evt.buffer=hello", 1},
    {"evt.buffer = hello", "evt.buffer=hello", 1},
    {"evt.buffer != hello", "evt.buffer=hellO", 1},
    {"evt.buffer in (x, hello)", "evt.buffer=hello", 1},
    /* ancestors: without an argument, any ancestor */
    {"proc.aname = bash", "proc.aname=sh|bash|init", 1},
    {"proc.aname = zsh", "proc.aname=sh|bash|init", 0},
    {"proc.aname in (zsh, init)", "proc.aname=sh|bash|init", 1},
    {"proc.aname startswith ba", "proc.aname=sh|bash|init", 1},
    {"proc.aname != sh", "proc.aname=sh|bash|init", 1},
    {"proc.aname[1] = bash", "proc.aname[1]=bash", 1},
    {"proc.aname[2] = bash", "proc.aname[1]=bash", 0},
    {"proc.apid = 1", "proc.apid=300|1", 1},
    {"proc.aname = bash", "", 0},
    /* dotted arguments */
    {"evt.arg.flags contains O_CREAT", "evt.arg.flags=O_RDWR|O_CREAT", 0}, /* first value */
    {"evt.arg.flags contains O_CREAT", "evt.arg.flags=O_RDWR,O_CREAT", 1},
    {"evt.arg.name = x", "evt.arg.flags=x", 0},
    /* boolean structure: n-ary, short-circuit, not, nesting */
    {"proc.name = a and proc.pname = b and fd.name = c", "proc.name=a;proc.pname=b;fd.name=c", 1},
    {"proc.name = a and proc.pname = b and fd.name = c", "proc.name=a;proc.pname=b", 0},
    {"proc.name = a or proc.pname = b or fd.name = c", "fd.name=c", 1},
    {"proc.name = a or proc.pname = b or fd.name = c", "", 0},
    {"not (proc.name = a or proc.pname = b)", "proc.name=x", 1},
    {"not (proc.name = a and proc.pname = b)", "proc.name=a;proc.pname=b", 0},
    {"not not proc.name = a", "proc.name=a", 1},
    {"(proc.name = a or proc.name = b) and not proc.pname exists", "proc.name=b", 1},
    {"proc.name = a and (proc.pname = b or (fd.name = c and not fd.name = d))",
     "proc.name=a;fd.name=c", 1},
};

/* The spec tables only need rule loading plus the test extractor. */
START_TEST(test_syscall_rows)
{
    const struct row *r = &syscall_rows[_i];
    size_t n = eval_spec("syscall", r->cond, r->event);
    ck_assert_msg((int)n == r->expect, "syscall row %d: '%s' on {%s}: got %zu, want %d", _i,
                  r->cond, r->event, n, r->expect);
}
END_TEST

/* List fields, join and getopt on the k8s_audit table (ka.user.groups is a
 * list of strings). */
static const struct row list_rows[] = {
    {"ka.user.groups in (a, b, c)", "ka.user.groups=a|b", 1},
    {"ka.user.groups in (a, b, c)", "ka.user.groups=a|x", 0}, /* every element */
    {"ka.user.groups in (a, b, c)", "ka.user.groups=c", 1},
    {"ka.user.groups in (a, b, c)", "", 0},
    {"not ka.user.groups in (a, b, c)", "", 1},
    {"ka.user.groups in ()", "ka.user.groups=a", 0},
    {"ka.user.groups intersects (x, b)", "ka.user.groups=a|b", 1},
    {"ka.user.groups intersects (x, y)", "ka.user.groups=a|b", 0},
    {"ka.user.groups intersects (x, b)", "", 0},
    {"ka.user.groups intersects (a, b, c, d, e, f, g, h, i, j)", "ka.user.groups=z|j", 1},
    {"ka.user.groups in (a, b, c, d, e, f, g, h, i, j)", "ka.user.groups=j|a|e", 1},
    {"ka.user.groups in (a, b, c, d, e, f, g, h, i, j)", "ka.user.groups=j|k", 0},
    {"ka.user.groups exists", "ka.user.groups=a", 1},
    {"ka.user.groups exists", "", 0},
    {"tolower(ka.user.groups) in (a, b)", "ka.user.groups=A|b", 1},
    {"toupper(ka.user.groups) intersects (B)", "ka.user.groups=a|b", 1},
    {"b64(ka.user.groups) in (hi, hello)", "ka.user.groups=aGk|aGVsbG8", 1},
    {"b64(ka.user.groups) exists", "ka.user.groups=aGk|!!", 0},
    {"len(ka.user.groups) = 3", "ka.user.groups=a|b|c", 1},
    {"len(ka.user.groups) = 1", "ka.user.groups=", 1},
    {"len(ka.user.groups) = 0", "", 0},
    {"join(\",\", ka.user.groups) = \"a,b,c\"", "ka.user.groups=a|b|c", 1},
    {"join(\"\", ka.user.groups) = abc", "ka.user.groups=a|b|c", 1},
    {"join(\", \", ka.user.groups) = a", "ka.user.groups=a", 1},
    {"join(ka.verb, ka.user.groups) = a-b", "ka.verb=-;ka.user.groups=a|b", 1},
    {"join(\",\", ka.user.groups) exists", "", 0},
    {"join(ka.verb, ka.user.groups) exists", "ka.user.groups=a|b", 0},
    {"getopt(ka.user.groups, \"ab:c\")[b] = x", "ka.user.groups=-a|-b|x", 1},
    {"getopt(ka.user.groups, \"ab:c\")[b] = x", "ka.user.groups=-bx", 1},
    {"getopt(ka.user.groups, \"ab:c\")[b] = x", "ka.user.groups=-cbx", 1},
    {"getopt(ka.user.groups, \"ab:c\")[b] = y", "ka.user.groups=-b|x|-b|y", 1}, /* last */
    {"getopt(ka.user.groups, \"ab:c\")[b] exists", "ka.user.groups=-a|-c", 0},
    {"getopt(ka.user.groups, \"ab:c\")[b] = \"\"", "ka.user.groups=-a|-b", 1}, /* no arg */
    {"getopt(ka.user.groups, \"ab:c\")[a] = a", "ka.user.groups=-a", 1},
    {"getopt(ka.user.groups, \"ab:c\")[a] exists", "ka.user.groups=x|-a", 0}, /* stops */
    {"getopt(ka.user.groups, \"ab:c\")[a] exists", "ka.user.groups=--|-a", 0},
    {"getopt(ka.user.groups, \"ab:c\")[a] exists", "ka.user.groups=--long|-a", 1},
    {"getopt(ka.user.groups, \"ab:c\")[a] exists", "ka.user.groups=-|-a", 0},
    {"getopt(ka.user.groups, \"ab:c\") intersects (c)", "ka.user.groups=-ac", 1},
    {"getopt(ka.user.groups, \"ab:c\") in (a, b, x)", "ka.user.groups=-a|-b|x", 1},
    {"getopt(ka.user.groups, \"ab:c\") intersects (\"?\")", "ka.user.groups=-z", 1},
    {"getopt(ka.user.groups, \"ab:c\") intersects (\"?\")", "ka.user.groups=-a", 0},
    {"getopt(ka.user.groups, \"ab:c\") intersects (\"\")", "ka.user.groups=-b", 1},
    {"len(getopt(ka.user.groups, \"ab:c\")) = 4", "ka.user.groups=-ab|x|-c", 1},
    {"getopt(ka.user.groups, \"ab:c\") exists", "", 0},
    {"getopt(ka.user.groups, ka.verb)[b] = x", "ka.verb=b:;ka.user.groups=-b|x", 1},
    {"getopt(ka.user.groups, ka.verb)[b] = x", "ka.user.groups=-b|x", 0},
};

START_TEST(test_list_rows)
{
    const struct row *r = &list_rows[_i];
    size_t n = eval_spec("k8s_audit", r->cond, r->event);
    ck_assert_msg((int)n == r->expect, "list row %d: '%s' on {%s}: got %zu, want %d", _i,
                  r->cond, r->event, n, r->expect);
}
END_TEST

/* ---- memoisation ---- */

START_TEST(test_memo_once_per_event)
{
    /* Three rules share proc.name; the output shares proc.pname; a macro
     * and a transformer use proc.name too. */
    const char *yaml = "- macro: m\n"
                       "  condition: tolower(proc.name) = x\n"
                       "- rule: a\n  desc: d\n  condition: proc.name = a and m\n"
                       "  output: '%proc.pname'\n  priority: ERROR\n"
                       "- rule: b\n  desc: d\n  condition: proc.name = b or tolower(proc.name) = b\n"
                       "  output: '%proc.pname %tolower(proc.name)'\n  priority: ERROR\n"
                       "- rule: c\n  desc: d\n  condition: proc.name startswith z and fd.name = f\n"
                       "  output: '%fd.name'\n  priority: ERROR\n";
    struct program p;
    load_yaml(&p, yaml);
    struct ruleset *rs = ruleset_new(&p, "syscall", NULL);
    ck_assert_uint_eq(ruleset_size(rs), 3);
    /* proc.name, tolower(proc.name), proc.pname, fd.name */
    ck_assert_uint_eq(ruleset_nslots(rs), 4);
    struct spec_ctx ctx = {.spec = "proc.name=B;proc.pname=sh;fd.name=f"};
    ruleset_set_extractor(rs, spec_extract, &ctx);
    struct event ev = spec_event();
    ck_assert_uint_eq(ruleset_eval(rs, &ev, MATCH_ALL, NULL, NULL), 1); /* b */
    ck_assert_uint_eq(key_count(&ctx, "proc.name"), 1);
    ck_assert_uint_eq(key_count(&ctx, "fd.name"), 0); /* c short-circuited */
    ck_assert_uint_eq(key_count(&ctx, "proc.pname"), 0);
    /* Output fields come from the same memo. */
    const struct rule_def *b = p.rules[1];
    const struct fvalues *pn = NULL, *tl = NULL;
    for (size_t i = 0; i < b->output_fmt.n; i++) {
        const struct format_part *part = &b->output_fmt.parts[i];
        if (!part->is_token)
            continue;
        if (!pn)
            pn = ruleset_field(rs, &ev, part->opnd);
        else
            tl = ruleset_field(rs, &ev, part->opnd);
    }
    ck_assert_ptr_nonnull(pn);
    ck_assert_ptr_nonnull(tl);
    ck_assert_uint_eq(pn->n, 1);
    ck_assert_int_eq((int)pn->v[0].len, 2);
    ck_assert(memcmp(pn->v[0].str, "sh", 2) == 0);
    ck_assert_uint_eq(tl->n, 1);
    ck_assert(memcmp(tl->v[0].str, "b", 1) == 0);
    ck_assert_uint_eq(key_count(&ctx, "proc.pname"), 1);
    ck_assert_uint_eq(key_count(&ctx, "proc.name"), 1);
    /* Asking again for the same event extracts nothing new. */
    ruleset_field(rs, &ev, p.rules[1]->output_fmt.parts[0].opnd);
    ck_assert_uint_eq(key_count(&ctx, "proc.pname"), 1);
    /* A new event extracts again, once. */
    struct event ev2 = spec_event();
    ctx.spec = "proc.name=zed;fd.name=f";
    ck_assert_uint_eq(ruleset_eval(rs, &ev2, MATCH_ALL, NULL, NULL), 1); /* c */
    ck_assert_uint_eq(key_count(&ctx, "proc.name"), 2);
    ck_assert_uint_eq(key_count(&ctx, "fd.name"), 1);
    /* A missing value is memoised too. */
    struct event ev3 = spec_event();
    ctx.spec = "";
    ck_assert_uint_eq(ruleset_eval(rs, &ev3, MATCH_ALL, NULL, NULL), 0);
    ck_assert_uint_eq(key_count(&ctx, "proc.name"), 3);
    ck_assert_uint_eq(ruleset_extractions(rs), 5);
    /* ruleset_field on a field no rule uses: a new slot, extracted on demand. */
    struct event ev4 = spec_event();
    ctx.spec = "proc.name=q";
    ruleset_eval(rs, &ev4, MATCH_ALL, NULL, NULL);
    ruleset_free(rs);
    program_free(&p);
}
END_TEST

START_TEST(test_field_missing_output)
{
    struct program p;
    char *yaml = one_rule_yaml("syscall", "proc.name = a", "%proc.name %fd.name %toupper(fd.name)");
    load_yaml(&p, yaml);
    struct ruleset *rs = ruleset_new(&p, "syscall", NULL);
    struct spec_ctx ctx = {.spec = "proc.name=a"};
    ruleset_set_extractor(rs, spec_extract, &ctx);
    struct event ev = spec_event();
    ck_assert_uint_eq(ruleset_eval(rs, &ev, MATCH_FIRST, NULL, NULL), 1);
    const struct rule_def *r = p.rules[0];
    size_t tokens = 0;
    for (size_t i = 0; i < r->output_fmt.n; i++) {
        const struct format_part *part = &r->output_fmt.parts[i];
        if (!part->is_token)
            continue;
        const struct fvalues *v = ruleset_field(rs, &ev, part->opnd);
        ck_assert_ptr_nonnull(v);
        ck_assert_uint_eq(v->n, tokens == 0 ? 1 : 0);
        tokens++;
    }
    ck_assert_uint_eq(tokens, 3);
    /* An operand of another program: found by its field, extracted on
     * demand, once per event. */
    struct program p2;
    char *yaml2 = one_rule_yaml("syscall", "proc.exe = x", "%proc.exe %proc.name");
    load_yaml(&p2, yaml2);
    const struct output_format *f2 = &p2.rules[0]->output_fmt;
    ctx.spec = "proc.name=a;proc.exe=/bin/a";
    const struct fvalues *v = ruleset_field(rs, &ev, f2->parts[0].opnd);
    ck_assert_uint_eq(v->n, 1);
    ck_assert(memcmp(v->v[0].str, "/bin/a", 6) == 0);
    ruleset_field(rs, &ev, f2->parts[0].opnd);
    ck_assert_uint_eq(key_count(&ctx, "proc.exe"), 1);
    v = ruleset_field(rs, &ev, f2->parts[2].opnd); /* proc.name: the rule's slot */
    ck_assert_uint_eq(key_count(&ctx, "proc.name"), 1);
    ck_assert_uint_eq(v->n, 1);
    /* A rule of another program or source has no explanation. */
    ck_assert_ptr_null(ruleset_explain_false(rs, p2.rules[0], &ev));
    program_free(&p2);
    free(yaml2);
    ruleset_free(rs);
    program_free(&p);
    free(yaml);
}
END_TEST

/* ---- rule order, rule_matching, selection ---- */

static const char *order_yaml =
    "- rule: A\n  desc: d\n  condition: ka.verb = get\n  output: o\n  priority: NOTICE\n"
    "  source: k8s_audit\n  tags: [t1]\n"
    "- rule: B match\n  desc: d\n  condition: ka.verb startswith g\n  output: o\n"
    "  priority: CRITICAL\n  source: k8s_audit\n  tags: [t2]\n"
    "- rule: C\n  desc: d\n  condition: ka.verb = create\n  output: o\n  priority: ERROR\n"
    "  source: k8s_audit\n  tags: [t1, t2]\n"
    "- rule: D off\n  desc: d\n  condition: ka.verb exists\n  output: o\n  priority: WARNING\n"
    "  source: k8s_audit\n  enabled: false\n  tags: [t3]\n"
    "- rule: E\n  desc: d\n  condition: ka.verb endswith ate\n  output: o\n  priority: DEBUG\n"
    "  source: k8s_audit\n  tags: [t3]\n"
    "- rule: S\n  desc: d\n  condition: proc.name exists\n  output: o\n  priority: EMERGENCY\n"
    "  tags: [t1]\n"
    "- rule: U\n  desc: d\n  condition: ka.nosuchfield = x\n  output: o\n  priority: ERROR\n"
    "  source: k8s_audit\n  skip-if-unknown-filter: true\n  tags: [t1]\n";

struct matches {
    char names[16][32];
    size_t n;
};

static void record_match(void *ctx, const struct rule_def *rule, const struct event *ev,
                         struct ruleset *rs)
{
    (void)ev;
    (void)rs;
    struct matches *m = ctx;
    if (m->n < 16)
        snprintf(m->names[m->n++], sizeof m->names[0], "%s", rule->name);
}

/* Runs the order rules on verb `verb`; returns the matched names joined by ','. */
static char *run_order(const struct rule_selection *sel, enum rule_matching mode, const char *verb,
                       size_t *size)
{
    struct program p;
    load_yaml(&p, order_yaml);
    struct ruleset *rs = ruleset_new(&p, "k8s_audit", sel);
    if (size)
        *size = ruleset_size(rs);
    char spec[64];
    snprintf(spec, sizeof spec, "ka.verb=%s", verb);
    struct spec_ctx ctx = {.spec = spec};
    ruleset_set_extractor(rs, spec_extract, &ctx);
    struct event ev = spec_event();
    struct matches m = {0};
    size_t n = ruleset_eval(rs, &ev, mode, record_match, &m);
    ck_assert_uint_eq(n, m.n);
    struct strbuf sb = {0};
    sb_append(&sb, "", 0);
    for (size_t i = 0; i < m.n; i++) {
        if (i)
            sb_putc(&sb, ',');
        sb_puts(&sb, m.names[i]);
    }
    ruleset_free(rs);
    program_free(&p);
    return sb_take(&sb);
}

static void expect_order(const struct rule_selection *sel, enum rule_matching mode,
                         const char *verb, const char *want, size_t want_size)
{
    size_t size = 0;
    char *got = run_order(sel, mode, verb, &size);
    ck_assert_msg(strcmp(got, want) == 0, "verb %s: got '%s', want '%s'", verb, got, want);
    ck_assert_uint_eq(size, want_size);
    free(got);
}

START_TEST(test_order_and_matching)
{
    /* enabled: A, B match, C, E (D is off, S is syscall, U dropped) */
    expect_order(NULL, MATCH_FIRST, "get", "A", 4);
    expect_order(NULL, MATCH_ALL, "get", "A,B match", 4);
    expect_order(NULL, MATCH_ALL, "create", "C,E", 4);
    expect_order(NULL, MATCH_FIRST, "create", "C", 4);
    expect_order(NULL, MATCH_FIRST, "patch", "", 4);
    expect_order(NULL, MATCH_ALL, "get", "A,B match", 4);
}
END_TEST

START_TEST(test_min_priority)
{
    struct rule_selection sel = {.min_priority = PRIO_WARNING};
    /* A (NOTICE) and E (DEBUG) are below the minimum. */
    expect_order(&sel, MATCH_FIRST, "get", "B match", 2);
    expect_order(&sel, MATCH_ALL, "create", "C", 2);
    sel.min_priority = PRIO_CRITICAL;
    expect_order(&sel, MATCH_ALL, "get", "B match", 1);
    sel.min_priority = PRIO_EMERGENCY;
    expect_order(&sel, MATCH_ALL, "get", "", 0);
    /* A tag cannot enable a rule below the minimum. */
    const char *tags[] = {"t1", "t3"};
    sel.min_priority = PRIO_ERROR;
    sel.enable_tags = tags;
    sel.nenable_tags = 2;
    expect_order(&sel, MATCH_ALL, "get", "B match", 2);
    sel.min_priority = PRIO_DEBUG;
    expect_order(&sel, MATCH_ALL, "get", "A,B match,D off", 5);
}
END_TEST

START_TEST(test_disable_patterns)
{
    const char *pats[4];
    struct rule_selection sel = {.min_priority = PRIO_DEBUG, .disable_patterns = pats};
    pats[0] = "A";
    sel.ndisable = 1;
    expect_order(&sel, MATCH_FIRST, "get", "B match", 3);
    pats[0] = "B*";
    expect_order(&sel, MATCH_ALL, "get", "A", 3);
    pats[0] = "*match";
    expect_order(&sel, MATCH_ALL, "get", "A", 3);
    pats[0] = "*a*";
    expect_order(&sel, MATCH_ALL, "get", "A", 3);
    pats[0] = "B";
    expect_order(&sel, MATCH_ALL, "get", "A,B match", 4); /* full name only */
    pats[0] = "a";
    expect_order(&sel, MATCH_ALL, "get", "A,B match", 4); /* case-sensitive */
    pats[0] = "B?match";
    expect_order(&sel, MATCH_ALL, "get", "A,B match", 4); /* '?' is literal */
    pats[0] = "*";
    expect_order(&sel, MATCH_ALL, "get", "", 0);
    pats[0] = "A";
    pats[1] = "C";
    pats[2] = "E";
    sel.ndisable = 3;
    expect_order(&sel, MATCH_ALL, "get", "B match", 1);
}
END_TEST

START_TEST(test_enable_tags)
{
    const char *tags[4];
    const char *pats[2];
    struct rule_selection sel = {.min_priority = PRIO_DEBUG, .enable_tags = tags};
    /* Enabling a disabled rule appends it at the end (Falco's order). */
    tags[0] = "t3";
    sel.nenable_tags = 1;
    expect_order(&sel, MATCH_ALL, "get", "A,B match,D off", 5);
    expect_order(&sel, MATCH_FIRST, "patch", "D off", 5);
    /* Tag of an enabled rule: no change of place. */
    tags[0] = "t1";
    expect_order(&sel, MATCH_ALL, "get", "A,B match", 4);
    /* Disable everything, then enable by tag. */
    sel.disable_patterns = pats;
    pats[0] = "*";
    sel.ndisable = 1;
    tags[0] = "t2";
    expect_order(&sel, MATCH_ALL, "get", "B match", 2);
    /* The re-enabled rules come in rule order per tag, tags in order. */
    tags[0] = "t3";
    tags[1] = "t1";
    sel.nenable_tags = 2;
    expect_order(&sel, MATCH_ALL, "get", "D off,A", 4); /* t3: D off, E; t1: A, C */
    /* A pattern disabling one rule, a tag bringing it back at the end. */
    pats[0] = "A";
    tags[0] = "t1";
    sel.nenable_tags = 1;
    expect_order(&sel, MATCH_ALL, "get", "B match,A", 4);
    /* Unknown tag: nothing. */
    tags[0] = "nope";
    pats[0] = "*";
    expect_order(&sel, MATCH_ALL, "get", "", 0);
}
END_TEST

START_TEST(test_ruleset_rule_accessor)
{
    struct program p;
    load_yaml(&p, order_yaml);
    const char *tags[] = {"t3"};
    struct rule_selection sel = {.min_priority = PRIO_DEBUG, .enable_tags = tags,
                                 .nenable_tags = 1};
    struct ruleset *rs = ruleset_new(&p, "k8s_audit", &sel);
    ck_assert_uint_eq(ruleset_size(rs), 5);
    const char *want[] = {"A", "B match", "C", "E", "D off"};
    for (size_t i = 0; i < 5; i++)
        ck_assert_str_eq(ruleset_rule(rs, i)->name, want[i]);
    ck_assert_ptr_null(ruleset_rule(rs, 5));
    ruleset_free(rs);
    /* The syscall ruleset of the same program: only S. */
    rs = ruleset_new(&p, "syscall", NULL);
    ck_assert_uint_eq(ruleset_size(rs), 1);
    ck_assert_str_eq(ruleset_rule(rs, 0)->name, "S");
    ruleset_free(rs);
    /* A source without rules. */
    rs = ruleset_new(&p, "okta", NULL);
    ck_assert_uint_eq(ruleset_size(rs), 0);
    struct event ev = spec_event();
    ck_assert_uint_eq(ruleset_eval(rs, &ev, MATCH_ALL, NULL, NULL), 0);
    ruleset_free(rs);
    program_free(&p);
}
END_TEST

/* ---- explain_false ---- */

static char *explain(const char *source, const char *prelude, const char *cond, const char *spec)
{
    struct program p;
    char *rule = one_rule_yaml(source, cond, NULL);
    char *yaml = xasprintf("%s%s", prelude ? prelude : "", rule);
    load_yaml(&p, yaml);
    struct ruleset *rs = ruleset_new(&p, source, NULL);
    struct spec_ctx ctx = {.spec = spec};
    ruleset_set_extractor(rs, spec_extract, &ctx);
    struct event ev = spec_event();
    ruleset_eval(rs, &ev, MATCH_ALL, NULL, NULL);
    char *why = ruleset_explain_false(rs, program_find_rule(&p, "r"), &ev);
    ruleset_free(rs);
    program_free(&p);
    free(rule);
    free(yaml);
    return why;
}

static void expect_explain(const char *source, const char *prelude, const char *cond,
                           const char *spec, const char *want)
{
    char *got = explain(source, prelude, cond, spec);
    if (!want) {
        ck_assert_msg(got == NULL, "'%s': expected a match, got '%s'", cond, got);
        return;
    }
    ck_assert_msg(got != NULL, "'%s': no explanation", cond);
    ck_assert_msg(strcmp(got, want) == 0, "'%s':\n got  %s\n want %s", cond, got, want);
    free(got);
}

START_TEST(test_explain)
{
    expect_explain("k8s_audit", NULL, "ka.verb = create", "ka.verb=get",
                   "ka.verb = create: ka.verb is \"get\"");
    expect_explain("k8s_audit", NULL, "ka.verb = get", "ka.verb=get", NULL);
    expect_explain("k8s_audit", NULL, "ka.user.name exists", "",
                   "ka.user.name exists: not extracted");
    expect_explain("k8s_audit", NULL, "ka.verb != get", "",
                   "ka.verb != get: ka.verb is not extracted");
    expect_explain("k8s_audit", NULL, "ka.verb = get and ka.user.name in (admin, root)",
                   "ka.verb=get;ka.user.name=bob",
                   "ka.user.name in (admin, root): ka.user.name is \"bob\"");
    expect_explain("k8s_audit", NULL, "not ka.user.name in (admin, root)", "ka.user.name=admin",
                   "not ka.user.name in (admin, root): ka.user.name is \"admin\"");
    expect_explain("k8s_audit", NULL, "ka.verb = a or ka.verb = b", "ka.verb=c",
                   "ka.verb = a: ka.verb is \"c\"");
    expect_explain("k8s_audit", NULL, "not (ka.verb = a or ka.verb = c)", "ka.verb=c",
                   "not ka.verb = c: ka.verb is \"c\"");
    expect_explain("k8s_audit", NULL, "not (ka.verb = c and ka.user.name = u)",
                   "ka.verb=c;ka.user.name=u", "not ka.verb = c: ka.verb is \"c\"");
    expect_explain("k8s_audit",
                   "- macro: kcreate\n  condition: ka.verb = create\n"
                   "- macro: outer\n  condition: ka.user.name exists and kcreate\n",
                   "outer", "ka.verb=get;ka.user.name=u",
                   "ka.verb = create (in macro 'kcreate', from 'outer'): ka.verb is \"get\"");
    expect_explain("k8s_audit", "- macro: kcreate\n  condition: ka.verb = create\n",
                   "kcreate", "", "ka.verb = create (in macro 'kcreate'): ka.verb is not extracted");
    expect_explain("k8s_audit", NULL, "ka.user.groups intersects (a)", "ka.user.groups=x|y",
                   "ka.user.groups intersects (a): ka.user.groups is (\"x\", \"y\")");
    expect_explain("k8s_audit", NULL, "ka.verb = val(ka.user.name)", "ka.verb=a;ka.user.name=b",
                   "ka.verb = val(ka.user.name): ka.verb is \"a\", val(ka.user.name) is \"b\"");
    expect_explain("k8s_audit", NULL, "ka.verb = val(ka.user.name)", "ka.verb=a",
                   "ka.verb = val(ka.user.name): ka.verb is \"a\", val(ka.user.name) is not "
                   "extracted");
    expect_explain("k8s_audit", NULL, "tolower(ka.verb) = get", "ka.verb=PUT",
                   "tolower(ka.verb) = get: tolower(ka.verb) is \"put\"");
    expect_explain("k8s_audit", NULL, "ka.verb = \"a\\tb\"", "ka.verb=a\"b",
                   "ka.verb = \"a\\tb\": ka.verb is \"a\\\"b\"");
    expect_explain("syscall", NULL, "proc.pid > 10 and fd.sip = 10.0.0.0/8",
                   "proc.pid=11;fd.sip=192.168.0.1", "fd.sip = 10.0.0.0/8: fd.sip is 192.168.0.1");
    expect_explain("syscall", NULL, "proc.pid > 10", "proc.pid=-3", "proc.pid > 10: proc.pid is -3");
    expect_explain("syscall", NULL, "evt.failed = true", "evt.failed=false",
                   "evt.failed = true: evt.failed is false");
    /* A disabled rule is still explained. */
    struct program p;
    load_yaml(&p, "- rule: off\n  desc: d\n  condition: ka.verb = x\n  output: o\n"
                  "  priority: ERROR\n  source: k8s_audit\n  enabled: false\n");
    struct ruleset *rs = ruleset_new(&p, "k8s_audit", NULL);
    ck_assert_uint_eq(ruleset_size(rs), 0);
    struct spec_ctx ctx = {.spec = "ka.verb=y"};
    ruleset_set_extractor(rs, spec_extract, &ctx);
    struct event ev = spec_event();
    char *why = ruleset_explain_false(rs, p.rules[0], &ev);
    ck_assert_str_eq(why, "ka.verb = x: ka.verb is \"y\"");
    free(why);
    ruleset_free(rs);
    program_free(&p);
}
END_TEST

/* ---- JSON events through the real extractors ---- */

static const char *k8s_base =
    "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"RequestResponse\","
    "\"auditID\":\"2f7c2a3e-0000-4000-8000-000000000001\",\"stage\":\"ResponseComplete\","
    "\"requestURI\":\"/api/v1/namespaces/default/pods?watch=true\",\"verb\":\"create\","
    "\"user\":{\"username\":\"alice\",\"groups\":[\"system:authenticated\",\"dev\"]},"
    "\"sourceIPs\":[\"10.0.0.7\"],"
    "\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"default\",\"name\":\"web-1\","
    "\"apiVersion\":\"v1\"},"
    "\"responseStatus\":{\"metadata\":{},\"code\":201},"
    "\"requestObject\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\",\"labels\":{\"app\":"
    "\"Web\"}},\"spec\":{\"hostNetwork\":true,\"containers\":[{\"name\":\"c\",\"image\":"
    "\"nginx:1.25\",\"args\":[\"-p\",\"8080\",\"-v\"]},{\"name\":\"d\",\"image\":"
    "\"registry:5000/app:2\"}],\"volumes\":[]}},"
    "\"annotations\":{\"authorization.k8s.io/decision\":\"allow\",\"a~b\":\"tilde\"},"
    "\"requestReceivedTimestamp\":\"2024-01-02T03:04:05.000000Z\","
    "\"stageTimestamp\":\"2024-01-02T03:04:05.123456Z\"}";

static const struct row k8s_rows[] = {
    /* jevt.value pointers, string leaves */
    {"jevt.value[/verb] = create", NULL, 1},
    {"jevt.value[/verb] = get", NULL, 0},
    {"jevt.value[/verb] != get", NULL, 1},
    {"jevt.value[/nosuch] != get", NULL, 0},
    {"not jevt.value[/nosuch] = get", NULL, 1},
    {"jevt.value[/nosuch] exists", NULL, 0},
    {"jevt.value[/verb] exists", NULL, 1},
    {"json.value[/user/username] = alice", NULL, 1},
    {"jevt.value[/objectRef/namespace] in (kube-system, default)", NULL, 1},
    {"jevt.value[/objectRef/namespace] intersects (kube-system)", NULL, 0},
    {"jevt.value[/nosuch] in (a, b)", NULL, 0},
    {"jevt.value[/requestURI] startswith /api/v1", NULL, 1},
    {"jevt.value[/requestURI] endswith \"watch=true\"", NULL, 1},
    {"jevt.value[/requestURI] contains namespaces/default", NULL, 1},
    {"jevt.value[/requestURI] icontains NAMESPACES", NULL, 1},
    {"jevt.value[/requestURI] glob /api/*/pods*", NULL, 1},
    {"jevt.value[/requestURI] iglob /API/*", NULL, 1},
    {"jevt.value[/requestURI] regex '/api/v[0-9]+/.*'", NULL, 1},
    {"jevt.value[/requestURI] regex 'api/v1'", NULL, 0},
    {"jevt.value[/requestURI] pmatch (/api/v1/namespaces)", NULL, 1},
    {"jevt.value[/requestURI] pmatch (/api/v2)", NULL, 0},
    {"jevt.value[/verb] < val(jevt.value[/stage])", NULL, 0}, /* "c" > "R" */
    {"jevt.value[/verb] > val(jevt.value[/stage])", NULL, 1},
    {"jevt.value[/responseStatus/code] > 3", NULL, 0}, /* text "201" */
    {"jevt.value[/responseStatus/code] < 3", NULL, 1},
    /* array indexes and RFC 6901 escapes */
    {"jevt.value[/user/groups/1] = dev", NULL, 1},
    {"jevt.value[/user/groups/2] exists", NULL, 0},
    {"jevt.value[/requestObject/spec/containers/0/image] = \"nginx:1.25\"", NULL, 1},
    {"jevt.value[/annotations/authorization.k8s.io~1decision] = allow", NULL, 1},
    {"jevt.value[/annotations/a~0b] = tilde", NULL, 1},
    {"jevt.value[\"/annotations/a~0b\"] = tilde", NULL, 1},
    /* non-string leaves compare as compact JSON text */
    {"jevt.value[/responseStatus/code] = 201", NULL, 1},
    {"jevt.value[/responseStatus/code] startswith 2", NULL, 1},
    {"jevt.value[/requestObject/spec/hostNetwork] = true", NULL, 1},
    {"jevt.value[/requestObject/metadata/labels] = '{\"app\":\"Web\"}'", NULL, 1},
    {"jevt.value[/requestObject/spec/volumes] = \"[]\"", NULL, 1},
    /* transformers on JSON values */
    {"tolower(jevt.value[/requestObject/metadata/labels/app]) = web", NULL, 1},
    {"toupper(jevt.value[/verb]) = CREATE", NULL, 1},
    {"basename(jevt.value[/objectRef/resource]) = pods", NULL, 1},
    {"len(jevt.value[/verb]) = 6", NULL, 1},
    {"concat(jevt.value[/verb], \"/\", jevt.value[/objectRef/resource]) = create/pods", NULL, 1},
    {"concat(jevt.value[/verb], jevt.value[/nosuch]) exists", NULL, 0},
    {"jevt.value[/objectRef/name] = val(jevt.value[/requestObject/metadata/name])", NULL, 1},
    {"jevt.value[/objectRef/name] = val(jevt.value[/verb])", NULL, 0},
    {"jevt.value[/verb] startswith oneof (cr, x)", NULL, 1},
    {"jevt.value[/verb] startswith oneof (cr, c)", NULL, 0},
    {"jevt.value[/verb] = anyof (get, create)", NULL, 1},
    {"jevt.value[/verb] contains allof (cr, ate)", NULL, 1},
    /* ka.* fields */
    {"ka.verb = create", NULL, 1},
    {"ka.verb in (create, update)", NULL, 1},
    {"ka.user.name = alice and ka.target.namespace = default", NULL, 1},
    {"ka.target.resource = pods and ka.target.name = web-1", NULL, 1},
    {"ka.user.groups in (system:authenticated, dev, ops)", NULL, 1},
    {"ka.user.groups in (dev, ops)", NULL, 0},
    {"ka.user.groups intersects (dev, ops)", NULL, 1},
    {"ka.user.groups intersects (ops)", NULL, 0},
    {"len(ka.user.groups) = 2", NULL, 1},
    {"join(\",\", ka.user.groups) = \"system:authenticated,dev\"", NULL, 1},
    {"ka.response.code = 201", NULL, 1},
    {"ka.response.code startswith 2", NULL, 1},
    {"ka.uri.param[watch] = true", NULL, 1},
    {"ka.uri.param[nosuch] exists", NULL, 0},
    {"ka.req.pod.containers.image intersects (\"nginx:1.25\")", NULL, 1},
    {"ka.req.pod.containers.image[1] in (\"registry:5000/app:2\")", NULL, 1},
    {"ka.req.pod.host_network intersects (true)", NULL, 1},
    {"ka.auth.decision = allow", NULL, 1},
    {"ka.impuser.name exists", NULL, 0},
    {"ka.impuser.name != x", NULL, 0},
    {"not ka.impuser.name = x", NULL, 1},
};

static const char *k8s_empty_groups =
    "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"x-2\","
    "\"stage\":\"ResponseComplete\",\"verb\":\"get\",\"user\":{\"username\":\"bob\","
    "\"groups\":[]},\"stageTimestamp\":\"2024-01-02T03:04:05.123456Z\"}";

/* A JSON row of any source; doc NULL: the source's base document. */
struct jrow {
    const char *source;
    const char *cond;
    const char *doc;
    int expect;
};

static const char *ct_base =
    "{\"Records\":[{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\","
    "\"principalId\":\"AIDAEXAMPLE\",\"arn\":\"arn:aws:iam::123456789012:user/alice\","
    "\"accountId\":\"123456789012\",\"userName\":\"alice\"},"
    "\"eventTime\":\"2024-01-02T03:04:05Z\",\"eventSource\":\"s3.amazonaws.com\","
    "\"eventName\":\"GetObject\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"10.1.2.3\","
    "\"userAgent\":\"aws-cli/2.0\",\"requestParameters\":{\"bucketName\":\"logs\","
    "\"key\":\"a/b.txt\"},\"responseElements\":null,"
    "\"additionalEventData\":{\"bytesTransferredIn\":0,\"bytesTransferredOut\":4096},"
    "\"eventID\":\"e-1\",\"readOnly\":true,\"eventType\":\"AwsApiCall\","
    "\"recipientAccountId\":\"123456789012\"}]}";

static const struct jrow json_rows[] = {
    /* an empty list extracts nothing (falco-fields.md 8.1) */
    {"k8s_audit", "ka.user.groups exists", "E", 0},
    {"k8s_audit", "ka.user.groups in (a, b)", "E", 0},
    {"k8s_audit", "ka.user.groups intersects (a, b)", "E", 0},
    {"k8s_audit", "not ka.user.groups in (a, b)", "E", 1},
    {"k8s_audit", "len(ka.user.groups) = 0", "E", 0},
    {"k8s_audit", "jevt.value[/user/groups] = \"[]\"", "E", 1},
    {"k8s_audit", "ka.verb = get and ka.user.name = bob", "E", 1},
    /* generic evt.* fields */
    {"k8s_audit", "evt.source = k8s_audit", NULL, 1},
    {"k8s_audit", "evt.hostname = test-host", NULL, 1},
    {"k8s_audit", "evt.num > 0", NULL, 1},
    {"k8s_audit", "evt.num = 0", NULL, 0},
    /* CloudTrail: strings, the uint64 s3.bytes, json pointers */
    {"aws_cloudtrail", "ct.name = GetObject and ct.user = alice", NULL, 1},
    {"aws_cloudtrail", "ct.name in (PutObject, DeleteObject)", NULL, 0},
    {"aws_cloudtrail", "ct.srcip = 10.1.2.3", NULL, 1},
    {"aws_cloudtrail", "ct.error exists", NULL, 0},
    {"aws_cloudtrail", "ct.error != AccessDenied", NULL, 0},
    {"aws_cloudtrail", "not ct.error exists", NULL, 1},
    {"aws_cloudtrail", "s3.bucket = logs and s3.key startswith a/", NULL, 1},
    {"aws_cloudtrail", "s3.uri = \"s3://logs/a/b.txt\"", NULL, 1},
    {"aws_cloudtrail", "s3.bytes = 4096", NULL, 1},
    {"aws_cloudtrail", "s3.bytes > 4000", NULL, 1},
    {"aws_cloudtrail", "s3.bytes > 4096", NULL, 0},
    {"aws_cloudtrail", "s3.bytes >= 4096", NULL, 1},
    {"aws_cloudtrail", "s3.bytes < 5000", NULL, 1},
    {"aws_cloudtrail", "s3.bytes != 4096", NULL, 0},
    {"aws_cloudtrail", "s3.bytes in (1, 4096)", NULL, 1},
    {"aws_cloudtrail", "s3.bytes.out = 4096 and s3.bytes.in = 0", NULL, 1},
    {"aws_cloudtrail", "s3.cnt.put exists", NULL, 0},
    {"aws_cloudtrail", "s3.cnt.put != 1", NULL, 0},
    {"aws_cloudtrail", "s3.cnt.get = 1", NULL, 1},
    {"aws_cloudtrail", "jevt.value[/userIdentity/type] = IAMUser", NULL, 1},
    {"aws_cloudtrail", "json.value[/readOnly] = true", NULL, 1},
    {"aws_cloudtrail", "json.value[/additionalEventData/bytesTransferredOut] = 4096", NULL, 1},
    {"aws_cloudtrail", "ct.user = val(jevt.value[/userIdentity/userName])", NULL, 1},
    {"aws_cloudtrail", "toupper(ct.region) = US-EAST-1", NULL, 1},
};

struct first_event {
    json_ref ev;
    bool have;
};

static void take_first(void *ctx, json_ref e)
{
    struct first_event *f = ctx;
    if (!f->have) {
        f->ev = e;
        f->have = true;
    }
}

/* Evaluates a one-rule condition on the first event of a JSON document,
 * decoded and extracted by the source's real plugin. */
static size_t eval_json(const char *source, const char *cond, const char *doc)
{
    struct program p;
    char *yaml = one_rule_yaml(source, cond, NULL);
    load_yaml(&p, yaml);
    struct ruleset *rs = ruleset_new(&p, source, NULL);
    ck_assert_uint_eq(ruleset_size(rs), 1);
    const struct source_plugin *sp = source_plugin_find(source);
    ck_assert_ptr_nonnull(sp);
    struct json_parser *jp = json_parser_new(1 << 20);
    struct json_stream *st = json_stream_open(jp, doc, strlen(doc));
    json_ref root;
    size_t at;
    const char *err = NULL;
    ck_assert_int_eq(json_stream_next(st, &root, &at, &err), JSON_NEXT_DOC);
    struct first_event fe = {0};
    const char *why = NULL;
    ck_assert_msg(sp->decode(root, take_first, &fe, &why), "decode: %s", why ? why : "?");
    ck_assert(fe.have);
    struct event ev;
    memset(&ev, 0, sizeof ev);
    ev.root = fe.ev;
    ev.num = ++event_counter;
    ev.source = source;
    ev.hostname = "test-host";
    ev.input = "-";
    ev.ts_ns = sp->timestamp ? sp->timestamp(fe.ev) : 0;
    size_t n = ruleset_eval(rs, &ev, MATCH_FIRST, NULL, NULL);
    json_stream_close(st);
    json_parser_free(jp);
    ruleset_free(rs);
    program_free(&p);
    free(yaml);
    return n;
}

START_TEST(test_k8s_rows)
{
    const struct row *r = &k8s_rows[_i];
    size_t n = eval_json("k8s_audit", r->cond, r->event ? r->event : k8s_base);
    ck_assert_msg((int)n == r->expect, "k8s row %d: '%s': got %zu, want %d", _i, r->cond, n,
                  r->expect);
}
END_TEST

START_TEST(test_json_rows)
{
    const struct jrow *r = &json_rows[_i];
    const char *doc = r->doc;
    if (doc && strcmp(doc, "E") == 0)
        doc = k8s_empty_groups;
    else if (!doc)
        doc = strcmp(r->source, "k8s_audit") == 0 ? k8s_base : ct_base;
    size_t n = eval_json(r->source, r->cond, doc);
    ck_assert_msg((int)n == r->expect, "json row %d (%s): '%s': got %zu, want %d", _i,
                  r->source, r->cond, n, r->expect);
}
END_TEST

static Suite *eval_suite(void)
{
    Suite *s = suite_create("eval");
    TCase *tc = tcase_create("syscall types");
    tcase_add_loop_test(tc, test_syscall_rows, 0,
                        (int)(sizeof syscall_rows / sizeof syscall_rows[0]));
    suite_add_tcase(s, tc);
    tc = tcase_create("lists and multi-argument transformers");
    tcase_add_loop_test(tc, test_list_rows, 0, (int)(sizeof list_rows / sizeof list_rows[0]));
    suite_add_tcase(s, tc);
    tc = tcase_create("memo");
    tcase_add_test(tc, test_memo_once_per_event);
    tcase_add_test(tc, test_field_missing_output);
    suite_add_tcase(s, tc);
    tc = tcase_create("selection");
    tcase_add_test(tc, test_order_and_matching);
    tcase_add_test(tc, test_min_priority);
    tcase_add_test(tc, test_disable_patterns);
    tcase_add_test(tc, test_enable_tags);
    tcase_add_test(tc, test_ruleset_rule_accessor);
    suite_add_tcase(s, tc);
    tc = tcase_create("explain");
    tcase_add_test(tc, test_explain);
    suite_add_tcase(s, tc);
    tc = tcase_create("json events");
    tcase_add_loop_test(tc, test_k8s_rows, 0, (int)(sizeof k8s_rows / sizeof k8s_rows[0]));
    tcase_add_loop_test(tc, test_json_rows, 0, (int)(sizeof json_rows / sizeof json_rows[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(eval_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0;
}
