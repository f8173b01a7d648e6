/* append_precedence.c: stoop's warning for a textual append that changes
 * how the parts bind (falco-language.md 1.9). Falco appends conditions as
 * text with one blank, so appending `and not x` to `a or b` yields
 * `a or b and not x`, which is `a or (b and not x)`: the appended test
 * guards only the last alternative, not the whole base condition. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "program.h"

static bool is_word_at(const char *s, size_t len, size_t i, const char *w)
{
    size_t n = strlen(w);
    if (i + n > len || strncmp(s + i, w, n) != 0)
        return false;
    bool start_ok = i == 0 || isspace((unsigned char)s[i - 1]) || s[i - 1] == ')';
    bool end_ok = i + n == len || isspace((unsigned char)s[i + n]) || s[i + n] == '(';
    return start_ok && end_ok;
}

/* True if `or` appears outside parentheses and quoted strings. */
static bool has_top_level_or(const struct mapped_text *t)
{
    int depth = 0;
    char quote = 0;
    for (size_t i = 0; i < t->len; i++) {
        char c = t->text[i];
        if (quote) {
            if (c == '\\')
                i++;
            else if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '(') {
            depth++;
        } else if (c == ')') {
            depth--;
        } else if (depth == 0 && is_word_at(t->text, t->len, i, "or")) {
            return true;
        }
    }
    return false;
}

void warn_append_precedence(struct diag_list *dl, const struct mapped_text *base,
                            const struct mapped_text *added, const char *kind, const char *item)
{
    size_t i = 0;
    while (i < added->len && isspace((unsigned char)added->text[i]))
        i++;
    if (!is_word_at(added->text, added->len, i, "and") || !has_top_level_or(base))
        return;
    struct diag *d = diag_add(dl, STOOP_APPEND_PRECEDENCE, mtext_span(added, i, i + 3),
                              "this appended 'and' binds only to the last alternative of the "
                              "%s's condition, which has a top-level 'or'",
                              kind);
    diag_secondary(d, mtext_span(base, 0, base->len), "the condition appended to");
    diag_hint(d, "Falco appends condition text as is: put the original condition in "
                 "parentheses if the appended test should apply to all of it");
    diag_item(d, item);
}
