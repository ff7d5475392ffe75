#ifndef DATAMANCY_CLINUX_H
#define DATAMANCY_CLINUX_H

/// Restricts thread `tid` (0: the calling thread) to the CPUs `cpus[0..<count]`,
/// each below 1024. Returns 0, or the errno of sched_setaffinity(2).
int datamancy_set_affinity(int tid, const int *cpus, int count);

/// Puts thread `tid` (0: the calling thread) under SCHED_BATCH unless it runs under
/// another policy than the normal one. Returns 0, or the errno of sched_setscheduler(2).
int datamancy_set_batch(int tid);

#include <malloc.h>  // mallopt(3), for MemoryTuning
#include <sys/xattr.h>  // file trees' extended attributes and ACLs
#include <sys/sysmacros.h>  // makedev(3), for device nodes
#include <fnmatch.h>  // exclude patterns

/// syncfs(2), which glibc declares only under _GNU_SOURCE: one flush for a restored tree.
int syncfs(int fd);
#include <sys/types.h>

/// Starts `file` (searched in PATH when it holds no slash) with `argv` and `envp`,
/// each NULL-terminated, and returns its pid, or -errno when it could not start.
/// The child reads `in_fd`, writes `out_fd` and `err_fd` (-1: /dev/null), leads its
/// own process group, has default SIGPIPE/SIGINT/SIGTERM handling and no blocked
/// signals, and is killed (SIGKILL) when the thread that started it ends: call it
/// from a thread that lives as long as the process, and a child never outlives us,
/// even when we are killed with SIGKILL.
pid_t datamancy_spawn(const char *file, char *const argv[], char *const envp[], int in_fd, int out_fd,
                      int err_fd);

#endif
