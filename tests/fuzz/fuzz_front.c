/* libFuzzer harness over the whole front end: the input is a rules file
 * (or, split at a form feed + "---FILE---", several files loaded in order);
 * it is read, collected, compiled and its diagnostics rendered in every
 * format. Any crash, leak, hang or sanitizer report is a bug. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "pipeline.h"
#include "program.h"

#define MAX_FILES 4
static const char separator[] = "\f---FILE---\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *names[MAX_FILES] = {"a.yaml", "b.yaml", "c.yaml", "d.yaml"};
    const char *parts[MAX_FILES];
    size_t lens[MAX_FILES], n = 0;
    const char *p = (const char *)data, *end = p + size;
    while (n < MAX_FILES - 1) {
        const char *hit = memmem(p, (size_t)(end - p), separator, sizeof separator - 1);
        if (!hit)
            break;
        parts[n] = p;
        lens[n++] = (size_t)(hit - p);
        p = hit + sizeof separator - 1;
    }
    parts[n] = p;
    lens[n++] = (size_t)(end - p);

    struct program prog;
    program_init(&prog);
    pipeline_load_buffers(&prog, names, parts, lens, n);
    FILE *sink = fopen("/dev/null", "w");
    if (sink) {
        for (int f = DIAG_FMT_TEXT; f <= DIAG_FMT_SARIF; f++) {
            struct diag_render_opts ro = {(enum diag_format)f, false};
            diag_render(sink, &prog.diags, &prog.src, &ro);
        }
        fclose(sink);
    }
    program_free(&prog);
    return 0;
}
