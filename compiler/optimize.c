/* optimize.c: the target machine and the O2 pipeline of LLVM's new pass
 * manager, applied to a verified module (native.h); the partitions of a
 * program verified, optimised and emitted on parallel threads. */
#include <llvm-c/Error.h>
#include <llvm-c/Target.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <pthread.h>
#include <stdlib.h>
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

/* ---- partitions on parallel threads ---- */

struct part_job {
    LLVMModuleRef mod;
    const char *cpu;
    bool pic;
    char *obj; /* NULL: do not emit */
    char *err;
};

static void *part_worker(void *arg)
{
    struct part_job *job = arg;
    LLVMTargetMachineRef tm = native_target_machine(job->cpu, job->pic, &job->err);
    if (!tm)
        return NULL;
    if (verify_module(job->mod, &job->err) && optimize_module(job->mod, tm, &job->err) && job->obj) {
        char *msg = NULL;
        if (LLVMTargetMachineEmitToFile(tm, job->mod, job->obj, LLVMObjectFile, &msg)) {
            job->err = xasprintf("cannot write %s: %s", job->obj, msg ? msg : "?");
            LLVMDisposeMessage(msg);
        }
    }
    LLVMDisposeTargetMachine(tm);
    return NULL;
}

bool optimize_parallel(struct native_module *nm, const char *cpu, bool pic,
                       const char *obj_prefix, char **err)
{
    LLVMInitializeNativeTarget(); /* before any thread: registration is not thread-safe */
    LLVMInitializeNativeAsmPrinter();
    struct part_job *jobs = xcalloc(nm->nmods, sizeof *jobs);
    pthread_t *threads = xcalloc(nm->nmods, sizeof *threads);
    bool *started = xcalloc(nm->nmods, sizeof *started);
    for (size_t k = 0; k < nm->nmods; k++) {
        jobs[k] = (struct part_job){.mod = nm->mods[k], .cpu = cpu, .pic = pic};
        if (obj_prefix)
            jobs[k].obj = xasprintf("%s%zu.o", obj_prefix, k);
        /* The first partition runs on this thread. */
        started[k] = k > 0 && pthread_create(&threads[k], NULL, part_worker, &jobs[k]) == 0;
    }
    for (size_t k = 0; k < nm->nmods; k++)
        if (!started[k])
            part_worker(&jobs[k]);
    bool ok = true;
    for (size_t k = 0; k < nm->nmods; k++) {
        if (started[k])
            pthread_join(threads[k], NULL);
    }
    for (size_t k = 0; k < nm->nmods; k++) {
        if (jobs[k].err && ok) {
            *err = jobs[k].err;
            jobs[k].err = NULL;
            ok = false;
        }
        free(jobs[k].err);
        free(jobs[k].obj);
    }
    free(jobs);
    free(threads);
    free(started);
    return ok;
}
