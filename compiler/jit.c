/* jit.c: runs the generated module in process with ORC's LLJIT (tests,
 * `stoopc run`). The modules (partitions) are generated, verified and
 * optimised for this host's CPU on parallel threads, then handed to LLJIT,
 * which links them and resolves libc (memcmp, memmem, fnmatch) from the
 * process. */
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jit.h"
#include "util.h"

struct jit_ruleset {
    LLVMOrcLLJITRef jit;
    struct native_module nm;
};

static char *take_error(LLVMErrorRef e)
{
    char *msg = LLVMGetErrorMessage(e);
    char *s = xstrdup(msg);
    LLVMDisposeErrorMessage(msg);
    return s;
}

struct jit_ruleset *jit_compile(const struct program *p, const struct codegen_opts *o, char **err)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nparts = codegen_partitions(p, ncpu > 0 ? (unsigned)(ncpu < 8 ? ncpu : 8) : 1);
    LLVMOrcThreadSafeContextRef *tscs = xcalloc(nparts, sizeof *tscs);
    LLVMContextRef *ctxs = xcalloc(nparts, sizeof *ctxs);
    for (size_t k = 0; k < nparts; k++) {
        tscs[k] = LLVMOrcCreateNewThreadSafeContext();
        ctxs[k] = LLVMOrcThreadSafeContextGetContext(tscs[k]);
    }
    struct jit_ruleset *j = xcalloc(1, sizeof *j);
    generate_code(p, ctxs, nparts, o, &j->nm);
    size_t added = 0; /* modules handed to the JIT */
    if (!optimize_parallel(&j->nm, "native", false, NULL, err))
        goto fail;
    LLVMOrcLLJITBuilderRef builder = LLVMOrcCreateLLJITBuilder();
    LLVMErrorRef e = LLVMOrcCreateLLJIT(&j->jit, builder);
    if (e) {
        *err = take_error(e);
        goto fail;
    }
    LLVMOrcDefinitionGeneratorRef gen;
    e = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(
        &gen, LLVMOrcLLJITGetGlobalPrefix(j->jit), NULL, NULL);
    if (e) {
        *err = take_error(e);
        goto fail;
    }
    LLVMOrcJITDylibRef dylib = LLVMOrcLLJITGetMainJITDylib(j->jit);
    LLVMOrcJITDylibAddGenerator(dylib, gen);
    for (; added < nparts; added++) {
        LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(j->nm.mods[added], tscs[added]);
        e = LLVMOrcLLJITAddLLVMIRModule(j->jit, dylib, tsm);
        if (e) {
            *err = take_error(e);
            LLVMOrcDisposeThreadSafeModule(tsm);
            added++;
            goto fail;
        }
    }
    for (size_t k = 0; k < nparts; k++)
        LLVMOrcDisposeThreadSafeContext(tscs[k]);
    free(tscs);
    free(ctxs);
    return j;
fail:
    for (size_t k = added; k < nparts; k++)
        LLVMDisposeModule(j->nm.mods[k]);
    for (size_t k = 0; k < nparts; k++)
        LLVMOrcDisposeThreadSafeContext(tscs[k]);
    free(tscs);
    free(ctxs);
    jit_free(j);
    return NULL;
}

native_eval_fn jit_entry(struct jit_ruleset *j, const char *source, char **err)
{
    char *name = xasprintf(NATIVE_SYM_EVAL_PREFIX "%s", source);
    LLVMOrcExecutorAddress addr = 0;
    LLVMErrorRef e = LLVMOrcLLJITLookup(j->jit, &addr, name);
    free(name);
    if (e) {
        *err = take_error(e);
        return NULL;
    }
    return (native_eval_fn)(uintptr_t)addr;
}

const struct native_module *jit_module(const struct jit_ruleset *j)
{
    return &j->nm;
}

void jit_free(struct jit_ruleset *j)
{
    if (!j)
        return;
    if (j->jit)
        LLVMOrcDisposeLLJIT(j->jit);
    native_module_free(&j->nm);
    free(j);
}
