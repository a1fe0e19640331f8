/*
 * A small SMTP receiver on 127.0.0.1 for the integration tests: it keeps
 * every message a node delivers, and can refuse on demand.
 */
#ifndef SMTP_H
#define SMTP_H

struct smtp_msg {
	char	*from;	/* envelope sender, without <> */
	char	*rcpt;	/* envelope recipient, without <> */
	char	*data;	/* the message, dots unstuffed, CRLF line ends */
};

struct smtp;

/* Bound to a kernel-chosen port but refusing connections until listen. */
struct smtp	*smtp_new(void);
int		 smtp_port(const struct smtp *);
int		 smtp_listen(struct smtp *);
void		 smtp_free(struct smtp *);
/* Answer the next times "RCPT" or "DATA" (end of data) with code. */
void		 smtp_refuse(struct smtp *, const char *, int, int);
int		 smtp_refused(struct smtp *);
int		 smtp_count(struct smtp *);
/* Message n (from 1), waiting up to ms for it; NULL if it never came. */
const struct smtp_msg *smtp_wait(struct smtp *, int, int);

/* Reading a message: values are malloc'd, NULL when absent. */
char		*mail_header(const char *, const char *);
char		*mail_decode_words(const char *);
char		*mail_body_text(const char *);

#endif
