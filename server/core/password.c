/*
 * Password hashing with Argon2id, the algorithm RFC 9106 recommends, in
 * its encoded form so that the parameters travel with each hash and can
 * be raised later without invalidating old ones.
 */
#include <stdlib.h>
#include <string.h>

#include <argon2.h>

#include "core.h"

#define SALT_BYTES	16
#define HASH_BYTES	32

char *
password_hash(const char *pw, int passes, int kib)
{
	unsigned char salt[SALT_BYTES];
	size_t len;
	char *out;

	if (util_random(salt, sizeof(salt)) == -1)
		return NULL;
	len = argon2_encodedlen((uint32_t)passes, (uint32_t)kib, 1,
	    SALT_BYTES, HASH_BYTES, Argon2_id);
	if ((out = malloc(len)) == NULL)
		return NULL;
	if (argon2id_hash_encoded((uint32_t)passes, (uint32_t)kib, 1, pw,
	    strlen(pw), salt, sizeof(salt), HASH_BYTES, out, len) !=
	    ARGON2_OK) {
		log_err("argon2id failed");
		free(out);
		return NULL;
	}
	return out;
}

/* 1 on a match, 0 otherwise (including a malformed or missing hash). */
int
password_verify(const char *encoded, const char *pw)
{
	if (encoded == NULL || pw == NULL)
		return 0;
	return argon2id_verify(encoded, pw, strlen(pw)) == ARGON2_OK;
}

/*
 * Spends the time a real check would, so that an unknown email cannot be
 * told apart from a wrong password by how long the answer takes.
 */
void
password_dummy(void)
{
	static const char fixed[] = "$argon2id$v=19$m=19456,t=2,p=1$"
	    "YWNvcm5hY29ybmFjb3Ju$3DlldzuVM+cCKkH9ptLvS9r1u/jbjkfF2rGx4F2ZSa0";

	(void)argon2id_verify(fixed, "not a password", 14);
}
