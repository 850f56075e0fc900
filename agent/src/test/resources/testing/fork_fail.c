/*
 * LD_PRELOAD library for tests: makes fork() fail with ENOMEM inside a real redis-server while the
 * file named by REDWATCH_FORK_FAIL_FILE exists, so a test reaches Redis's own fork-failure paths
 * (BGSAVE, AOF rewrite, MISCONF) and turns the failure off again by deleting the file.
 *
 * Redis calls fork() through glibc's dynamic symbol (2.8.19, 6.2 and 7.0 all import fork@GLIBC),
 * so interposing the symbol is enough. Built by the test with: gcc -shared -fPIC -o X.so fork_fail.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

typedef pid_t (*fork_fn)(void);

pid_t fork(void) {
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
