/*
 * Spreading work that is all processor time (signing a batch of
 * entries, checking a page's signatures) over the processors.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "core.h"

/*
 * fn(arg, i) for every i below n, each thread taking the next i not yet
 * taken.  The calling thread works too, and does it all when no thread
 * can be started; the others last only as long as the call.  A thread
 * gets at least each items, so a short run is not split for nothing.
 */
#define PARALLEL_MAX	16	/* threads, whatever the processors */

struct parallel {
	void		(*fn)(void *, size_t);
	void		*arg;
	size_t		 n;
	atomic_size_t	 next;
};

static void *
parallel_run(void *p)
{
	struct parallel *job = p;
	size_t i;

	while ((i = atomic_fetch_add(&job->next, 1)) < job->n)
		job->fn(job->arg, i);
	return NULL;
}

void
worker_parallel(size_t n, size_t each, void (*fn)(void *, size_t), void *arg)
{
	struct parallel job;
	pthread_t th[PARALLEL_MAX];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t want, started = 0, i;

	job.fn = fn;
	job.arg = arg;
	job.n = n;
	atomic_init(&job.next, 0);
	want = cpus > 1 ? (size_t)cpus : 1;
	if (want > PARALLEL_MAX)
		want = PARALLEL_MAX;
	if (each < 1)
		each = 1;
	if (want > n / each)
		want = n / each > 0 ? n / each : 1;
	for (i = 1; i < want; i++)
		if (pthread_create(&th[started], NULL, parallel_run, &job) == 0)
			started++;
	parallel_run(&job);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}
