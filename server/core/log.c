/*
 * Logging to stderr, one line per event, so that systemd's journal or the
 * demo's terminal can take it as it is.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core.h"

static enum log_level	 level = LOG_INFO;
static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;
static const char *const names[] = { "error", "warning", "info", "debug" };

void
log_set_level(enum log_level l)
{
	level = l;
}

int
log_parse_level(const char *s, enum log_level *out)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

const char *
log_level_name(enum log_level l)
{
	return names[l];
}

void
log_msg(enum log_level l, const char *func, const char *fmt, ...)
{
	va_list ap;
	struct timespec ts;
	struct tm tm;
	char when[32];

	if (l > level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* One lock so that lines from pool threads never interleave. */
	pthread_mutex_lock(&lock);
	fprintf(stderr, "%s acorn[%s] %s: ", when, names[l], func);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&lock);
}
