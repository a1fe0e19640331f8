/*
 * Uploads and the node's memory against real nodes: someone who may not
 * use an upload route is refused before a byte of the body is read,
 * however many send at once, and the node's memory stays where it was;
 * an authorised file streams to a nameless temporary file, arrives
 * intact, and leaves nothing behind; a body declared too large is
 * refused from its Content-Length; one address cannot hold more
 * connections than its limit; /metrics answers this machine, or whoever
 * holds its token.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <curl/curl.h>
#include <openssl/evp.h>

#include "harness.h"

Suite	*uploads_suite(void);

#define CONTRIB		"uploads.contrib@example.org"
#define MEMBER		"uploads.member@example.org"
#define METRICS_TOKEN	"metrics-token-5f0c2a9e7d1b4c38"

/* The node's limits: the defaults for files and bodies. */
#define MAX_UPLOAD	(20L * 1024 * 1024)
#define MAX_BODY	65536L
/* A hundred senders of 19 MiB each: all from one address, 127.0.0.1. */
#define FLOOD		100
#define FLOOD_BYTES	(19L * 1024 * 1024)
/* The second node's connections per address. */
#define PER_ADDRESS	4

static struct node *node;	/* the default limits, uploads in a dir */
static struct node *limited;	/* few connections, a metrics token */
static char *contrib_pw, *member_pw;
static char *evaluation;	/* the evaluation files are sent to */
static char upload_dir[512];

static char *
id_from(const struct resp *r)
{
	const char *at;

	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(r->location);
	at = strstr(r->location, "/evidence/");
	ck_assert_ptr_nonnull(at);
	return strdup(at + 10);
}

static void
start(void)
{
	char settings[1024];
	struct client *c;
	struct resp *r;

	snprintf(upload_dir, sizeof(upload_dir), "%s/uploads-%d",
	    getenv("ACORN_TEST_VAR"), (int)getpid());
	ck_assert(mkdir(upload_dir, 0700) == 0 || errno == EEXIST);
	/* Room for the whole flood from one address, to show each refused. */
	snprintf(settings, sizeof(settings), "upload_dir = %s\n"
	    "connections_per_address = %d\n", upload_dir, 2 * FLOOD);
	node = node_new("Uploads node", settings);
	ck_assert_ptr_nonnull(node);
	contrib_pw = node_user_add(node, CONTRIB, "contributor");
	member_pw = node_user_add(node, MEMBER, "member");
	ck_assert_ptr_nonnull(contrib_pw);
	ck_assert_ptr_nonnull(member_pw);
	ck_assert_int_eq(node_serve(node), 0);
	snprintf(settings, sizeof(settings), "connections_per_address = %d\n"
	    "timeout = 120\nmetrics_token = %s\n", PER_ADDRESS,
	    METRICS_TOKEN);
	limited = node_new("Limited node", settings);
	ck_assert_ptr_nonnull(limited);
	ck_assert_int_eq(node_serve(limited), 0);

	c = client_as(node, CONTRIB, contrib_pw);
	ck_assert_ptr_nonnull(c);
	r = form_post(c, "/evidence/new", "/evidence/new", "title",
	    "Reports sent many ways", "region", "North West", "year", "2024",
	    "design", "qualitative", "abstract", "Link workers' reports.",
	    NULL);
	evaluation = id_from(r);
	resp_free(r);
	client_free(c);
}

static void
stop(void)
{
	node_free(node);
	node_free(limited);
	free(contrib_pw);
	free(member_pw);
	free(evaluation);
	node = limited = NULL;
	rmdir(upload_dir);
}

/* Entries in the upload directory, "." and ".." aside. */
static int
upload_dir_entries(void)
{
	DIR *d = opendir(upload_dir);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* The node's open files that live in the upload directory. */
static int
upload_fds(void)
{
	char dir[64], path[600], target[1024];
	size_t len = strlen(upload_dir);
	struct dirent *e;
	ssize_t n;
	DIR *d;
	int count = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)node->pid);
	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, upload_dir, len) == 0 &&
		    target[len] == '/')
			count++;
	}
	closedir(d);
	return count;
}

static long
files_stored(void)
{
	return node_num(node, "SELECT count(*) FROM evaluation_files"
	    " WHERE evaluation = $1", evaluation);
}

static void
files_path(char *out, size_t size)
{
	snprintf(out, size, "/evidence/%s/files", evaluation);
}

/* A connection to n on 127.0.0.1. */
static int
connect_to(const struct node *n)
{
	struct sockaddr_in sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)node_port(n));
	ck_assert_int_eq(inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr), 1);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/*
 * Sends only the head of an upload that claims length bytes of body, and
 * none of the body: what the node answers, read into head (its status,
 * or -1 when it said nothing for 10 seconds).  An answer proves the node
 * decided without reading the body.
 */
static int
head_only(const char *cookie, long length, char *head, size_t size)
{
	char req[1024], path[160];
	size_t got = 0;
	ssize_t n;
	struct pollfd p;
	int fd, status = -1;

	files_path(path, sizeof(path));
	snprintf(req, sizeof(req), "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Content-Type: " MULTIPART_TYPE "\r\n"
	    "Content-Length: %ld\r\n%s%s%s\r\n", path, length,
	    cookie != NULL ? "Cookie: acorn_session=" : "",
	    cookie != NULL ? cookie : "", cookie != NULL ? "\r\n" : "");
	fd = connect_to(node);
	ck_assert_int_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	head[0] = '\0';
	p.fd = fd;
	p.events = POLLIN;
	while (got < size - 1 && strstr(head, "\r\n\r\n") == NULL &&
	    poll(&p, 1, 10000) == 1) {
		if ((n = read(fd, head + got, size - 1 - got)) <= 0)
			break;
		got += (size_t)n;
		head[got] = '\0';
	}
	if (sscanf(head, "HTTP/1.1 %d", &status) != 1)
		status = -1;
	close(fd);
	return status;
}

/* A PDF of about size bytes whose body holds every byte value. */
static char *
pdf_make(size_t size, size_t *len)
{
	static const char head[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
	static const char foot[] = "\ntrailer\n<< >>\n%%EOF\n";
	char *p = malloc(size);
	size_t i, n = sizeof(head) - 1;

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_gt(size, sizeof(head) + sizeof(foot));
	memcpy(p, head, n);
	for (i = 0; n < size - (sizeof(foot) - 1); i++)
		p[n++] = (char)(i * 7 + i / 256);
	memcpy(p + n, foot, sizeof(foot) - 1);
	*len = size;
	return p;
}

/*
 * A multipart body as a browser sends the Reports form: the token, then
 * the file (or, with token_last, the other way round).  csrf NULL: none.
 */
static char *
multipart(const char *csrf, int token_last, const void *data, size_t len,
    size_t *total)
{
	struct mpart *m = mpart_new();
	char *body;

	ck_assert_ptr_nonnull(m);
	if (csrf != NULL && !token_last)
		mpart_field(m, "csrf", csrf);
	mpart_file(m, "file", "report.pdf", "application/pdf", data, len);
	if (csrf != NULL && token_last)
		mpart_field(m, "csrf", csrf);
	ck_assert_ptr_nonnull(body = mpart_end(m, total));
	return body;
}

static size_t
discard(char *data, size_t size, size_t n, void *arg)
{
	(void)data;
	(void)arg;
	return size * n;
}

START_TEST(test_hundred_anonymous_uploads_refused_and_memory_stays_low)
{
	static const char *expect[] = { NULL, "Expect:" };
	struct client *anon = client_new(node);
	CURLM *multi = curl_multi_init();
	CURL *easy[FLOOD];
	struct curl_slist *h[2] = { NULL, NULL };
	struct resp *r;
	char *data, *body, url[256], path[160], type[128], *loc;
	size_t len, total;
	static char sent[FLOOD];	/* each handle's index, by address */
	CURLcode result[FLOOD];
	CURLMsg *msg;
	char *which;
	long rest, hwm, rss, peak = 0, status;
	int running = 1, i, redirected = 0, reset = 0, left;

	/* At rest: the node has served pages, as it would have. */
	for (i = 0; i < 5; i++) {
		r = http_get(anon, "/evidence");
		ck_assert_int_eq(r->status, 200);
		resp_free(r);
	}
	rest = node_kib(node, "VmRSS:");

	data = pdf_make((size_t)FLOOD_BYTES, &len);
	body = multipart(NULL, 0, data, len, &total);
	free(data);
	files_path(path, sizeof(path));
	snprintf(url, sizeof(url), "%s%s", node->url, path);
	snprintf(type, sizeof(type), "Content-Type: %s", MULTIPART_TYPE);
	/*
	 * Half ask first with Expect: 100-continue (curl's way); half send
	 * the body straight after the head, as browsers do.
	 */
	for (i = 0; i < 2; i++) {
		h[i] = curl_slist_append(NULL, type);
		if (expect[i] != NULL)
			h[i] = curl_slist_append(h[i], expect[i]);
	}
	for (i = 0; i < FLOOD; i++) {
		easy[i] = curl_easy_init();
		curl_easy_setopt(easy[i], CURLOPT_URL, url);
		/* One body for all: the client's memory is not the point. */
		curl_easy_setopt(easy[i], CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(easy[i], CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)total);
		curl_easy_setopt(easy[i], CURLOPT_HTTPHEADER, h[i % 2]);
		curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(easy[i], CURLOPT_TIMEOUT, 120L);
		curl_easy_setopt(easy[i], CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(easy[i], CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(easy[i], CURLOPT_PRIVATE, &sent[i]);
		result[i] = CURLE_OK;
		ck_assert_int_eq(curl_multi_add_handle(multi, easy[i]),
		    CURLM_OK);
	}
	while (running) {
		ck_assert_int_eq(curl_multi_perform(multi, &running), CURLM_OK);
		if ((rss = node_kib(node, "VmRSS:")) > peak)
			peak = rss;
		if (running)
			curl_multi_poll(multi, NULL, 0, 50, NULL);
	}
	/* The high-water mark catches a peak between two looks. */
	hwm = node_kib(node, "VmHWM:");
	ck_assert_msg(hwm - rest < 100 * 1024 && peak - rest < 100 * 1024,
	    "resident %ld KiB at rest, %ld KiB at the peak (%ld seen)", rest,
	    hwm, peak);

	while ((msg = curl_multi_info_read(multi, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE) {
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    &which);
			result[which - sent] = msg->data.result;
		}
	/*
	 * Every sender was sent to sign in.  The node answers from the head
	 * and closes the connection, so one still pushing its body (no
	 * Expect) may have it reset before reading the answer, as with any
	 * server that refuses an upload early; nothing else happens.
	 */
	for (i = 0; i < FLOOD; i++) {
		status = 0;
		loc = NULL;
		curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(easy[i], CURLINFO_REDIRECT_URL, &loc);
		if (status == 303) {
			ck_assert_ptr_nonnull(loc);
			ck_assert_ptr_nonnull(strstr(loc, "/signin?next="));
			redirected++;
		} else {
			ck_assert_msg(i % 2 == 1 && status == 0 &&
			    (result[i] == CURLE_SEND_ERROR ||
			    result[i] == CURLE_RECV_ERROR ||
			    result[i] == CURLE_GOT_NOTHING),
			    "upload %d: status %ld, %s", i, status,
			    curl_easy_strerror(result[i]));
			reset++;
		}
		curl_multi_remove_handle(multi, easy[i]);
		curl_easy_cleanup(easy[i]);
	}
	ck_assert_int_eq(redirected + reset, FLOOD);
	ck_assert_int_ge(redirected, FLOOD / 2);
	curl_multi_cleanup(multi);
	curl_slist_free_all(h[0]);
	curl_slist_free_all(h[1]);
	free(body);

	/* Nothing stored, nothing left, and the node still serves. */
	ck_assert_int_eq(files_stored(), 0);
	ck_assert_int_eq(upload_dir_entries(), 0);
	r = http_get(anon, "/evidence");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "Reports sent many ways"));
	resp_free(r);
	client_free(anon);
}
END_TEST

START_TEST(test_refused_before_the_body_is_read)
{
	struct client *m = client_as(node, MEMBER, member_pw);
	struct client *c = client_as(node, CONTRIB, contrib_pw);
	char head[4096], *member_cookie, *contrib_cookie;

	member_cookie = client_cookie(m, "acorn_session");
	contrib_cookie = client_cookie(c, "acorn_session");
	ck_assert_ptr_nonnull(member_cookie);
	ck_assert_ptr_nonnull(contrib_cookie);

	/* Nobody signed in: sent to sign in, with no byte of the body. */
	ck_assert_int_eq(head_only(NULL, FLOOD_BYTES, head, sizeof(head)),
	    303);
	ck_assert_ptr_nonnull(strstr(head, "Location: /signin?next="));
	/* A session that is not one: the same. */
	ck_assert_int_eq(head_only("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    FLOOD_BYTES, head, sizeof(head)), 303);
	/* A member who is not a contributor: refused outright. */
	ck_assert_int_eq(head_only(member_cookie, FLOOD_BYTES, head,
	    sizeof(head)), 403);
	ck_assert_ptr_nonnull(strstr(head, "Content-Type: text/html"));
	/* Even a contributor: a body larger than any allowed, refused unread. */
	ck_assert_int_eq(head_only(contrib_cookie, MAX_UPLOAD + MAX_BODY + 1,
	    head, sizeof(head)), 413);
	ck_assert_int_eq(head_only(contrib_cookie, 4 * MAX_UPLOAD, head,
	    sizeof(head)), 413);
	ck_assert_int_eq(files_stored(), 0);
	ck_assert_int_eq(upload_dir_entries(), 0);
	free(member_cookie);
	free(contrib_cookie);
	client_free(m);
	client_free(c);
}
END_TEST

START_TEST(test_too_large_page_speaks_of_files_in_general)
{
	struct client *c = client_as(node, CONTRIB, contrib_pw);
	struct resp *r;
	char path[160], *csrf, *data, *body;
	size_t len, total;

	files_path(path, sizeof(path));
	csrf = page_csrf(c, path);
	ck_assert_ptr_nonnull(csrf);
	data = pdf_make((size_t)MAX_UPLOAD + 1, &len);
	body = multipart(csrf, 0, data, len, &total);
	free(data);
	r = http_post_multipart(c, path, body, total);
	ck_assert_int_eq(r->status, 413);
	ck_assert(resp_has(r, "Files can be up to 20 MB."));
	ck_assert(!resp_has(r, "the report"));
	resp_free(r);
	free(body);
	free(csrf);
	ck_assert_int_eq(files_stored(), 0);
	ck_assert_int_eq(upload_dir_entries(), 0);
	client_free(c);
}
END_TEST

/* An upload whose body comes from a pipe, as the test lets it through. */
struct sender {
	int		 fd;
	size_t		 total;
	char		*cookie;
	char		 url[256];
	long		 status;
};

static size_t
sender_read(char *buf, size_t size, size_t n, void *arg)
{
	struct sender *s = arg;
	ssize_t got;

	do
		got = read(s->fd, buf, size * n);
	while (got == -1 && errno == EINTR);
	return got < 0 ? CURL_READFUNC_ABORT : (size_t)got;
}

static void *
sender_run(void *arg)
{
	struct sender *s = arg;
	struct curl_slist *h = NULL;
	char type[128], cookie[256];
	CURL *curl = curl_easy_init();

	snprintf(type, sizeof(type), "Content-Type: %s", MULTIPART_TYPE);
	snprintf(cookie, sizeof(cookie), "acorn_session=%s", s->cookie);
	h = curl_slist_append(h, type);
	curl_easy_setopt(curl, CURLOPT_URL, s->url);
	curl_easy_setopt(curl, CURLOPT_POST, 1L);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, sender_read);
	curl_easy_setopt(curl, CURLOPT_READDATA, s);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)s->total);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_COOKIE, cookie);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	if (curl_easy_perform(curl) == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &s->status);
	else
		s->status = -1;
	curl_slist_free_all(h);
	curl_easy_cleanup(curl);
	return NULL;
}

static void
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		ck_assert_int_gt(w, 0);
		p += w;
		n -= (size_t)w;
	}
}

START_TEST(test_authorised_upload_streams_to_a_file_and_arrives_intact)
{
	struct client *c = client_as(node, CONTRIB, contrib_pw);
	struct sender s;
	struct resp *r;
	pthread_t t;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	char path[160], hex[65], *csrf, *data, *body, *v;
	size_t len, half;
	int pipefd[2], tries;

	files_path(path, sizeof(path));
	csrf = page_csrf(c, path);
	ck_assert_ptr_nonnull(csrf);
	data = pdf_make(3 * 1024 * 1024 + 17, &len);
	ck_assert(EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) == 1);
	for (i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	memset(&s, 0, sizeof(s));
	body = multipart(csrf, 0, data, len, &s.total);
	s.cookie = client_cookie(c, "acorn_session");
	ck_assert_ptr_nonnull(s.cookie);
	snprintf(s.url, sizeof(s.url), "%s%s", node->url, path);
	ck_assert_int_eq(pipe(pipefd), 0);
	s.fd = pipefd[0];
	ck_assert_int_eq(pthread_create(&t, NULL, sender_run, &s), 0);

	/* Half the body sent: it is in a file in upload_dir, with no name. */
	half = s.total / 2;
	write_all(pipefd[1], body, half);
	for (tries = 0; tries < 500 && upload_fds() == 0; tries++)
		poll(NULL, 0, 20);
	ck_assert_int_eq(upload_fds(), 1);
	ck_assert_int_eq(upload_dir_entries(), 0);
	write_all(pipefd[1], body + half, s.total - half);
	close(pipefd[1]);
	pthread_join(t, NULL);
	close(pipefd[0]);
	ck_assert_int_eq(s.status, 303);

	/* Stored byte for byte, and the temporary file is gone. */
	ck_assert_int_eq(files_stored(), 1);
	v = node_text(node, "SELECT sha256 || '|' || size FROM evaluation_files"
	    " WHERE evaluation = $1", evaluation);
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(strtok(v, "|"), hex);
	ck_assert_int_eq(strtol(strtok(NULL, "|"), NULL, 10), (long)len);
	free(v);
	v = node_text(node, "SELECT id FROM evaluation_files"
	    " WHERE evaluation = $1", evaluation);
	snprintf(path, sizeof(path), "/evidence/files/%s", v);
	free(v);
	r = http_get(c, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert_uint_eq(r->len, len);
	ck_assert(memcmp(r->body, data, len) == 0);
	resp_free(r);
	for (tries = 0; tries < 250 && upload_fds() != 0; tries++)
		poll(NULL, 0, 20);
	ck_assert_int_eq(upload_fds(), 0);
	ck_assert_int_eq(upload_dir_entries(), 0);

	free(s.cookie);
	free(body);
	free(data);
	free(csrf);
	client_free(c);
}
END_TEST

START_TEST(test_file_sent_before_its_token_is_refused_and_not_kept)
{
	struct client *c = client_as(node, CONTRIB, contrib_pw);
	struct resp *r;
	char path[160], *csrf, *data, *body;
	size_t len, total;
	long before = files_stored();

	files_path(path, sizeof(path));
	csrf = page_csrf(c, path);
	ck_assert_ptr_nonnull(csrf);
	data = pdf_make(64 * 1024, &len);
	/* The token after the file: this site's form never sends that. */
	body = multipart(csrf, 1, data, len, &total);
	r = http_post_multipart(c, path, body, total);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	free(body);
	/* No token at all. */
	body = multipart(NULL, 0, data, len, &total);
	r = http_post_multipart(c, path, body, total);
	ck_assert_int_eq(r->status, 403);
	resp_free(r);
	free(body);
	ck_assert_int_eq(files_stored(), before);
	ck_assert_int_eq(upload_dir_entries(), 0);
	/* The same file with the token first is taken. */
	body = multipart(csrf, 0, data, len, &total);
	r = http_post_multipart(c, path, body, total);
	ck_assert_int_eq(r->status, 303);
	resp_free(r);
	ck_assert_int_eq(files_stored(), before + 1);
	free(body);
	free(data);
	free(csrf);
	client_free(c);
}
END_TEST

/* 1 when the other end closed fd (EOF or reset) within ms. */
static int
closed_within(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char b;

	if (poll(&p, 1, ms) != 1)
		return 0;
	return recv(fd, &b, 1, MSG_DONTWAIT) <= 0;
}

START_TEST(test_one_address_cannot_hold_more_connections_than_its_limit)
{
	struct client *c = client_new(limited);
	struct resp *r;
	int fd[PER_ADDRESS + 1], i, shut = -1, tries;

	/* One more than the limit: exactly one is closed by the node. */
	for (i = 0; i <= PER_ADDRESS; i++)
		fd[i] = connect_to(limited);
	for (tries = 0; tries < 100 && shut == -1; tries++)
		for (i = 0; i <= PER_ADDRESS && shut == -1; i++)
			if (closed_within(fd[i], 50))
				shut = i;
	ck_assert_int_ne(shut, -1);
	for (i = 0; i <= PER_ADDRESS; i++)
		if (i != shut)
			ck_assert_msg(!closed_within(fd[i], 100),
			    "connection %d closed too", i);
	close(fd[shut]);

	/* While the address holds its limit, a page is not served to it. */
	r = http_get(c, "/healthz");
	ck_assert_int_eq(r->status, -1);
	resp_free(r);

	/* Once they close, the same address is served again. */
	for (i = 0; i <= PER_ADDRESS; i++)
		if (i != shut)
			close(fd[i]);
	r = NULL;
	for (tries = 0; tries < 100; tries++) {
		r = http_get(c, "/healthz");
		if (r->status == 200)
			break;
		resp_free(r);
		r = NULL;
		poll(NULL, 0, 50);
	}
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	client_free(c);
}
END_TEST

START_TEST(test_metrics_answer_this_machine_or_the_token)
{
	struct client *c = client_new(node);
	struct client *t = client_new(limited);
	struct resp *r;

	/* No token configured: this machine is answered... */
	r = http_get(c, "/metrics");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "acorn_http_requests_total"));
	resp_free(r);
	/* ...but not a request a proxy on it forwarded for someone else. */
	client_header(c, "X-Forwarded-For: 203.0.113.7");
	r = http_get(c, "/metrics");
	ck_assert_int_eq(r->status, 403);
	ck_assert(!resp_has(r, "acorn_"));
	resp_free(r);
	client_header(c, "Forwarded: for=203.0.113.7");
	r = http_get(c, "/metrics");
	ck_assert_int_eq(r->status, 403);
	resp_free(r);

	/* A token configured: needed even from this machine. */
	r = http_get(t, "/metrics");
	ck_assert_int_eq(r->status, 401);
	ck_assert(header_has(r, "WWW-Authenticate: Bearer"));
	ck_assert(!resp_has(r, "acorn_"));
	resp_free(r);
	client_header(t, "Authorization: Bearer wrong-token-5f0c2a9e7d1b4c38");
	r = http_get(t, "/metrics");
	ck_assert_int_eq(r->status, 401);
	ck_assert(!resp_has(r, "acorn_"));
	resp_free(r);
	client_header(t, "Authorization: Bearer " METRICS_TOKEN "x");
	r = http_get(t, "/metrics");
	ck_assert_int_eq(r->status, 401);
	resp_free(r);
	client_header(t, "Authorization: Basic " METRICS_TOKEN);
	r = http_get(t, "/metrics");
	ck_assert_int_eq(r->status, 401);
	resp_free(r);
	client_header(t, "Authorization: Bearer " METRICS_TOKEN);
	r = http_get(t, "/metrics");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "acorn_http_requests_total"));
	resp_free(r);
	client_free(c);
	client_free(t);
}
END_TEST

Suite *
uploads_suite(void)
{
	Suite *s = suite_create("uploads");
	TCase *tc;

	tc = tcase_create("uploads");
	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc,
	    test_hundred_anonymous_uploads_refused_and_memory_stays_low);
	tcase_add_test(tc, test_refused_before_the_body_is_read);
	tcase_add_test(tc, test_too_large_page_speaks_of_files_in_general);
	tcase_add_test(tc,
	    test_authorised_upload_streams_to_a_file_and_arrives_intact);
	tcase_add_test(tc,
	    test_file_sent_before_its_token_is_refused_and_not_kept);
	tcase_add_test(tc,
	    test_one_address_cannot_hold_more_connections_than_its_limit);
	tcase_add_test(tc, test_metrics_answer_this_machine_or_the_token);
	suite_add_tcase(s, tc);
	return s;
}
