/* extract.c: github.* fields of one webhook payload (falco-fields.md
 * section 4, quirks of section 8).
 *
 * Semantics follow the github plugin (v0.10.1, extract.go), which reads the
 * payload with fastjson:
 *  - string fields give "" (present) when the key is missing or holds a
 *    non-string value; github.repo.public is "false" only when
 *    repository.private is JSON true;
 *  - github.webhook.id is hook.id printed in decimal: "0" when missing or
 *    not an unsigned integer;
 *  - github.commit.* join commits[*].<kind>[*] with ",", but the plugin
 *    trims the trailing comma after each commit, so two commits' lists are
 *    glued without a separator ("a,bc" for [a,b] then [c]); the same holds
 *    per file for github.diff.committed_secrets.*;
 *  - github.diff.has_secrets and ...links are "" when the payload has no
 *    "files" array (the plugin breaks out of its switch and returns the
 *    empty result as present; falco-fields.md says "absent"), while
 *    ...desc, ...files and ...lines are absent then;
 *  - github.workflow.has_miners / miners.type are absent without a
 *    workflow_miner_detections.matches array; miners.type lists each
 *    distinct type once, in first-seen order (the plugin iterates a Go map,
 *    so its order is random);
 *  - an empty "files" or "matches" array counts as present (the plugin's
 *    intent; fastjson returns a nil slice for some empty arrays, depending on
 *    its value cache).
 *
 * Dispatch: one table row per field, mapped from the schema table once. */
#include "extract.h"
#include "extractors.h"
#include "field_table.h" /* the shared declarations; checked against ours */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct sv {
    const char *s;
    size_t n;
};

#define P(...) ((const char *const[]){__VA_ARGS__, NULL})

static bool get_path(json_ref v, const char *const *keys, json_ref *out)
{
    for (; *keys; keys++) {
        if (!json_object_get(v, *keys, strlen(*keys), &v))
            return false;
    }
    *out = v;
    return true;
}

/* A struct sv (document string) as the one value. */
static void out_str(struct arena *a, struct fvalues *out, struct sv s)
{
    fvalues_set_str(a, out, s.s, s.n);
}

/* fastjson Get(keys...).GetStringBytes(): "" unless a string is there. */
static struct sv str_at(json_ref r, const char *const *keys)
{
    json_ref v;
    struct sv s;
    if (!get_path(r, keys, &v) || !json_get_string(v, &s.s, &s.n))
        return (struct sv){"", 0};
    return s;
}

/* fastjson GetUint64: an unsigned integer, else 0. */
static uint64_t u64_at(json_ref r, const char *const *keys)
{
    json_ref v;
    if (!get_path(r, keys, &v))
        return 0;
    switch (json_kind(v)) {
    case JSON_UINT64: {
        uint64_t u = 0;
        json_get_uint64(v, &u);
        return u;
    }
    case JSON_INT64: {
        int64_t i = 0;
        json_get_int64(v, &i);
        return i >= 0 ? (uint64_t)i : 0;
    }
    default:
        return 0; /* fractions, exponents, signs: ParseUint64BestEffort fails */
    }
}

/* fastjson GetArray: present only for an array. */
static bool array_at(json_ref r, const char *const *keys, json_ref *out)
{
    return get_path(r, keys, out) && json_kind(*out) == JSON_ARRAY;
}

static void out_sb(struct arena *a, struct fvalues *out, struct strbuf *sb)
{
    fvalues_set_copy(a, out, sb->len ? sb->s : "", sb->len);
    sb_free(sb);
}

/* Drops one trailing ',' (the plugin does this after each commit / file). */
static void trim_comma(struct strbuf *sb)
{
    if (sb->len && sb->s[sb->len - 1] == ',')
        sb->s[--sb->len] = '\0';
}

/* ---- handlers ---- */

struct gh_entry;
typedef void (*gh_fn)(const struct gh_entry *e, json_ref r, struct arena *a, struct fvalues *out);
struct gh_entry {
    const char *name;
    gh_fn fn;
    const char *const *keys;
};

static void x_str(const struct gh_entry *e, json_ref r, struct arena *a, struct fvalues *out)
{
    out_str(a, out, str_at(r, e->keys));
}

static void x_repo_name(const struct gh_entry *e, json_ref r, struct arena *a,
                        struct fvalues *out)
{
    static const char prefix[] = "https://github.com/";
    const size_t pl = sizeof prefix - 1;
    struct sv s = str_at(r, P("repository", "html_url"));
    if (s.n >= pl && memcmp(s.s, prefix, pl) == 0)
        s = (struct sv){s.s + pl, s.n - pl}; /* a suffix: still NUL-terminated */
    out_str(a, out, s);
}

static void x_repo_public(const struct gh_entry *e, json_ref r, struct arena *a,
                          struct fvalues *out)
{
    json_ref v;
    bool priv = false;
    if (get_path(r, P("repository", "private"), &v) && json_kind(v) == JSON_BOOL)
        json_get_bool(v, &priv);
    out_str(a, out, priv ? (struct sv){"false", 5} : (struct sv){"true", 4});
}

static void x_webhook_id(const struct gh_entry *e, json_ref r, struct arena *a,
                         struct fvalues *out)
{
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%" PRIu64, u64_at(r, P("hook", "id")));
    fvalues_set_copy(a, out, buf, (size_t)n);
}

/* commits[*].<kind>[*] (e->keys[0] is the kind). */
static void x_commit_files(const struct gh_entry *e, json_ref r, struct arena *a,
                           struct fvalues *out)
{
    struct strbuf sb = {0};
    json_ref commits, commit, list, name;
    if (array_at(r, P("commits"), &commits)) {
        json_iter ci;
        json_iter_begin(commits, &ci);
        while (json_iter_next(&ci, &commit, NULL, NULL)) {
            if (array_at(commit, e->keys, &list)) {
                json_iter li;
                json_iter_begin(list, &li);
                while (json_iter_next(&li, &name, NULL, NULL)) {
                    struct sv s;
                    if (json_get_string(name, &s.s, &s.n))
                        sb_append(&sb, s.s, s.n);
                    sb_putc(&sb, ',');
                }
            }
            trim_comma(&sb);
        }
    }
    out_sb(a, out, &sb);
}

static void x_has_secrets(const struct gh_entry *e, json_ref r, struct arena *a,
                          struct fvalues *out)
{
    json_ref files, file, matches;
    if (!array_at(r, P("files"), &files)) {
        out_str(a, out, (struct sv){"", 0});
        return;
    }
    bool any = false;
    json_iter it;
    json_iter_begin(files, &it);
    while (!any && json_iter_next(&it, &file, NULL, NULL))
        any = array_at(file, P("matches"), &matches) && json_array_size(matches) > 0;
    out_str(a, out, any ? (struct sv){"true", 4} : (struct sv){"false", 5});
}

enum match_part { M_DESC, M_FILE, M_LINE, M_LINK };

/* getMatchField and the links loop: one item per files[*].matches[*]. */
static void match_list(json_ref r, enum match_part part, struct arena *a, struct fvalues *out)
{
    json_ref files, file, matches, m;
    if (!array_at(r, P("files"), &files)) {
        if (part == M_LINK)
            out_str(a, out, (struct sv){"", 0});
        return;
    }
    struct sv repo = str_at(r, P("repository", "html_url"));
    struct sv head = str_at(r, P("head_commit", "id"));
    struct strbuf sb = {0};
    json_iter fi;
    json_iter_begin(files, &fi);
    while (json_iter_next(&fi, &file, NULL, NULL)) {
        struct sv fname = str_at(file, P("name"));
        if (array_at(file, P("matches"), &matches)) {
            json_iter mi;
            json_iter_begin(matches, &mi);
            while (json_iter_next(&mi, &m, NULL, NULL)) {
                switch (part) {
                case M_DESC: {
                    struct sv d = str_at(m, P("desc"));
                    sb_append(&sb, d.s, d.n);
                    break;
                }
                case M_FILE:
                    sb_append(&sb, fname.s, fname.n);
                    break;
                case M_LINE:
                    sb_printf(&sb, "%" PRIu64, u64_at(m, P("line")));
                    break;
                case M_LINK:
                    sb_append(&sb, repo.s, repo.n);
                    sb_puts(&sb, "/blob/");
                    sb_append(&sb, head.s, head.n);
                    sb_putc(&sb, '/');
                    sb_append(&sb, fname.s, fname.n);
                    sb_printf(&sb, "/#L%" PRIu64, u64_at(m, P("line")));
                    break;
                }
                sb_putc(&sb, ',');
            }
        }
        trim_comma(&sb);
    }
    out_sb(a, out, &sb);
}

static void x_secrets_desc(const struct gh_entry *e, json_ref r, struct arena *a,
                           struct fvalues *out)
{
    match_list(r, M_DESC, a, out);
}

static void x_secrets_files(const struct gh_entry *e, json_ref r, struct arena *a,
                            struct fvalues *out)
{
    match_list(r, M_FILE, a, out);
}

static void x_secrets_lines(const struct gh_entry *e, json_ref r, struct arena *a,
                            struct fvalues *out)
{
    match_list(r, M_LINE, a, out);
}

static void x_secrets_links(const struct gh_entry *e, json_ref r, struct arena *a,
                            struct fvalues *out)
{
    match_list(r, M_LINK, a, out);
}

static void x_has_miners(const struct gh_entry *e, json_ref r, struct arena *a,
                         struct fvalues *out)
{
    json_ref m;
    if (!array_at(r, P("workflow_miner_detections", "matches"), &m))
        return;
    out_str(a, out, json_array_size(m) ? (struct sv){"true", 4} : (struct sv){"false", 5});
}

static void x_miner_types(const struct gh_entry *e, json_ref r, struct arena *a,
                          struct fvalues *out)
{
    json_ref m, item;
    if (!array_at(r, P("workflow_miner_detections", "matches"), &m))
        return;
    size_t n = json_array_size(m), k = 0;
    struct sv *seen = n ? xmalloc(n * sizeof *seen) : NULL;
    struct strbuf sb = {0};
    json_iter it;
    json_iter_begin(m, &it);
    while (json_iter_next(&it, &item, NULL, NULL) && k < n) {
        struct sv t = str_at(item, P("type"));
        bool dup = false;
        for (size_t i = 0; i < k && !dup; i++)
            dup = seen[i].n == t.n && memcmp(seen[i].s, t.s, t.n) == 0;
        if (dup)
            continue;
        seen[k++] = t;
        if (k > 1)
            sb_putc(&sb, ',');
        sb_append(&sb, t.s, t.n);
    }
    free(seen);
    out_sb(a, out, &sb);
}

static const struct gh_entry entries[] = {
    {"github.type", x_str, P("webhook_type")},
    {"github.action", x_str, P("action")},
    {"github.user", x_str, P("sender", "login")},
    {"github.repo", x_str, P("repository", "html_url")},
    {"github.repo.url", x_str, P("repository", "html_url")},
    {"github.repo.name", x_repo_name, NULL},
    {"github.repo.description", x_str, P("repository", "description")},
    {"github.org", x_str, P("organization", "login")},
    {"github.owner", x_str, P("repository", "owner", "login")},
    {"github.repo.public", x_repo_public, NULL},
    {"github.collaborator.name", x_str, P("member", "login")},
    {"github.collaborator.role", x_str, P("changes", "permission", "to")},
    {"github.webhook.id", x_webhook_id, NULL},
    {"github.webhook.type", x_str, P("hook", "type")},
    {"github.commit.added", x_commit_files, P("added")},
    {"github.commit.modified", x_commit_files, P("modified")},
    {"github.commit.removed", x_commit_files, P("removed")},
    {"github.diff.has_secrets", x_has_secrets, NULL},
    {"github.diff.committed_secrets.desc", x_secrets_desc, NULL},
    {"github.diff.committed_secrets.files", x_secrets_files, NULL},
    {"github.diff.committed_secrets.lines", x_secrets_lines, NULL},
    {"github.diff.committed_secrets.links", x_secrets_links, NULL},
    {"github.workflow.has_miners", x_has_miners, NULL},
    {"github.workflow.miners.type", x_miner_types, NULL},
    {"github.workflow.filename", x_str, P("workflow", "path")},
};

static struct field_table handlers = FIELD_TABLE_INIT("github", entries);

static const struct gh_entry *entry_of(const struct field_info *fi)
{
    return field_table_entry(&handlers, fi);
}

bool github_field_known(const struct field_info *f)
{
    return entry_of(f) != NULL;
}

bool github_extract(const struct event *ev, const struct field_ref *f, struct arena *a,
                    struct fvalues *out)
{
    out->v = NULL;
    out->n = 0;
    const struct gh_entry *e = entry_of(f->info);
    if (!e)
        return false;
    e->fn(e, ev->root, a, out);
    return true;
}
