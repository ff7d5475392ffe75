#ifndef DATAMANCY_CSCHED_H
#define DATAMANCY_CSCHED_H

/// Restricts thread `tid` (0: the calling thread) to the CPUs `cpus[0..<count]`,
/// each below 1024. Returns 0, or the errno of sched_setaffinity(2).
int datamancy_set_affinity(int tid, const int *cpus, int count);

/// Puts thread `tid` (0: the calling thread) under SCHED_BATCH unless it runs under
/// another policy than the normal one. Returns 0, or the errno of sched_setscheduler(2).
int datamancy_set_batch(int tid);

#endif
