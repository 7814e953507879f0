#include "crash_guard.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static const int guarded[] = {SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT};
#define GUARDED_COUNT (sizeof(guarded) / sizeof(guarded[0]))
static struct sigaction previous[GUARDED_COUNT];
static int highest_fd = 1024;

// Only plain system calls: getrlimit, getsockopt, shutdown, sigaction, raise.
static void on_fatal_signal(int signal, siginfo_t *info, void *context) {
    int saved = errno;
    // The daemon raises its open-file limit after start; read it now.
    int top = highest_fd;
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < 1 << 20) {
        top = (int)limit.rlim_cur;
    }
    for (int fd = 0; fd < top; fd++) {
        int type;
        socklen_t length = sizeof(type);
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0) {
            shutdown(fd, SHUT_RDWR);
        }
    }
    errno = saved;
    for (unsigned i = 0; i < GUARDED_COUNT; i++) {
        if (guarded[i] != signal) continue;
        struct sigaction *before = &previous[i];
        if ((before->sa_flags & SA_SIGINFO) && before->sa_sigaction != NULL) {
            before->sa_sigaction(signal, info, context);
            return;
        }
        if (before->sa_handler != SIG_DFL && before->sa_handler != SIG_IGN && before->sa_handler != NULL) {
            before->sa_handler(signal);
            return;
        }
        // No handler before ours: die of the signal as if we had not been here.
        sigaction(signal, before, NULL);
        raise(signal);
        return;
    }
}

void discountd_install_crash_guard(void) {
    for (unsigned i = 0; i < GUARDED_COUNT; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof(action));
        action.sa_sigaction = on_fatal_signal;
        action.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&action.sa_mask);
        sigaction(guarded[i], &action, &previous[i]);
    }
}
