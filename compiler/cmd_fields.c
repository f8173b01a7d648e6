/* cmd_fields.c: `stoopc fields [--source S] [--json] [--all]`: lists the
 * field schemas of the event sources, like `falco --list`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "schema.h"
#include "util.h"

static void fields_usage(FILE *out)
{
    fprintf(out,
            "usage: stoopc fields [--source S] [--json] [--all]\n"
            "  --source S  only the fields of event source S\n"
            "  --json      one JSON array of {source, table, name, type, is_list, arg,\n"
            "              arg_required, flags, desc[, path]}\n"
            "  --all       include hidden fields (libsinsp TABLE_ONLY/PRINT_ONLY)\n");
}

/* "none", or the accepted argument forms joined with '|'. */
static void arg_kinds(unsigned flags, struct strbuf *sb)
{
    size_t start = sb->len;
    if (flags & FF_ARG_INDEX)
        sb_puts(sb, "index");
    if (flags & FF_ARG_KEY)
        sb_puts(sb, sb->len > start ? "|key" : "key");
    if (flags & FF_ARG_DOTTED)
        sb_puts(sb, sb->len > start ? "|dotted" : "dotted");
    if (sb->len == start)
        sb_puts(sb, "none");
}

static const struct {
    unsigned flag;
    const char *name;
} other_flags[] = {
    {FF_NO_RHS, "no_rhs"},         {FF_NO_TRANSFORMER, "no_transformer"},
    {FF_FILTER_ONLY, "filter_only"}, {FF_DEPRECATED, "deprecated"},
    {FF_HIDDEN, "hidden"},         {FF_ANCESTOR, "ancestor"},
};

/* Human-readable flags: "list; optional arg: index; no_rhs, ..." or "". */
static char *flags_text(unsigned flags)
{
    struct strbuf sb = {0};
    if (flags & FF_IS_LIST)
        sb_puts(&sb, "list");
    if (flags & (FF_ARG_REQUIRED | FF_ARG_ALLOWED)) {
        if (sb.len)
            sb_puts(&sb, "; ");
        sb_puts(&sb, flags & FF_ARG_REQUIRED ? "required arg: " : "optional arg: ");
        arg_kinds(flags, &sb);
    }
    bool first = true;
    for (size_t i = 0; i < sizeof(other_flags) / sizeof(other_flags[0]); i++) {
        if (!(flags & other_flags[i].flag))
            continue;
        if (sb.len)
            sb_puts(&sb, first ? "; " : ", ");
        sb_puts(&sb, other_flags[i].name);
        first = false;
    }
    return sb_take(&sb);
}

static const char *table_title(const struct source_schema *src, const struct source_schema *tab)
{
    if (tab == src)
        return NULL;
    if (strcmp(tab->name, "generic") == 0)
        return "generic evt.* fields (every plugin source)";
    if (strcmp(tab->name, "json") == 0)
        return "json plugin fields (json.*, jevt.*)";
    return tab->name;
}

static void print_text(const struct source_schema *src, bool all)
{
    size_t ntables = 1 + src->nextra;
    int width = 0;
    for (size_t t = 0; t < ntables; t++) {
        const struct source_schema *tab = t ? src->extra[t - 1] : src;
        for (size_t i = 0; i < tab->nfields; i++) {
            int len = (int)strlen(tab->fields[i].name);
            if (len > width)
                width = len;
        }
    }
    if (width > 48)
        width = 48;

    printf("Event source: %s", src->name);
    if (src->plugin) {
        const struct builtin_plugin *bp = schema_builtin_plugin(src->plugin);
        printf(" (plugin %s%s%s)", src->plugin, bp ? " " : "", bp ? bp->version : "");
    }
    putchar('\n');
    for (size_t t = 0; t < ntables; t++) {
        const struct source_schema *tab = t ? src->extra[t - 1] : src;
        const char *title = table_title(src, tab);
        if (title)
            printf("\n  -- %s --\n", title);
        else
            putchar('\n');
        for (size_t i = 0; i < tab->nfields; i++) {
            const struct field_info *f = &tab->fields[i];
            if ((f->flags & FF_HIDDEN) && !all)
                continue;
            char *ft = flags_text(f->flags);
            printf("  %-*s %-11s %s%s%s%s\n", width, f->name, field_type_name(f->type),
                   *ft ? "[" : "", ft, *ft ? "] " : "", f->desc ? f->desc : "");
            free(ft);
        }
    }
}

static void json_str(struct strbuf *sb, const char *key, const char *val)
{
    sb_printf(sb, "\"%s\":\"", key);
    sb_json_escape(sb, val, strlen(val));
    sb_putc(sb, '"');
}

static void print_json_source(struct strbuf *sb, const struct source_schema *src, bool all,
                              bool *first)
{
    size_t ntables = 1 + src->nextra;
    for (size_t t = 0; t < ntables; t++) {
        const struct source_schema *tab = t ? src->extra[t - 1] : src;
        for (size_t i = 0; i < tab->nfields; i++) {
            const struct field_info *f = &tab->fields[i];
            if ((f->flags & FF_HIDDEN) && !all)
                continue;
            sb_puts(sb, *first ? "\n  {" : ",\n  {");
            *first = false;
            json_str(sb, "source", src->name);
            sb_putc(sb, ',');
            json_str(sb, "table", tab->name);
            sb_putc(sb, ',');
            json_str(sb, "name", f->name);
            sb_putc(sb, ',');
            json_str(sb, "type", field_type_name(f->type));
            sb_printf(sb, ",\"is_list\":%s,\"arg\":\"", f->flags & FF_IS_LIST ? "true" : "false");
            arg_kinds(f->flags, sb);
            sb_printf(sb, "\",\"arg_required\":%s,\"flags\":[",
                      f->flags & FF_ARG_REQUIRED ? "true" : "false");
            bool firstflag = true;
            for (size_t k = 0; k < sizeof(other_flags) / sizeof(other_flags[0]); k++) {
                if (f->flags & other_flags[k].flag) {
                    sb_printf(sb, "%s\"%s\"", firstflag ? "" : ",", other_flags[k].name);
                    firstflag = false;
                }
            }
            sb_puts(sb, "],");
            json_str(sb, "desc", f->desc ? f->desc : "");
            if (f->path) {
                sb_putc(sb, ',');
                json_str(sb, "path", f->path);
            }
            sb_putc(sb, '}');
        }
    }
}

int cmd_fields(int argc, char **argv)
{
    const char *source = NULL;
    bool json = false, all = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--all") == 0) {
            all = true;
        } else if (strcmp(a, "--source") == 0 || strcmp(a, "-s") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "stoopc fields: %s needs a source name\n", a);
                fields_usage(stderr);
                return 2;
            }
            source = argv[++i];
        } else if (strncmp(a, "--source=", 9) == 0) {
            source = a + 9;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fields_usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "stoopc fields: unknown argument '%s'\n", a);
            fields_usage(stderr);
            return 2;
        }
    }

    size_t nsrc;
    const struct source_schema *const *sources = schema_sources(&nsrc);
    const struct source_schema *only = NULL;
    if (source) {
        only = schema_source(source);
        if (!only) {
            fprintf(stderr, "stoopc fields: unknown event source '%s' (known:", source);
            for (size_t i = 0; i < nsrc; i++)
                fprintf(stderr, " %s", sources[i]->name);
            fprintf(stderr, ")\n");
            return 2;
        }
    }

    if (json) {
        struct strbuf sb = {0};
        bool first = true;
        sb_putc(&sb, '[');
        for (size_t i = 0; i < nsrc; i++)
            if (!only || sources[i] == only)
                print_json_source(&sb, sources[i], all, &first);
        sb_puts(&sb, first ? "]\n" : "\n]\n");
        fputs(sb.s, stdout);
        sb_free(&sb);
    } else {
        bool first = true;
        for (size_t i = 0; i < nsrc; i++) {
            if (only && sources[i] != only)
                continue;
            if (!first)
                putchar('\n');
            first = false;
            print_text(sources[i], all);
        }
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
