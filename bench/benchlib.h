/*  benchlib.h - what podd's benchmark programs share.

    Owns: the monotonic clock, the CPU time of podd and of the bench
    itself, and a bounded set of latency samples with their mean and
    nearest-rank percentiles. Linked into bench_route, bench_mixed and
    bench_scale by bench/run.sh (and bench/profile.sh).
*/
#ifndef BENCHLIB_H_INCLUDED
#define BENCHLIB_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  The monotonic clock in nanoseconds
int64_t bench_now_ns (void);
//  CPU time (user + system) of a process from /proc/PID/stat, in ms; -1
//  when it cannot be read
int64_t bench_proc_cpu_ms (int pid);
//  CPU time (user + system) of this process, in ms
int64_t bench_self_cpu_ms (void);

//  A bounded set of samples (latencies in ns): a sample beyond size is
//  not kept
typedef struct {
    int64_t *values;
    size_t size;
    size_t count;
    bool sorted;
} samples_t;

samples_t *samples_new (size_t size);
void samples_destroy (samples_t **self_p);
void samples_add (samples_t *self, int64_t value);
//  Nearest-rank percentile (0 < pct <= 100); 0 when empty
int64_t samples_percentile (samples_t *self, double pct);
//  The mean; 0 when empty
double samples_mean (samples_t *self);

#endif
