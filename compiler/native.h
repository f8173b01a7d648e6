/* native.h: the LLVM back end: generate_code.c lowers a checked program to
 * an LLVM module (runtime/native_abi.h is the contract of that module),
 * verify and optimise it, then jit.c runs it in process or emit.c writes a
 * ruleset shared object with its manifest. Only stoopc-llvm (and the
 * benchmark) links this part: neither the runtime nor stoopc's front end
 * loads LLVM. */
#ifndef STOOP_NATIVE_H
#define STOOP_NATIVE_H

#include <stdbool.h>
#include <stdio.h>

#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>

#include "program.h"
#include "../runtime/native_abi.h"

/* Code-generation choices, each measurable on its own (bench/run.sh). */
struct codegen_opts {
    bool inline_checks; /* lower simple checks inline (else every check calls the interpreter) */
    bool memo_macros;   /* evaluate a macro shared by several rules once per event */
    bool guards;        /* find rule guards for the runtime's dispatch index */
};
void codegen_opts_default(struct codegen_opts *o);

struct native_module {
    LLVMModuleRef *mods; /* partitions, each in its own context; mods[0] has the entries */
    size_t nmods;
    char **slot_keys; /* native slot i -> operand_value_key */
    size_t nslots;
    uint32_t nmemo;
    struct native_guard *guards; /* at most one per rule */
    size_t nguards;
    char **sources; /* sources with an entry (stoop_eval_<source>) */
    size_t nsources;
    /* Statistics for explain/bench: checks lowered inline, by callback. */
    size_t ninline, nfallback;
};

/* Lowers every compiled rule of p (all sources) into nparts modules, the
 * k-th in ctxs[k] (distinct contexts, so that the partitions can be
 * optimised and emitted on parallel threads); rules are spread over them,
 * the entries go to the first. The program must have no errors. Never
 * fails on a valid program. */
void generate_code(const struct program *p, LLVMContextRef *ctxs, size_t nparts,
                   const struct codegen_opts *o, struct native_module *out);
/* How many partitions to make for p with `jobs` threads. */
size_t codegen_partitions(const struct program *p, unsigned jobs);
void native_module_free(struct native_module *m); /* not the LLVM modules */

/* Verifies and optimises every partition on up to nparts threads, each
 * with its own target machine for `cpu` (native_target_machine); with
 * `obj_prefix`, also emits partition k to "<obj_prefix><k>.o". */
bool optimize_parallel(struct native_module *nm, const char *cpu, bool pic,
                       const char *obj_prefix, char **err);

/* The verifier, as its own stage: false and *err (caller frees) when the
 * module is malformed (a bug in the generator). */
bool verify_module(LLVMModuleRef mod, char **err);

/* A target machine for this host (`jit`) or for a portable x86-64 shared
 * object (cpu NULL: "x86-64"; "native": this host's CPU). */
LLVMTargetMachineRef native_target_machine(const char *cpu, bool pic, char **err);

/* Optimises at O2 with the new pass manager. */
bool optimize_module(LLVMModuleRef mod, LLVMTargetMachineRef tm, char **err);

/* Prints the generated functions (not the linked helpers) as IR. */
void print_generated_ir(FILE *out, LLVMModuleRef mod);

#endif
