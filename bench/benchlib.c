/*  benchlib.c - what podd's benchmark programs share. See benchlib.h. */
#include "benchlib.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

int64_t
bench_now_ns (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t
bench_proc_cpu_ms (int pid)
{
    char path [64];
    snprintf (path, sizeof path, "/proc/%d/stat", pid);
    FILE *file = fopen (path, "r");
    if (!file)
        return -1;
    char line [1024];
    int64_t result = -1;
    if (fgets (line, sizeof line, file)) {
        //  Fields after the ")" of the command name: state is field 3,
        //  utime field 14, stime field 15
        char *rest = strrchr (line, ')');
        unsigned long long utime = 0, stime = 0;
        if (rest && sscanf (rest + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                            &utime, &stime) == 2)
            result = (int64_t) ((utime + stime) * 1000 / (unsigned long long) sysconf (_SC_CLK_TCK));
    }
    fclose (file);
    return result;
}

int64_t
bench_self_cpu_ms (void)
{
    struct rusage usage;
    getrusage (RUSAGE_SELF, &usage);
    return (int64_t) usage.ru_utime.tv_sec * 1000 + usage.ru_utime.tv_usec / 1000
         + (int64_t) usage.ru_stime.tv_sec * 1000 + usage.ru_stime.tv_usec / 1000;
}

samples_t *
samples_new (size_t size)
{
    samples_t *self = (samples_t *) calloc (1, sizeof (samples_t));
    if (self)
        self->values = (int64_t *) calloc (size? size: 1, sizeof (int64_t));
    if (!self || !self->values) {
        fprintf (stderr, "bench: out of memory\n");
        exit (1);
    }
    self->size = size;
    return self;
}

void
samples_destroy (samples_t **self_p)
{
    if (*self_p) {
        free ((*self_p)->values);
        free (*self_p);
        *self_p = NULL;
    }
}

void
samples_add (samples_t *self, int64_t value)
{
    if (self->count < self->size) {
        self->values [self->count++] = value;
        self->sorted = false;
    }
}

static int
s_compare_int64 (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y? -1: x > y? 1: 0;
}

int64_t
samples_percentile (samples_t *self, double pct)
{
    if (self->count == 0)
        return 0;
    if (!self->sorted) {
        qsort (self->values, self->count, sizeof (int64_t), s_compare_int64);
        self->sorted = true;
    }
    size_t rank = (size_t) ((pct / 100.0) * (double) self->count + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > self->count)
        rank = self->count;
    return self->values [rank - 1];
}

double
samples_mean (samples_t *self)
{
    if (self->count == 0)
        return 0;
    double sum = 0;
    for (size_t i = 0; i < self->count; i++)
        sum += (double) self->values [i];
    return sum / (double) self->count;
}
