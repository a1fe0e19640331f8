/*
 * The request cycle's limits against real nodes, as a client sees them:
 * a GET with a body is refused at its headers and slow senders hold no
 * database connection; a POST whose body comes after its session ended
 * or its role was taken is refused and changes nothing; a chunked body
 * past the limit is cut off; large bodies (uploads, inbox entries) are
 * taken a few at a time; a download streams, so slow readers do not
 * fill the node's memory; behind a trusted proxy the client is the last
 * X-Forwarded-For entry and /metrics needs its token; and a node that
 * could run out of open files does not start.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <openssl/evp.h>

#include "harness.h"

Suite	*http_limits_suite(void);

#define MEMBER		"limits.member@example.org"
#define CONTRIB		"limits.contrib@example.org"
#define ADMIN		"limits.admin@example.org"
#define TARGET		"limits.target@example.org"
#define OTHER		"limits.other@example.org"

/* The test nodes' request threads, and the large bodies taken at once. */
#define THREADS		4
#define SLOTS		(4 * THREADS)
/* The download: 8 MiB, read by many slow readers at once. */
#define DL_PIECES	262144		/* of 32 bytes */
#define DL_BYTES	(32L * DL_PIECES)
#define READERS		32

static struct node *node;	/* the defaults, uploads in a directory */
static struct node *proxied;	/* behind a trusted proxy */
static char *member_pw, *contrib_pw, *admin_pw, *target_pw, *other_pw;
static char *evaluation;
static char upload_dir[512];

static void
start(void)
{
	char settings[1024];
	struct client *c;
	struct resp *r;
	const char *at;

	snprintf(upload_dir, sizeof(upload_dir), "%s/limits-%d",
	    getenv("ACORN_TEST_VAR"), (int)getpid());
	ck_assert(mkdir(upload_dir, 0700) == 0 || errno == EEXIST);
	snprintf(settings, sizeof(settings), "upload_dir = %s\n", upload_dir);
	node = node_new("Limits node", settings);
	ck_assert_ptr_nonnull(node);
	member_pw = node_user_add(node, MEMBER, "member");
	contrib_pw = node_user_add(node, CONTRIB, "contributor");
	admin_pw = node_user_add(node, ADMIN, "admin");
	target_pw = node_user_add(node, TARGET, "member");
	other_pw = node_user_add(node, OTHER, "member");
	ck_assert_ptr_nonnull(member_pw);
	ck_assert_ptr_nonnull(contrib_pw);
	ck_assert_ptr_nonnull(admin_pw);
	ck_assert_ptr_nonnull(target_pw);
	ck_assert_ptr_nonnull(other_pw);
	ck_assert_int_eq(node_serve(node), 0);
	proxied = node_new("Proxied node", "trust_proxy = yes\n");
	ck_assert_ptr_nonnull(proxied);
	ck_assert_int_eq(node_serve(proxied), 0);

	c = client_as(node, CONTRIB, contrib_pw);
	r = form_post(c, "/evidence/new", "/evidence/new", "title",
	    "Reports read slowly", "region", "North West", "year", "2024",
	    "design", "qualitative", "abstract", "Link workers' reports.",
	    NULL);
	ck_assert_int_eq(r->status, 303);
	at = strstr(r->location, "/evidence/");
	ck_assert_ptr_nonnull(at);
	evaluation = strdup(at + 10);
	resp_free(r);
	client_free(c);
}

static void
stop(void)
{
	node_free(node);
	node_free(proxied);
	node = proxied = NULL;
	free(member_pw);
	free(contrib_pw);
	free(admin_pw);
	free(target_pw);
	free(other_pw);
	free(evaluation);
	rmdir(upload_dir);
}

/* A connection to n on 127.0.0.1; rcvbuf > 0 makes its window small. */
static int
connect_to(const struct node *n, int rcvbuf)
{
	struct sockaddr_in sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)node_port(n));
	ck_assert_int_eq(inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr), 1);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ne(fd, -1);
	if (rcvbuf > 0)
		ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVBUF,
		    &rcvbuf, sizeof(rcvbuf)), 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void
send_all(int fd, const char *s, size_t len)
{
	ck_assert_int_eq(send(fd, s, len, MSG_NOSIGNAL), (ssize_t)len);
}

/*
 * Reads the head of the node's next response into head: its status, or
 * -1 when none came within 10 seconds or the connection closed first.
 */
static int
read_head(int fd, char *head, size_t size)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t n;
	int status;

	head[0] = '\0';
	while (got < size - 1 && strstr(head, "\r\n\r\n") == NULL &&
	    poll(&p, 1, 10000) == 1) {
		if ((n = read(fd, head + got, size - 1 - got)) <= 0)
			break;
		got += (size_t)n;
		head[got] = '\0';
	}
	if (strstr(head, "\r\n\r\n") == NULL ||
	    sscanf(head, "HTTP/1.1 %d", &status) != 1)
		return -1;
	return status;
}

/*
 * Sends the head of a POST with Expect: 100-continue and none of its
 * body.  The node's answer: 100 when it admitted the request and waits
 * for the body, else what it answered instead (in head).
 */
static int
post_begin(int fd, const char *path, const char *cookie, const char *type,
    long length, const char *extra, char *head, size_t size)
{
	char req[2048];

	snprintf(req, sizeof(req), "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Content-Type: %s\r\nContent-Length: %ld\r\n"
	    "Expect: 100-continue\r\n%s%s%s%s\r\n", path, type, length,
	    cookie != NULL ? "Cookie: " : "", cookie != NULL ? cookie : "",
	    cookie != NULL ? "\r\n" : "", extra != NULL ? extra : "");
	send_all(fd, req, strlen(req));
	return read_head(fd, head, size);
}

/* "acorn_session=..." for the client's session. */
static char *
session_cookie(struct client *c)
{
	char *v = client_cookie(c, "acorn_session"), *out;

	ck_assert_ptr_nonnull(v);
	ck_assert_int_ne(asprintf(&out, "acorn_session=%s", v), -1);
	free(v);
	return out;
}

static const char form_type[] = "application/x-www-form-urlencoded";

/*
 * A GET or HEAD that says it has a body is refused at its headers, so a
 * crowd of them trickling bytes holds nothing; slow POST bodies hold no
 * database connection while they come, however many wait: a page is
 * still served at once, with a database connection to spare.
 */
START_TEST(test_bodies_on_get_refused_and_slow_senders_hold_no_connection)
{
	static const char *gets[] = {
		"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		    "Content-Length: 65000\r\n\r\nx",
		"HEAD /events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		    "Content-Length: 65000\r\n\r\nx",
		"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n",
	};
	struct client *c = client_new(node);
	struct resp *r;
	char head[4096], *tok, *pre, cookie[256];
	int fd[24], i;

	/* Eight of each, more than the node's database connections. */
	for (i = 0; i < 24; i++) {
		fd[i] = connect_to(node, 0);
		send_all(fd[i], gets[i % 3], strlen(gets[i % 3]));
	}
	for (i = 0; i < 24; i++) {
		ck_assert_msg(read_head(fd[i], head, sizeof(head)) == 400,
		    "request %d: %.40s", i, head);
		close(fd[i]);
	}

	/* POSTs admitted (told to go on) whose bodies are slow to come. */
	tok = page_csrf(c, "/signin");
	pre = client_cookie(c, "acorn_pre");
	ck_assert_ptr_nonnull(tok);
	ck_assert_ptr_nonnull(pre);
	snprintf(cookie, sizeof(cookie), "acorn_pre=%s", pre);
	for (i = 0; i < 24; i++) {
		fd[i] = connect_to(node, 0);
		ck_assert_int_eq(post_begin(fd[i], "/signin", cookie,
		    form_type, 1000, NULL, head, sizeof(head)), 100);
		send_all(fd[i], "csrf=", 5);
	}
	r = http_get(c, "/events");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	r = http_get(c, "/healthz");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	for (i = 0; i < 24; i++)
		close(fd[i]);
	free(tok);
	free(pre);
	client_free(c);
}
END_TEST

/* The member's name, as the node keeps it. */
static char *
member_name(const char *email)
{
	char *v = node_sql(node, "SELECT m.name FROM accounts a JOIN members m"
	    " ON m.id = a.member WHERE a.email = $1", email);

	ck_assert_ptr_nonnull(v);
	return v;
}

/* A plain name (letters and spaces) as a form sends it. */
static char *
plus_spaces(const char *name)
{
	char *s = strdup(name), *p;

	ck_assert_ptr_nonnull(s);
	for (p = s; *p != '\0'; p++)
		if (*p == ' ')
			*p = '+';
	return s;
}

/*
 * Sends the profile form with name, its body after the node admitted
 * the head; between the two, meanwhile() runs.  The node's answer, with
 * Location in where (when given).
 */
static int
profile_slowly(struct client *c, const char *name, void (*meanwhile)(void),
    char *head, size_t size)
{
	char *tok = page_csrf(c, "/profile"), *cookie = session_cookie(c);
	char *body, *enc;
	int fd, status;

	ck_assert_ptr_nonnull(tok);
	enc = plus_spaces(name);
	ck_assert_int_ne(asprintf(&body, "csrf=%s&name=%s&organisation="
	    "Limits&role_title=Link+worker&group=link_worker&region=North+West"
	    "&interests=&bio=Hello", tok, enc), -1);
	fd = connect_to(node, 0);
	ck_assert_int_eq(post_begin(fd, "/profile", cookie, form_type,
	    (long)strlen(body), NULL, head, size), 100);
	if (meanwhile != NULL)
		meanwhile();
	send_all(fd, body, strlen(body));
	status = read_head(fd, head, size);
	close(fd);
	free(enc);
	free(body);
	free(cookie);
	free(tok);
	return status;
}

/* Signs the member out everywhere, from another browser. */
static void
sign_out_everywhere(void)
{
	struct client *b = client_as(node, MEMBER, member_pw);
	struct resp *r;

	r = form_post(b, "/profile/sessions", "/signout/everywhere", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "signed out everywhere"));
	resp_free(r);
	client_free(b);
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM sessions s"
	    " JOIN accounts a ON a.id = s.account WHERE a.email = $1", MEMBER),
	    0);
}

/*
 * A form whose body comes after the headers is judged by the session as
 * it is when the body has come: one that ended meanwhile (signed out
 * everywhere) is sent to sign in, and the form changes nothing.
 */
START_TEST(test_post_after_sign_out_everywhere_is_refused)
{
	struct client *a = client_as(node, MEMBER, member_pw);
	char head[4096], *name;

	/* Sent slowly, with the session still there, the form works... */
	ck_assert_int_eq(profile_slowly(a, "Slow But Fine", NULL, head,
	    sizeof(head)), 303);
	name = member_name(MEMBER);
	ck_assert_str_eq(name, "Slow But Fine");
	free(name);

	/* ...but not once the session has ended before its body came. */
	ck_assert_int_eq(profile_slowly(a, "Changed After Sign Out",
	    sign_out_everywhere, head, sizeof(head)), 303);
	ck_assert_msg(strstr(head, "\r\nLocation: /signin?next=/profile") !=
	    NULL, "%s", head);
	name = member_name(MEMBER);
	ck_assert_str_eq(name, "Slow But Fine");
	free(name);
	/* The node still serves, and the member signs in again. */
	client_free(a);
	a = client_as(node, MEMBER, member_pw);
	client_free(a);
}
END_TEST

static void
demote_admin(void)
{
	char *role = node_sql(node, "UPDATE accounts SET role = 'member'"
	    " WHERE email = $1 RETURNING role", ADMIN);

	ck_assert_ptr_nonnull(role);
	ck_assert_str_eq(role, "member");
	free(role);
	node_barrier(node, "acorn_sessions");
}

/* Sends the roles form making email a coordinator, body after head. */
static int
roles_slowly(struct client *c, const char *email, void (*meanwhile)(void))
{
	char *tok = page_csrf(c, "/admin/roles"), *cookie = session_cookie(c);
	char *member, *body, head[4096];
	int fd, status;

	ck_assert_ptr_nonnull(tok);
	member = node_sql(node, "SELECT member FROM accounts WHERE email = $1",
	    email);
	ck_assert_ptr_nonnull(member);
	ck_assert_int_ne(asprintf(&body, "csrf=%s&id=%s&role=coordinator&"
	    "region=London", tok, member), -1);
	fd = connect_to(node, 0);
	ck_assert_int_eq(post_begin(fd, "/admin/roles", cookie, form_type,
	    (long)strlen(body), NULL, head, sizeof(head)), 100);
	if (meanwhile != NULL)
		meanwhile();
	send_all(fd, body, strlen(body));
	status = read_head(fd, head, sizeof(head));
	close(fd);
	free(body);
	free(member);
	free(cookie);
	free(tok);
	return status;
}

/* Whether the account with this email has the role. */
static int
role_is(const char *email, const char *role)
{
	char *v = node_sql(node, "SELECT role FROM accounts WHERE email = $1",
	    email);
	int yes;

	ck_assert_ptr_nonnull(v);
	yes = strcmp(v, role) == 0;
	free(v);
	return yes;
}

/*
 * An admin demoted while the body of their form was on its way no
 * longer has the page: 403, and the role they were giving is not given.
 */
START_TEST(test_post_after_demotion_is_refused)
{
	struct client *a = client_as(node, ADMIN, admin_pw);

	/* Slowly, as an admin: done. */
	ck_assert_int_eq(roles_slowly(a, OTHER, NULL), 200);
	ck_assert(role_is(OTHER, "coordinator"));
	/* Demoted between the head and the body: refused, nothing given. */
	ck_assert_int_eq(roles_slowly(a, TARGET, demote_admin), 403);
	ck_assert(role_is(TARGET, "member"));
	client_free(a);
}
END_TEST

/*
 * A chunked body says no length, so it cannot be refused at its headers:
 * once past the limit the node stops reading and closes the connection,
 * long before the sender is done, and goes on serving.
 */
START_TEST(test_chunked_body_past_the_limit_is_cut_off)
{
	static const char head[] = "POST /signin HTTP/1.1\r\n"
	    "Host: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded"
	    "\r\nTransfer-Encoding: chunked\r\n\r\n";
	struct client *c = client_new(node);
	struct pollfd p;
	struct resp *r;
	char chunk[16 * 1024 + 16], *at;
	long sent = 0, limit = 64L * 1024 * 1024;
	ssize_t n;
	int fd, closed = 0;

	fd = connect_to(node, 0);
	send_all(fd, head, sizeof(head) - 1);
	memcpy(chunk, "4000\r\n", 6);
	at = chunk + 6;
	memset(at, 'a', 16 * 1024);
	memcpy(at + 16 * 1024, "\r\n", 2);
	p.fd = fd;
	p.events = POLLOUT;
	while (sent < limit && !closed) {
		if (poll(&p, 1, 10000) != 1)
			break;
		n = send(fd, chunk, (size_t)(at - chunk) + 16 * 1024 + 2,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			closed = 1;
		else
			sent += n;
	}
	close(fd);
	ck_assert_msg(closed && sent < limit / 4, "sent %ld bytes", sent);

	r = http_get(c, "/healthz");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	client_free(c);
}
END_TEST

/*
 * Opens SLOTS large bodies on path (each admitted: told to go on), then
 * one more: refused with 503 and Retry-After, while a small body is
 * still taken.  Once the large ones end, a large one is taken again.
 */
static void
large_bodies_capped(const char *path, const char *cookie, const char *type,
    const char *small, int small_status)
{
	char head[4096];
	int fd[SLOTS], extra, i, tries, status = 0;

	for (i = 0; i < SLOTS; i++) {
		fd[i] = connect_to(node, 0);
		ck_assert_int_eq(post_begin(fd[i], path, cookie, type,
		    1024 * 1024, NULL, head, sizeof(head)), 100);
	}
	extra = connect_to(node, 0);
	ck_assert_int_eq(post_begin(extra, path, cookie, type, 1024 * 1024,
	    NULL, head, sizeof(head)), 503);
	ck_assert_msg(strstr(head, "\r\nRetry-After: ") != NULL, "%s", head);
	close(extra);

	/* A body no larger than max_body needs no turn. */
	extra = connect_to(node, 0);
	ck_assert_int_eq(post_begin(extra, path, cookie, type,
	    (long)strlen(small), NULL, head, sizeof(head)), 100);
	send_all(extra, small, strlen(small));
	ck_assert_int_eq(read_head(extra, head, sizeof(head)), small_status);
	close(extra);

	for (i = 0; i < SLOTS; i++)
		close(fd[i]);
	/* The node notices the closes in its own time: a bounded wait. */
	for (tries = 0; tries < 100 && status != 100; tries++) {
		extra = connect_to(node, 0);
		status = post_begin(extra, path, cookie, type, 1024 * 1024,
		    NULL, head, sizeof(head));
		close(extra);
		if (status != 100)
			poll(NULL, 0, 100);
	}
	ck_assert_int_eq(status, 100);
}

/*
 * Anonymous entries sent to the inbox are held in memory before any
 * signature is checked: only so many large ones at a time.
 */
START_TEST(test_inbox_takes_few_large_entries_at_once)
{
	long before = node_num(node, "SELECT count(*) FROM registrations",
	    NULL);

	large_bodies_capped("/federation/inbox", NULL,
	    "application/atom+xml;type=entry", "<entry/>", 400);
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM registrations",
	    NULL), before);
}
END_TEST

/* Files being uploaded wait on disk (or in RAM): so many at a time. */
START_TEST(test_uploads_in_progress_are_capped)
{
	struct client *c = client_as(node, CONTRIB, contrib_pw);
	char *cookie = session_cookie(c), path[160];
	long before = node_num(node, "SELECT count(*) FROM evaluation_files",
	    NULL);

	snprintf(path, sizeof(path), "/evidence/%s/files", evaluation);
	/* The small form: no file, no token: refused as any such form is. */
	large_bodies_capped(path, cookie,
	    "multipart/form-data; boundary=xyz", "--xyz--\r\n", 403);
	ck_assert_int_eq(node_num(node, "SELECT count(*) FROM evaluation_files",
	    NULL), before);
	free(cookie);
	client_free(c);
}
END_TEST

static void
sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	int i;

	ck_assert_int_eq(EVP_Digest(data, len, md, &n, EVP_sha256(), NULL), 1);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/*
 * A stored file of 8 MiB downloads intact, under its name (as ASCII and
 * as UTF-8), and a reader who holds it is told so; many slow readers at
 * once do not each hold a copy in the node's memory.
 */
START_TEST(test_download_streams_and_slow_readers_take_no_memory)
{
	struct client *c = client_new(node);
	struct resp *r;
	char *id, *sha, hex[65], path[128], req[256], head[4096], etag[128];
	long rest, hwm, rss, peak = 0;
	int fd[READERS], i;

	id = node_sql(node, "INSERT INTO evaluation_files (id, evaluation,"
	    " filename, media_type, size, sha256, content)"
	    " SELECT gen_random_uuid(), $1, 'Relat\xc3\xb3rio \"final\".pdf',"
	    " 'application/pdf', length(b), encode(sha256(b), 'hex'), b"
	    " FROM (SELECT convert_to(string_agg(md5(i::text), '' ORDER BY i),"
	    " 'UTF8') AS b FROM generate_series(1, 262144) i) s"
	    " RETURNING id", evaluation);
	ck_assert_ptr_nonnull(id);
	sha = node_sql(node, "SELECT sha256 FROM evaluation_files WHERE id ="
	    " $1", id);
	ck_assert_ptr_nonnull(sha);
	snprintf(path, sizeof(path), "/evidence/files/%s", id);

	r = http_get(c, path);
	ck_assert_int_eq(r->status, 200);
	ck_assert_uint_eq(r->len, (size_t)DL_BYTES);
	sha256_hex(r->body, r->len, hex);
	ck_assert_str_eq(hex, sha);
	ck_assert(header_has(r, "Content-Disposition: attachment; "
	    "filename=\"Relatrio final.pdf\"; filename*=UTF-8''Relat%C3%B3rio"
	    "%20%22final%22.pdf\r\n"));
	ck_assert(header_has(r, "Content-Security-Policy: sandbox\r\n"));
	snprintf(etag, sizeof(etag), "ETag: \"%s\"", sha);
	ck_assert(header_has(r, etag));
	resp_free(r);
	snprintf(etag, sizeof(etag), "If-None-Match: \"%s\"", sha);
	client_header(c, etag);
	r = http_get(c, path);
	ck_assert_int_eq(r->status, 304);
	ck_assert_uint_eq(r->len, 0);
	resp_free(r);
	client_header(c, "X-Nothing: 1");

	rest = node_kib(node, "VmRSS:");
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
	    path);
	/* Each reads the head of its answer, then nothing more. */
	for (i = 0; i < READERS; i++) {
		fd[i] = connect_to(node, 4096);
		send_all(fd[i], req, strlen(req));
	}
	for (i = 0; i < READERS; i++) {
		ck_assert_int_eq(read_head(fd[i], head, sizeof(head)), 200);
		if ((rss = node_kib(node, "VmRSS:")) > peak)
			peak = rss;
	}
	hwm = node_kib(node, "VmHWM:");
	/* A copy each would be 256 MiB. */
	ck_assert_msg(peak - rest < 64 * 1024 && hwm - rest < 64 * 1024,
	    "resident %ld KiB at rest, %ld KiB at the peak (%ld seen)", rest,
	    hwm, peak);
	for (i = 0; i < READERS; i++)
		close(fd[i]);
	r = http_get(c, "/healthz");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	free(id);
	free(sha);
	client_free(c);
}
END_TEST

/*
 * Behind a trusted proxy the client is the last entry of the last
 * X-Forwarded-For header, which the proxy added: whatever a client put
 * in front of it is not believed.
 */
START_TEST(test_forwarded_for_takes_the_proxys_entry)
{
	static const struct {
		const char	*headers;
		const char	*addr;
	} cases[] = {
		{ "X-Forwarded-For: 198.51.100.1\r\n"
		  "X-Forwarded-For: 203.0.113.9\r\n", "203.0.113.9" },
		{ "X-Forwarded-For: 198.51.100.1, 203.0.113.10 \r\n",
		  "203.0.113.10" },
		{ "X-Forwarded-For: 203.0.113.11\r\n"
		  "X-Forwarded-For: not-an-address\r\n", "127.0.0.1" },
		{ "", "127.0.0.1" },
	};
	char *pw = node_user_add(proxied, "proxied@example.org", "member");
	char *tok, *pre, *body, cookie[256], head[4096], *addr;
	struct client *c;
	size_t i;
	int fd;

	ck_assert_ptr_nonnull(pw);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = client_new(proxied);
		tok = page_csrf(c, "/signin");
		pre = client_cookie(c, "acorn_pre");
		ck_assert_ptr_nonnull(tok);
		ck_assert_ptr_nonnull(pre);
		snprintf(cookie, sizeof(cookie), "acorn_pre=%s", pre);
		ck_assert_int_ne(asprintf(&body, "csrf=%s&email=proxied%%40"
		    "example.org&password=%s", tok, pw), -1);
		addr = node_sql(proxied, "WITH d AS (DELETE FROM sessions"
		    " RETURNING 1) SELECT count(*) FROM d", NULL);
		ck_assert_ptr_nonnull(addr);
		free(addr);
		fd = connect_to(proxied, 0);
		ck_assert_int_eq(post_begin(fd, "/signin", cookie, form_type,
		    (long)strlen(body), cases[i].headers, head, sizeof(head)),
		    100);
		send_all(fd, body, strlen(body));
		ck_assert_int_eq(read_head(fd, head, sizeof(head)), 303);
		close(fd);
		addr = node_sql(proxied, "SELECT address FROM sessions", NULL);
		ck_assert_ptr_nonnull(addr);
		ck_assert_str_eq(addr, cases[i].addr);
		free(addr);
		free(body);
		free(tok);
		free(pre);
		client_free(c);
	}
	free(pw);
}
END_TEST

/*
 * Behind a proxy on the same machine every request comes from loopback,
 * and a proxy need not say it forwarded one: /metrics without a token
 * is then for nobody.
 */
START_TEST(test_metrics_behind_a_proxy_need_the_token)
{
	struct client *c = client_new(proxied);
	struct resp *r;

	r = http_get(c, "/metrics");
	ck_assert_int_eq(r->status, 403);
	ck_assert(!resp_has(r, "acorn_"));
	resp_free(r);
	/* The same request to a node not behind a proxy is answered. */
	client_free(c);
	c = client_new(node);
	r = http_get(c, "/metrics");
	ck_assert_int_eq(r->status, 200);
	ck_assert(resp_has(r, "acorn_http_requests_total"));
	resp_free(r);
	client_free(c);
}
END_TEST

/*
 * With 1024 open files at most (a common default) the default 1000
 * connections could run out of them: the node says so and does not
 * start, rather than refusing people at random later.
 */
START_TEST(test_node_with_too_few_open_files_does_not_start)
{
	struct node *n = node_new("Few files node", NULL);
	char log[600], line[512];
	struct rlimit rl = { 1024, 1024 };
	int status = 0, found = 0, i, fd;
	pid_t pid;
	FILE *f;

	ck_assert_ptr_nonnull(n);
	snprintf(log, sizeof(log), "%s.few", n->log);
	if ((pid = fork()) == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd == -1 || dup2(fd, 2) == -1 ||
		    setrlimit(RLIMIT_NOFILE, &rl) == -1)
			_exit(126);
		execl(getenv("ACORN_BIN"), "acorn", "-c", n->conf, "serve",
		    (char *)NULL);
		_exit(127);
	}
	ck_assert_int_ne(pid, -1);
	/* A bounded wait for it to give up; it must not be listening. */
	for (i = 0; i < 200 && waitpid(pid, &status, WNOHANG) == 0; i++)
		poll(NULL, 0, 50);
	if (i == 200) {
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
		ck_abort_msg("the node started with 1024 open files");
	}
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0);
	f = fopen(log, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, "max_connections 1000 needs about") != NULL &&
		    strstr(line, "the limit is 1024") != NULL)
			found = 1;
	fclose(f);
	unlink(log);
	ck_assert_msg(found, "no word of the open files limit");
	node_free(n);
}
END_TEST

Suite *
http_limits_suite(void)
{
	Suite *s = suite_create("http_limits");
	TCase *tc;

	tc = tcase_create("http_limits");
	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc,
	    test_bodies_on_get_refused_and_slow_senders_hold_no_connection);
	tcase_add_test(tc, test_post_after_sign_out_everywhere_is_refused);
	tcase_add_test(tc, test_post_after_demotion_is_refused);
	tcase_add_test(tc, test_chunked_body_past_the_limit_is_cut_off);
	tcase_add_test(tc, test_inbox_takes_few_large_entries_at_once);
	tcase_add_test(tc, test_uploads_in_progress_are_capped);
	tcase_add_test(tc,
	    test_download_streams_and_slow_readers_take_no_memory);
	tcase_add_test(tc, test_forwarded_for_takes_the_proxys_entry);
	tcase_add_test(tc, test_metrics_behind_a_proxy_need_the_token);
	tcase_add_test(tc, test_node_with_too_few_open_files_does_not_start);
	suite_add_tcase(s, tc);
	return s;
}
