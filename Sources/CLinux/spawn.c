// Process spawning with a parent-death signal, which posix_spawn cannot set: a
// vfork child sets it, then execs. Between vfork and exec the child calls only
// async-signal-safe functions and writes only its own errno slot.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "CLinux.h"

static int place(int fd, int target, int flags) {
  if (fd < 0) {
    fd = open("/dev/null", flags);
    if (fd < 0) return -1;
  }
  if (fd == target) return fcntl(fd, F_SETFD, 0);  // dup2 onto itself keeps close-on-exec.
  return dup2(fd, target) < 0 ? -1 : 0;
}

pid_t datamancy_spawn(const char *file, char *const argv[], char *const envp[], int in_fd, int out_fd,
                      int err_fd) {
  volatile int failure = 0;
  pid_t parent = getpid();
  pid_t pid = vfork();
  if (pid < 0) return -errno;
  if (pid == 0) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) {
      // Our parent already ended: nothing would read our output.
      failure = ESRCH;
      _exit(127);
    }
    struct sigaction defaults = {.sa_handler = SIG_DFL};
    sigset_t none;
    sigemptyset(&none);
    if (setpgid(0, 0) != 0 || sigaction(SIGPIPE, &defaults, NULL) != 0 ||
        sigaction(SIGINT, &defaults, NULL) != 0 || sigaction(SIGTERM, &defaults, NULL) != 0 ||
        sigprocmask(SIG_SETMASK, &none, NULL) != 0 || place(in_fd, 0, O_RDONLY) != 0 ||
        place(out_fd, 1, O_WRONLY) != 0 || place(err_fd, 2, O_WRONLY) != 0) {
      failure = errno;
      _exit(127);
    }
    // Nothing but the three streams goes on: a descriptor we inherited without
    // close-on-exec (a pipe or socket of whoever started us) would otherwise
    // live on in a server we start (PostgreSQL after a recovery) and keep our
    // caller waiting for an end of output that never comes.
    if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
      for (int fd = 3; fd < 65536; fd++) close(fd);
    }
    execvpe(file, argv, envp);
    failure = errno;
    _exit(127);
  }
  // vfork returns here once the child has exec'd or exited.
  if (failure != 0) {
    int status;
    waitpid(pid, &status, 0);
    return -failure;
  }
  return pid;
}
