/*
 * Static assets (stylesheet, icons) read into memory at start, served with
 * a strong ETag and a day's caching; a matching If-None-Match costs a 304.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "web.h"

struct asset {
	char	*name;
	char	*data;
	size_t	 len;
	char	 etag[72];
	char	*url;	/* with the content hash, so a new version is refetched */
	const char *type;
};

static struct asset	*assets;
static size_t		 nassets;

static const char *
mime_type(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".css", "text/css; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".json", "application/json" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".woff2", "font/woff2" },
		{ ".txt", "text/plain; charset=utf-8" },
	};
	const char *dot = strrchr(name, '.');
	size_t i;

	for (i = 0; dot != NULL && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return NULL;
}

int
static_load(const char *dir)
{
	DIR *dp;
	struct dirent *de;
	struct asset *a;
	unsigned char h[32];
	char *path, hex[65];
	const char *type;

	if ((dp = opendir(dir)) == NULL) {
		log_err("%s: cannot open", dir);
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.' || (type = mime_type(de->d_name)) ==
		    NULL)
			continue;
		a = realloc(assets, (nassets + 1) * sizeof(*assets));
		if (a == NULL)
			break;
		assets = a;
		a = &assets[nassets];
		memset(a, 0, sizeof(*a));
		if ((path = util_printf("%s/%s", dir, de->d_name)) == NULL)
			break;
		if (util_read_file(path, &a->data, &a->len, 8 << 20) == -1) {
			free(path);
			closedir(dp);
			return -1;
		}
		free(path);
		a->name = util_strdup(de->d_name);
		a->type = type;
		util_sha256(a->data, a->len, h);
		util_hex(h, 8, hex);
		snprintf(a->etag, sizeof(a->etag), "\"%s\"", hex);
		a->url = util_printf("/static/%s?v=%s", a->name, hex);
		nassets++;
	}
	closedir(dp);
	return 0;
}

void
static_free(void)
{
	size_t i;

	for (i = 0; i < nassets; i++) {
		free(assets[i].name);
		free(assets[i].data);
		free(assets[i].url);
	}
	free(assets);
	assets = NULL;
	nassets = 0;
}

/* The address to link an asset by; NULL when there is no such asset. */
const char *
static_url(const char *name)
{
	size_t i;

	for (i = 0; i < nassets; i++)
		if (strcmp(assets[i].name, name) == 0)
			return assets[i].url;
	return NULL;
}

int
static_serve(struct request *r)
{
	struct MHD_Response *resp;
	size_t i;
	int not_modified;

	for (i = 0; i < nassets; i++)
		if (strcmp(assets[i].name, r->arg) == 0)
			break;
	if (i == nassets)
		return http_error(r, 404);
	not_modified = http_fresh(r, assets[i].etag);
	resp = MHD_create_response_from_buffer(not_modified ? 0 :
	    assets[i].len, not_modified ? NULL : assets[i].data,
	    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "ETag", assets[i].etag);
	MHD_add_response_header(resp, "Cache-Control", "public, max-age=86400");
	/* A JSON asset is an API's description: any site may read it. */
	if (strcmp(assets[i].type, "application/json") == 0)
		MHD_add_response_header(resp, "Access-Control-Allow-Origin",
		    "*");
	if (!not_modified)
		MHD_add_response_header(resp, "Content-Type", assets[i].type);
	return http_queue(r, not_modified ? 304 : 200, resp);
}
