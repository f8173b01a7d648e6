/* jit.c: runs the generated module in process with ORC's LLJIT (tests,
 * `stoopc run`). The module is generated, verified and optimised for this
 * host's CPU, then handed to LLJIT, which resolves libc (memcmp, memmem,
 * fnmatch) from the process. */
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <stdlib.h>
#include <string.h>

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
    LLVMTargetMachineRef tm = native_target_machine("native", false, err);
    if (!tm)
        return NULL;
    LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContext();
    struct jit_ruleset *j = xcalloc(1, sizeof *j);
    generate_code(p, LLVMOrcThreadSafeContextGetContext(tsc), o, &j->nm);
    if (!verify_module(j->nm.mod, err) || !optimize_module(j->nm.mod, tm, err)) {
        LLVMDisposeModule(j->nm.mod);
        goto fail;
    }
    LLVMOrcLLJITBuilderRef builder = LLVMOrcCreateLLJITBuilder();
    LLVMErrorRef e = LLVMOrcCreateLLJIT(&j->jit, builder);
    if (e) {
        *err = take_error(e);
        LLVMDisposeModule(j->nm.mod);
        goto fail;
    }
    LLVMOrcDefinitionGeneratorRef gen;
    e = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(
        &gen, LLVMOrcLLJITGetGlobalPrefix(j->jit), NULL, NULL);
    if (e) {
        *err = take_error(e);
        LLVMDisposeModule(j->nm.mod);
        goto fail;
    }
    LLVMOrcJITDylibRef dylib = LLVMOrcLLJITGetMainJITDylib(j->jit);
    LLVMOrcJITDylibAddGenerator(dylib, gen);
    LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(j->nm.mod, tsc);
    j->nm.mod = NULL; /* owned by the JIT now */
    e = LLVMOrcLLJITAddLLVMIRModule(j->jit, dylib, tsm);
    if (e) {
        *err = take_error(e);
        LLVMOrcDisposeThreadSafeModule(tsm);
        goto fail;
    }
    LLVMOrcDisposeThreadSafeContext(tsc);
    LLVMDisposeTargetMachine(tm);
    return j;
fail:
    LLVMOrcDisposeThreadSafeContext(tsc);
    LLVMDisposeTargetMachine(tm);
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
