/* optimize.c: the target machine and the O2 pipeline of LLVM's new pass
 * manager, applied to a verified module (native.h). */
#include <llvm-c/Error.h>
#include <llvm-c/Target.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <string.h>

#include "native.h"
#include "util.h"

LLVMTargetMachineRef native_target_machine(const char *cpu, bool pic, char **err)
{
    LLVMInitializeNativeTarget();
    LLVMInitializeNativeAsmPrinter();
    char *triple = LLVMGetDefaultTargetTriple();
    LLVMTargetRef target;
    char *msg = NULL;
    if (LLVMGetTargetFromTriple(triple, &target, &msg)) {
        *err = xasprintf("no LLVM target for %s: %s", triple, msg ? msg : "?");
        LLVMDisposeMessage(msg);
        LLVMDisposeMessage(triple);
        return NULL;
    }
    bool host = cpu && strcmp(cpu, "native") == 0;
    char *host_cpu = host ? LLVMGetHostCPUName() : NULL;
    char *features = host ? LLVMGetHostCPUFeatures() : NULL;
    LLVMTargetMachineRef tm = LLVMCreateTargetMachine(
        target, triple, host ? host_cpu : cpu ? cpu : "x86-64", features ? features : "",
        LLVMCodeGenLevelDefault, pic ? LLVMRelocPIC : LLVMRelocDefault, LLVMCodeModelDefault);
    if (host_cpu)
        LLVMDisposeMessage(host_cpu);
    if (features)
        LLVMDisposeMessage(features);
    LLVMDisposeMessage(triple);
    if (!tm)
        *err = xstrdup("LLVM could not create a target machine");
    return tm;
}

bool optimize_module(LLVMModuleRef mod, LLVMTargetMachineRef tm, char **err)
{
    char *triple = LLVMGetTargetMachineTriple(tm);
    LLVMSetTarget(mod, triple);
    LLVMDisposeMessage(triple);
    LLVMTargetDataRef layout = LLVMCreateTargetDataLayout(tm);
    char *dl = LLVMCopyStringRepOfTargetData(layout);
    LLVMSetDataLayout(mod, dl);
    LLVMDisposeMessage(dl);
    LLVMDisposeTargetData(layout);
    LLVMPassBuilderOptionsRef opts = LLVMCreatePassBuilderOptions();
    LLVMErrorRef e = LLVMRunPasses(mod, "default<O2>", tm, opts);
    LLVMDisposePassBuilderOptions(opts);
    if (e) {
        char *msg = LLVMGetErrorMessage(e);
        *err = xasprintf("optimisation failed: %s", msg);
        LLVMDisposeErrorMessage(msg);
        return false;
    }
    return true;
}
