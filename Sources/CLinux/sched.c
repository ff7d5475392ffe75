// sched_setaffinity(2) and SCHED_BATCH for Swift: glibc declares them only under
// _GNU_SOURCE, which Swift's Glibc module is not built with, so they are used here.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>

#include "CLinux.h"

int datamancy_set_affinity(int tid, const int *cpus, int count) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int i = 0; i < count; i++) {
    if (cpus[i] < 0 || cpus[i] >= CPU_SETSIZE) return EINVAL;
    CPU_SET(cpus[i], &set);
  }
  return sched_setaffinity(tid, sizeof set, &set) == 0 ? 0 : errno;
}

int datamancy_set_batch(int tid) {
  // A policy chosen from outside (chrt, systemd's CPUSchedulingPolicy=) stays.
  int policy = sched_getscheduler(tid);
  if (policy < 0) return errno;
  if (policy != SCHED_OTHER) return 0;
  struct sched_param param = {.sched_priority = 0};
  return sched_setscheduler(tid, SCHED_BATCH, &param) == 0 ? 0 : errno;
}
