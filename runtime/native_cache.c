/* native_cache.c: native code for `stoop run -r rules.yaml` (native_code.h).
 *
 * The runtime does not link LLVM, so it asks stoopc to build a ruleset
 * shared object, once, and keeps it in a cache:
 *   directory: $STOOP_CACHE_DIR, else $XDG_CACHE_HOME/stoop, else
 *              ~/.cache/stoop;
 *   name:      a 128-bit hash of the stoop version, the native ABI, the
 *              schema hash, the compiler binary (size and modification
 *              time of stoopc-llvm, so a rebuilt compiler rebuilds the
 *              entries) and every loaded rules file (path and bytes, in
 *              load order), so any edit makes a new entry;
 *   compiler:  $STOOPC, else the stoopc beside this stoop binary, else
 *              stoopc on the PATH.
 * A cached object is opened like any ruleset (its manifest is checked);
 * one that fails is rebuilt. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "native_code.h"
#include "schema.h"
#include "util.h"

extern char **environ;

static void hash_bytes2(uint64_t h[2], const void *data, size_t n)
{
    const unsigned char *b = data;
    for (size_t i = 0; i < n; i++) {
        h[0] = (h[0] ^ b[i]) * 1099511628211ull;
        h[1] = (h[1] ^ b[i]) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
    }
    /* Length as a separator, so ("ab","c") and ("a","bc") differ. */
    uint64_t len = n;
    for (int i = 0; i < 8; i++) {
        h[0] = (h[0] ^ (len & 0xFF)) * 1099511628211ull;
        h[1] = (h[1] ^ (len & 0xFF)) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
        len >>= 8;
    }
}

static char *cache_dir(void)
{
    const char *d = getenv("STOOP_CACHE_DIR");
    if (d && *d)
        return xstrdup(d);
    d = getenv("XDG_CACHE_HOME");
    if (d && *d)
        return xasprintf("%s/stoop", d);
    d = getenv("HOME");
    return xasprintf("%s/.cache/stoop", d && *d ? d : "/tmp");
}

static bool make_dirs(const char *path)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        mkdir(p, 0755);
        *s = '/';
    }
    bool ok = mkdir(p, 0755) == 0 || errno == EEXIST;
    free(p);
    return ok;
}

static char *find_stoopc(void)
{
    const char *env = getenv("STOOPC");
    if (env && *env)
        return xstrdup(env);
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            char *c = xasprintf("%s/stoopc", self);
            if (access(c, X_OK) == 0)
                return c;
            free(c);
        }
    }
    return xstrdup("stoopc");
}

static bool compile_with_stoopc(const char *const *paths, size_t npaths, const char *out,
                                char **err)
{
    char *stoopc = find_stoopc();
    char **argv = xcalloc(npaths + 6, sizeof *argv);
    size_t k = 0;
    argv[k++] = stoopc;
    argv[k++] = "compile";
    argv[k++] = "--quiet";
    argv[k++] = "-o";
    argv[k++] = (char *)out;
    for (size_t i = 0; i < npaths; i++)
        argv[k++] = (char *)paths[i];
    argv[k] = NULL;
    pid_t pid;
    int rc = posix_spawnp(&pid, stoopc, NULL, NULL, argv, environ);
    bool ok = false;
    if (rc != 0) {
        *err = xasprintf("cannot run %s to compile the rules: %s", stoopc, strerror(rc));
    } else {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (!ok)
            *err = xasprintf("%s compile failed", stoopc);
    }
    free(argv);
    free(stoopc);
    return ok;
}

bool native_cache_prepare(const struct program *p, const char *const *paths, size_t npaths,
                          struct native_code *out, char **err)
{
    uint64_t h[2] = {1469598103934665603ull, 0x6a09e667f3bcc908ull};
    char head[96];
    snprintf(head, sizeof head, "%s/%d/%016" PRIx64, STOOP_VERSION, STOOP_NATIVE_ABI, schema_hash());
    hash_bytes2(h, head, strlen(head));
    char *stoopc = find_stoopc();
    char *slash = strrchr(stoopc, '/');
    char *backend = slash ? xasprintf("%.*s/stoopc-llvm", (int)(slash - stoopc), stoopc)
                          : xstrdup(stoopc);
    struct stat st;
    if (stat(backend, &st) == 0) {
        uint64_t id[3] = {(uint64_t)st.st_size, (uint64_t)st.st_mtim.tv_sec,
                          (uint64_t)st.st_mtim.tv_nsec};
        hash_bytes2(h, id, sizeof id);
    }
    free(backend);
    free(stoopc);
    for (size_t i = 0; i < p->src.n; i++) {
        hash_bytes2(h, p->src.files[i]->path, strlen(p->src.files[i]->path));
        hash_bytes2(h, p->src.files[i]->text, p->src.files[i]->len);
    }
    char *dir = cache_dir();
    if (!make_dirs(dir)) {
        *err = xasprintf("cannot create the ruleset cache %s: %s", dir, strerror(errno));
        free(dir);
        return false;
    }
    char *so = xasprintf("%s/%016" PRIx64 "%016" PRIx64 ".so", dir, h[0], h[1]);
    free(dir);
    bool ok = false;
    if (access(so, R_OK) == 0) {
        char *why = NULL;
        ok = ruleset_open(so, NULL, out, &why);
        free(why); /* a damaged or stale entry: rebuild it */
    }
    if (!ok)
        ok = compile_with_stoopc(paths, npaths, so, err) && ruleset_open(so, NULL, out, err);
    free(so);
    return ok;
}
