/*
 * LD_PRELOAD library for tests: faults inside a real redis-server, switched on and off by files, so
 * a test reaches Redis's own failure paths as a sick host would.
 *
 * - fork() fails with ENOMEM while the file named by REDWATCH_FORK_FAIL_FILE exists: BGSAVE, AOF
 *   rewrite and MISCONF then happen exactly as on a host short of memory.
 * - Pipes leak: at each fork() call, the number of pipes this library holds open in the server is
 *   brought to the number written in the file named by REDWATCH_PIPE_LEAK_FILE (0 or no file:
 *   none), the way Redis before 3.2.9 leaked its AOF-rewrite pipes on every failed fork. The test
 *   writes the number, then runs BGSAVE to make Redis call fork(). (gdb's inferior calls, the other
 *   way to open pipes inside a process, fail on some kernels: "Couldn't write extended state status".)
 *
 * Redis calls fork() through glibc's dynamic symbol (2.8.19, 6.2 and 7.0 all import fork@GLIBC), so
 * interposing the symbol is enough. Built by the test: gcc -shared -fPIC -o X.so redis_faults.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_LEAKED 100000

typedef pid_t (*fork_fn)(void);

static int leaked[MAX_LEAKED][2];
static int leaked_count = 0;

static int wanted_pipes(void) {
    const char *path = getenv("REDWATCH_PIPE_LEAK_FILE");
    if (path == NULL) return 0;
    FILE *f = fopen(path, "r");
    if (f == NULL) return 0;
    int n = 0;
    if (fscanf(f, "%d", &n) != 1) n = 0;
    fclose(f);
    if (n < 0) n = 0;
    if (n > MAX_LEAKED) n = MAX_LEAKED;
    return n;
}

static void adjust_pipes(void) {
    int want = wanted_pipes();
    while (leaked_count < want) {
        if (pipe(leaked[leaked_count]) != 0) break; /* out of descriptors: as leaked as it gets */
        leaked_count++;
    }
    while (leaked_count > want) {
        leaked_count--;
        close(leaked[leaked_count][0]);
        close(leaked[leaked_count][1]);
    }
}

pid_t fork(void) {
    int saved = errno;
    adjust_pipes();
    errno = saved;
    const char *trigger = getenv("REDWATCH_FORK_FAIL_FILE");
    if (trigger != NULL && access(trigger, F_OK) == 0) {
        errno = ENOMEM;
        return -1;
    }
    static fork_fn real_fork = NULL;
    if (real_fork == NULL) {
        real_fork = (fork_fn) dlsym(RTLD_NEXT, "fork");
        if (real_fork == NULL) {
            errno = ENOSYS;
            return -1;
        }
    }
    return real_fork();
}
