// sched_setaffinity(2) for Swift: glibc declares it only under _GNU_SOURCE, which
// Swift's Glibc module is not built with, so it is called here.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>

#include "CSched.h"

int datamancy_set_affinity(int tid, const int *cpus, int count) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int i = 0; i < count; i++) {
    if (cpus[i] < 0 || cpus[i] >= CPU_SETSIZE) return EINVAL;
    CPU_SET(cpus[i], &set);
  }
  return sched_setaffinity(tid, sizeof set, &set) == 0 ? 0 : errno;
}
