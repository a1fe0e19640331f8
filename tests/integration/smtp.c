/*
 * The test mail server: one thread accepting on 127.0.0.1 and a thread
 * for each connection (up to SMTP_CONNS), speaking enough ESMTP (RFC 5321)
 * for a real client: EHLO, HELO, MAIL, RCPT, DATA with dot-unstuffing,
 * RSET, NOOP and QUIT.  Every read has a timeout and every loop a bound.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "smtp.h"

#define SMTP_LINE_MAX	2000
#define SMTP_DATA_MAX	(1024 * 1024)
#define SMTP_COMMANDS	1000
#define SMTP_READ_MS	10000
#define SMTP_MESSAGES	256
#define SMTP_CONNS	64

struct smtp {
	int		 fd;
	int		 port;
	int		 stop[2];
	int		 running;
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 arrived;
	struct smtp_msg	*msgs[SMTP_MESSAGES];
	int		 n;
	char		 refuse_verb[8];
	int		 refuse_code;
	int		 refuse_times;
	int		 refused;
	pthread_t	 conns[SMTP_CONNS];
	int		 nconns;
};

struct conn {
	struct smtp	*s;
	int		 fd;
	int		 stop;
	char		 buf[4096];
	size_t		 len;
	size_t		 off;
};

struct smtp *
smtp_new(void)
{
	struct smtp *s;
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->stop[0] = s->stop[1] = -1;
	if ((s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Bound but not listening: connections are refused until then. */
	if (bind(s->fd, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    getsockname(s->fd, (struct sockaddr *)&a, &len) == -1 ||
	    pipe2(s->stop, O_CLOEXEC) == -1)
		goto fail;
	s->port = ntohs(a.sin_port);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->arrived, NULL);
	return s;
fail:
	if (s->fd != -1)
		close(s->fd);
	free(s);
	return NULL;
}

int
smtp_port(const struct smtp *s)
{
	return s->port;
}

void
smtp_refuse(struct smtp *s, const char *verb, int code, int times)
{
	pthread_mutex_lock(&s->lock);
	snprintf(s->refuse_verb, sizeof(s->refuse_verb), "%s", verb);
	s->refuse_code = code;
	s->refuse_times = times;
	pthread_mutex_unlock(&s->lock);
}

int
smtp_refused(struct smtp *s)
{
	int n;

	pthread_mutex_lock(&s->lock);
	n = s->refused;
	pthread_mutex_unlock(&s->lock);
	return n;
}

int
smtp_count(struct smtp *s)
{
	int n;

	pthread_mutex_lock(&s->lock);
	n = s->n;
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* The code to refuse verb with, or 0 to accept. */
static int
refusal(struct smtp *s, const char *verb)
{
	int code = 0;

	pthread_mutex_lock(&s->lock);
	if (s->refuse_times > 0 && strcmp(s->refuse_verb, verb) == 0) {
		s->refuse_times--;
		s->refused++;
		code = s->refuse_code;
	}
	pthread_mutex_unlock(&s->lock);
	return code;
}

static int
say(struct conn *c, const char *text)
{
	size_t len = strlen(text), off = 0;
	ssize_t n;

	while (off < len) {
		n = send(c->fd, text + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

static int
say_code(struct conn *c, int code)
{
	char line[96];

	snprintf(line, sizeof(line), "%d %d.0.0 Refused by the test server"
	    "\r\n", code, code / 100);
	return say(c, line);
}

/* One line without its CRLF; -1 on timeout, close or a line too long. */
static int
read_line(struct conn *c, char *line, size_t max)
{
	struct pollfd p[2];
	size_t n = 0;
	ssize_t got;

	for (;;) {
		while (c->off < c->len) {
			char ch = c->buf[c->off++];

			if (ch == '\n') {
				if (n > 0 && line[n - 1] == '\r')
					n--;
				line[n] = '\0';
				return (int)n;
			}
			if (n + 1 >= max)
				return -1;
			line[n++] = ch;
		}
		p[0].fd = c->fd;
		p[0].events = POLLIN;
		p[1].fd = c->stop;
		p[1].events = POLLIN;
		if (poll(p, 2, SMTP_READ_MS) <= 0 || (p[1].revents & POLLIN))
			return -1;
		if ((got = recv(c->fd, c->buf, sizeof(c->buf), 0)) <= 0)
			return -1;
		c->len = (size_t)got;
		c->off = 0;
	}
}

/* The address between < and > after a command's colon. */
static char *
address(const char *line)
{
	const char *lt = strchr(line, '<'), *gt;

	if (lt == NULL || (gt = strchr(lt, '>')) == NULL)
		return NULL;
	return strndup(lt + 1, (size_t)(gt - lt - 1));
}

/* Reads the message after DATA up to the lone dot; NULL past the cap. */
static char *
read_data(struct conn *c, int *ok)
{
	char line[SMTP_LINE_MAX], *data = NULL, *g;
	size_t len = 0, add;
	int n, big = 0;
	const char *text;

	*ok = 0;
	for (;;) {
		if ((n = read_line(c, line, sizeof(line))) == -1) {
			free(data);
			return NULL;
		}
		if (strcmp(line, ".") == 0)
			break;
		/* RFC 5321 4.5.2: a leading dot was doubled by the client. */
		text = line[0] == '.' ? line + 1 : line;
		add = strlen(text) + 2;
		if (len + add > SMTP_DATA_MAX) {
			big = 1;
			continue;
		}
		if ((g = realloc(data, len + add + 1)) == NULL) {
			free(data);
			return NULL;
		}
		data = g;
		memcpy(data + len, text, add - 2);
		memcpy(data + len + add - 2, "\r\n", 3);
		len += add;
	}
	*ok = !big;
	return data != NULL ? data : strdup("");
}

static void
keep(struct smtp *s, char *from, char *rcpt, char *data)
{
	struct smtp_msg *m = calloc(1, sizeof(*m));

	pthread_mutex_lock(&s->lock);
	if (m != NULL && s->n < SMTP_MESSAGES) {
		m->from = from;
		m->rcpt = rcpt;
		m->data = data;
		s->msgs[s->n++] = m;
		pthread_cond_broadcast(&s->arrived);
		m = NULL;
		from = rcpt = data = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	free(m);
	free(from);
	free(rcpt);
	free(data);
}

static void
serve(struct smtp *s, struct conn *c)
{
	char line[SMTP_LINE_MAX], *from = NULL, *rcpt = NULL, *data;
	int i, code, ok;

	if (say(c, "220 127.0.0.1 test ESMTP\r\n") == -1)
		return;
	for (i = 0; i < SMTP_COMMANDS; i++) {
		if (read_line(c, line, sizeof(line)) == -1)
			break;
		if (strncasecmp(line, "EHLO", 4) == 0) {
			if (say(c, "250-127.0.0.1\r\n250 HELP\r\n") == -1)
				break;
		} else if (strncasecmp(line, "HELO", 4) == 0) {
			if (say(c, "250 127.0.0.1\r\n") == -1)
				break;
		} else if (strncasecmp(line, "MAIL FROM:", 10) == 0) {
			free(from);
			free(rcpt);
			rcpt = NULL;
			if ((from = address(line)) == NULL) {
				if (say(c, "501 5.5.4 Syntax\r\n") == -1)
					break;
			} else if (say(c, "250 2.1.0 OK\r\n") == -1)
				break;
		} else if (strncasecmp(line, "RCPT TO:", 8) == 0) {
			if (from == NULL) {
				if (say(c, "503 5.5.1 MAIL first\r\n") == -1)
					break;
			} else if ((code = refusal(s, "RCPT")) != 0) {
				if (say_code(c, code) == -1)
					break;
			} else {
				free(rcpt);
				if ((rcpt = address(line)) == NULL ||
				    say(c, "250 2.1.5 OK\r\n") == -1)
					break;
			}
		} else if (strcasecmp(line, "DATA") == 0) {
			if (rcpt == NULL) {
				if (say(c, "503 5.5.1 RCPT first\r\n") == -1)
					break;
				continue;
			}
			if (say(c, "354 End with <CRLF>.<CRLF>\r\n") == -1 ||
			    (data = read_data(c, &ok)) == NULL)
				break;
			if (!ok) {
				free(data);
				if (say(c, "552 5.3.4 Too big\r\n") == -1)
					break;
			} else if ((code = refusal(s, "DATA")) != 0) {
				free(data);
				if (say_code(c, code) == -1)
					break;
			} else {
				keep(s, from, rcpt, data);
				from = rcpt = NULL;
				if (say(c, "250 2.0.0 Queued\r\n") == -1)
					break;
			}
			free(from);
			free(rcpt);
			from = rcpt = NULL;
		} else if (strcasecmp(line, "RSET") == 0) {
			free(from);
			free(rcpt);
			from = rcpt = NULL;
			if (say(c, "250 2.0.0 OK\r\n") == -1)
				break;
		} else if (strcasecmp(line, "NOOP") == 0) {
			if (say(c, "250 2.0.0 OK\r\n") == -1)
				break;
		} else if (strcasecmp(line, "QUIT") == 0) {
			say(c, "221 2.0.0 Bye\r\n");
			break;
		} else if (say(c, "500 5.5.2 Unknown command\r\n") == -1)
			break;
	}
	free(from);
	free(rcpt);
}

static void *
smtp_conn(void *arg)
{
	struct conn *c = arg;

	serve(c->s, c);
	close(c->fd);
	free(c);
	return NULL;
}

static void *
smtp_run(void *arg)
{
	struct smtp *s = arg;
	struct pollfd p[2];
	struct conn *c;
	int fd;

	for (;;) {
		p[0].fd = s->fd;
		p[0].events = POLLIN;
		p[1].fd = s->stop[0];
		p[1].events = POLLIN;
		if (poll(p, 2, -1) == -1 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		if ((fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC)) == -1)
			continue;
		if (s->nconns == SMTP_CONNS ||
		    (c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);	/* the client sees a failure and retries */
			continue;
		}
		c->s = s;
		c->fd = fd;
		c->stop = s->stop[0];
		if (pthread_create(&s->conns[s->nconns], NULL, smtp_conn, c) !=
		    0) {
			close(fd);
			free(c);
			continue;
		}
		s->nconns++;
	}
	/* The stop pipe ends every connection's wait for a line. */
	while (s->nconns > 0)
		pthread_join(s->conns[--s->nconns], NULL);
	return NULL;
}

int
smtp_listen(struct smtp *s)
{
	if (listen(s->fd, 16) == -1)
		return -1;
	if (pthread_create(&s->thread, NULL, smtp_run, s) != 0)
		return -1;
	s->running = 1;
	return 0;
}

const struct smtp_msg *
smtp_wait(struct smtp *s, int n, int ms)
{
	struct timespec until;
	const struct smtp_msg *m = NULL;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->lock);
	while (s->n < n)
		if (pthread_cond_timedwait(&s->arrived, &s->lock, &until) ==
		    ETIMEDOUT)
			break;
	if (n >= 1 && s->n >= n)
		m = s->msgs[n - 1];
	pthread_mutex_unlock(&s->lock);
	return m;
}

void
smtp_free(struct smtp *s)
{
	int i;

	if (s == NULL)
		return;
	if (s->running) {
		if (write(s->stop[1], "x", 1) != 1)
			perror("smtp: stop");
		pthread_join(s->thread, NULL);
	}
	close(s->fd);
	close(s->stop[0]);
	close(s->stop[1]);
	for (i = 0; i < s->n; i++) {
		free(s->msgs[i]->from);
		free(s->msgs[i]->rcpt);
		free(s->msgs[i]->data);
		free(s->msgs[i]);
	}
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->arrived);
	free(s);
}

/* A header's value with folding undone (RFC 5322 2.2.3). */
char *
mail_header(const char *msg, const char *name)
{
	size_t nlen = strlen(name), len = 0;
	const char *p = msg, *eol;
	char *out = NULL, *g;
	int found = 0;

	while (*p != '\0' && strncmp(p, "\r\n", 2) != 0) {
		eol = strstr(p, "\r\n");
		if (eol == NULL)
			eol = p + strlen(p);
		if (!found && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
			found = 1;
			p += nlen + 1;
			while (*p == ' ')
				p++;
		} else if (found && (*p == ' ' || *p == '\t')) {
			/* A continuation line: its whitespace stays. */
		} else if (found)
			break;
		else {
			p = *eol ? eol + 2 : eol;
			continue;
		}
		if ((g = realloc(out, len + (size_t)(eol - p) + 1)) == NULL) {
			free(out);
			return NULL;
		}
		out = g;
		memcpy(out + len, p, (size_t)(eol - p));
		len += (size_t)(eol - p);
		out[len] = '\0';
		p = *eol ? eol + 2 : eol;
	}
	return out;
}

static int
b64(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/*
 * Decodes RFC 2047 B-encoded UTF-8 words; whitespace between two encoded
 * words is dropped, as 6.2 says.  Only what the node writes is handled.
 */
char *
mail_decode_words(const char *v)
{
	char *out = calloc(1, strlen(v) + 1), *o = out;
	const char *p = v, *end, *q;
	unsigned long acc;
	int bits, d, prev_word = 0;

	if (out == NULL)
		return NULL;
	while (*p != '\0') {
		if (strncasecmp(p, "=?UTF-8?B?", 10) == 0 &&
		    (end = strstr(p + 10, "?=")) != NULL) {
			acc = 0;
			bits = 0;
			for (q = p + 10; q < end; q++) {
				if ((d = b64((unsigned char)*q)) == -1)
					continue;
				acc = acc << 6 | (unsigned long)d;
				bits += 6;
				if (bits >= 8) {
					bits -= 8;
					*o++ = (char)(acc >> bits & 0xff);
				}
			}
			p = end + 2;
			prev_word = 1;
			continue;
		}
		if (prev_word && (*p == ' ' || *p == '\t')) {
			q = p;
			while (*q == ' ' || *q == '\t')
				q++;
			if (strncasecmp(q, "=?", 2) == 0) {
				p = q;
				continue;
			}
		}
		prev_word = 0;
		*o++ = *p++;
	}
	*o = '\0';
	return out;
}

/* The body after the blank line, quoted-printable decoded, LF line ends. */
char *
mail_body_text(const char *msg)
{
	const char *p = strstr(msg, "\r\n\r\n");
	char *out, *o;
	int hi, lo;

	if (p == NULL || (out = calloc(1, strlen(p) + 1)) == NULL)
		return NULL;
	o = out;
	for (p += 4; *p != '\0'; p++) {
		if (p[0] == '=' && p[1] == '\r' && p[2] == '\n') {
			p += 2;		/* a soft line break */
		} else if (p[0] == '=' && (hi = hexval(p[1])) != -1 &&
		    (lo = hexval(p[2])) != -1) {
			*o++ = (char)(hi << 4 | lo);
			p += 2;
		} else if (p[0] == '\r' && p[1] == '\n') {
			*o++ = '\n';
			p++;
		} else
			*o++ = *p;
	}
	*o = '\0';
	return out;
}
