/*
 * This node's signing keys on disk: the current key in the file the
 * config names, and during a rotation the key before it in the same
 * path with ".old" added.  Rotating moves the current key aside and
 * makes a new one; retiring deletes the old one, ending the overlap.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core.h"
#include "federation.h"

static char *
old_path(const char *path)
{
	return util_printf("%s.old", path);
}

/* Loads the keys; -1 when the current one is missing or unreadable. */
int
signer_load(struct signer *sg, const char *path)
{
	char *old;

	memset(sg, 0, sizeof(*sg));
	if ((sg->key = fed_key_load(path)) == NULL) {
		log_err("%s: no signing key (make one with acorn keygen)",
		    path);
		return -1;
	}
	if (fed_fingerprint(sg->key, sg->fingerprint) == -1)
		goto fail;
	if ((old = old_path(path)) == NULL)
		goto fail;
	if (access(old, F_OK) == 0) {
		if ((sg->old_key = fed_key_load(old)) == NULL ||
		    fed_fingerprint(sg->old_key, sg->old_fingerprint) == -1) {
			log_err("%s: cannot read the previous key", old);
			free(old);
			goto fail;
		}
	}
	free(old);
	return 0;
fail:
	signer_free(sg);
	return -1;
}

void
signer_free(struct signer *sg)
{
	EVP_PKEY_free(sg->key);
	EVP_PKEY_free(sg->old_key);
	memset(sg, 0, sizeof(*sg));
}

/*
 * acorn keygen: a key where there is none; with rotate, a new key with
 * the current one kept as the old; with retire, the old one gone.
 * Prints the fingerprint peers pin.
 */
int
keys_generate(const char *path, int rotate, int retire)
{
	struct signer sg;
	char *old = old_path(path);
	int rc = -1;

	if (old == NULL)
		return -1;
	if (retire) {
		if (unlink(old) == -1) {
			log_err("%s: %s", old, errno == ENOENT ?
			    "there is no old key to retire" : strerror(errno));
			goto out;
		}
	} else if (rotate) {
		if (access(old, F_OK) == 0) {
			log_err("%s: a rotation is still under way; retire the"
			    " old key first (acorn keygen --retire)", old);
			goto out;
		}
		if (rename(path, old) == -1) {
			log_err("%s: %s", path, strerror(errno));
			goto out;
		}
		if (fed_keygen(path) == -1) {
			log_err("%s: %s", path, strerror(errno));
			if (rename(old, path) == -1)
				log_err("%s: %s", old, strerror(errno));
			goto out;
		}
	} else if (access(path, F_OK) == 0) {
		log_info("%s exists; keeping it", path);
	} else if (fed_keygen(path) == -1) {
		log_err("%s: %s", path, strerror(errno));
		goto out;
	}
	if (signer_load(&sg, path) == -1)
		goto out;
	printf("fingerprint: %s\n", sg.fingerprint);
	if (sg.old_key != NULL)
		printf("previous:    %s (accepted until acorn keygen --retire)\n",
		    sg.old_fingerprint);
	signer_free(&sg);
	rc = 0;
out:
	free(old);
	return rc;
}
