/*
 * Password hashing with Argon2id, the algorithm RFC 9106 recommends, in
 * its encoded form so that the parameters travel with each hash and can
 * be raised later without invalidating old ones; and the limit on how
 * many run at once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <argon2.h>

#include "core.h"

#define SALT_BYTES	16
#define HASH_BYTES	32

/*
 * Each hash holds its memory cost and a CPU for its whole run, so only a
 * few run at once: a flood of joins or sign-ins then waits here briefly
 * and is told to try again, instead of taking every request thread and
 * the machine's memory with it.
 */
static pthread_mutex_t	slot_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	slot_freed = PTHREAD_COND_INITIALIZER;
static int		slots_max = 2;
static int		slots_used;
static int		slot_wait_ms = 1000;

/* n hashes at once; a further one waits at most wait_ms for a slot. */
void
password_slots(int n, int wait_ms)
{
	pthread_mutex_lock(&slot_lock);
	slots_max = n > 0 ? n : 1;
	slot_wait_ms = wait_ms >= 0 ? wait_ms : 0;
	pthread_mutex_unlock(&slot_lock);
}

/* 0 with a slot held, -1 when none came free within slot_wait_ms. */
static int
slot_take(void)
{
	struct timespec until;
	int rc = 0, wait_ms;

	pthread_mutex_lock(&slot_lock);
	wait_ms = slot_wait_ms;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (slots_used >= slots_max && rc == 0)
		rc = pthread_cond_timedwait(&slot_freed, &slot_lock, &until);
	if (slots_used < slots_max) {
		slots_used++;
		rc = 0;
	} else
		rc = -1;
	pthread_mutex_unlock(&slot_lock);
	if (rc == -1)
		log_warn("every password slot busy for %d ms", wait_ms);
	return rc;
}

static void
slot_give(void)
{
	pthread_mutex_lock(&slot_lock);
	slots_used--;
	pthread_cond_signal(&slot_freed);
	pthread_mutex_unlock(&slot_lock);
}

/* NULL on failure, with errno EBUSY when no slot came free. */
char *
password_hash(const char *pw, int passes, int kib)
{
	unsigned char salt[SALT_BYTES];
	size_t len;
	char *out;
	int rc;

	if (util_random(salt, sizeof(salt)) == -1)
		return NULL;
	len = argon2_encodedlen((uint32_t)passes, (uint32_t)kib, 1,
	    SALT_BYTES, HASH_BYTES, Argon2_id);
	if ((out = malloc(len)) == NULL)
		return NULL;
	if (slot_take() == -1) {
		free(out);
		errno = EBUSY;
		return NULL;
	}
	rc = argon2id_hash_encoded((uint32_t)passes, (uint32_t)kib, 1, pw,
	    strlen(pw), salt, sizeof(salt), HASH_BYTES, out, len);
	slot_give();
	if (rc != ARGON2_OK) {
		log_err("argon2id failed");
		free(out);
		errno = EINVAL;
		return NULL;
	}
	return out;
}

/*
 * 1 on a match and on nothing else, so that the answer reads right as a
 * truth value; 0 for a wrong password, a malformed or missing hash, and
 * when no slot came free.  *busy (when busy is not NULL) says which of
 * those last it was: 1 when the password was never checked, and the
 * caller answers "try again" rather than "wrong password".
 */
int
password_verify(const char *encoded, const char *pw, int *busy)
{
	int ok;

	if (busy != NULL)
		*busy = 0;
	if (encoded == NULL || pw == NULL)
		return 0;
	if (slot_take() == -1) {
		if (busy != NULL)
			*busy = 1;
		return 0;
	}
	ok = argon2id_verify(encoded, pw, strlen(pw)) == ARGON2_OK;
	slot_give();
	return ok;
}

/*
 * Spends the time a real check would, so that an unknown email cannot be
 * told apart from a wrong password by how long the answer takes (nor by
 * being busy): 0, or -1 when no slot came free.
 */
int
password_dummy(void)
{
	static const char fixed[] = "$argon2id$v=19$m=19456,t=2,p=1$"
	    "YWNvcm5hY29ybmFjb3Ju$3DlldzuVM+cCKkH9ptLvS9r1u/jbjkfF2rGx4F2ZSa0";

	if (slot_take() == -1)
		return -1;
	(void)argon2id_verify(fixed, "not a password", 14);
	slot_give();
	return 0;
}
