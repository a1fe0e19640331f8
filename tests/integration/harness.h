/*
 * The integration harness: real acorn nodes on 127.0.0.1 against the
 * private PostgreSQL, and a small libcurl client that behaves like a
 * browser (cookies, forms with their CSRF token).
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdatomic.h>
#include <stddef.h>
#include <sys/types.h>

struct node {
	char	 name[64];
	char	 db[96];
	char	 conf[512];
	char	 log[512];
	char	 url[64];
	pid_t	 pid;
};

struct resp {
	long	 status;
	char	*body;		/* NUL-terminated, but may hold NULs */
	size_t	 len;		/* of body, in bytes */
	char	*headers;
	char	*location;
	int	 failure;	/* libcurl's CURLcode: 0 when an answer came */
};

struct client;
struct mpart;

/* An event's registration form, as a browser holds it. */
struct reg_form {
	char	 action[160];
	char	*csrf;
	char	*request;
	char	*place;
};

/* The boundary every multipart body the tests build uses. */
#define MULTIPART_BOUNDARY	"----acorn-test-boundary-7c41"
#define MULTIPART_TYPE		"multipart/form-data; boundary=" \
				MULTIPART_BOUNDARY

/* Nodes: settings are extra "key = value" lines for the config file. */
int		 harness_ready(void);
char		*harness_run(char *const []);
char		*harness_email(const char *);
long		 http_get_status(struct client *, const char *);
long		 node_kib(const struct node *, const char *);
long		 signin_status(struct client *, const char *, const char *);
int		 harness_rmtree(const char *);
struct node	*node_new(const char *, const char *);
int		 node_serve(struct node *);
int		 node_serve_port(struct node *, int);
int		 node_port(const struct node *);
int		 node_stop(struct node *);
void		 node_kill(struct node *);
void		 node_free(struct node *);
struct node	*node_twin(const struct node *, int);
int		 network_up(struct node **, int, int, const char *const *,
		    const char *const *, const char *);
void		 network_down(struct node **, int);
char		*node_term_add(struct node *, const char *, const char *);
long		 node_members_add(struct node *, const char *, int,
		    const char *, const char *);
void		 node_twin_free(struct node *);
char		*node_user_add(struct node *, const char *, const char *);
char		*node_sql(struct node *, const char *, const char *);
long		 node_num(struct node *, const char *, const char *);
char		*node_text(struct node *, const char *, const char *);
char		*node_sqlv(struct node *, const char *, int,
		    const char *const *);
long		 node_numv(struct node *, const char *, int,
		    const char *const *);
long		 node_exec(struct node *, const char *, int,
		    const char *const *);
long		 node_exec_repeat(struct node *, const char *, int,
		    const char *const *, const atomic_int *, long);
void		 node_assert_serving(struct node *, const char *);
int		 node_psql(struct node *, const char *, ...);
int		 admin_sql(const char *);
char		*node_fingerprint(struct node *);
int		 node_peer(struct node *, struct node *, int);
int		 node_wait(struct node *, const char *, const char *, int);
int		 node_waitv(struct node *, const char *, int, const char *const *,
		    int);
int		 node_run(struct node *, ...);
char		*node_schema_dir(struct node *);
int		 node_log_has(struct node *, const char *);
long		 node_metric(struct node *, const char *);
int		 node_heard(struct node *, const char *, long);
void		 node_barrier(struct node *, const char *);

/* A browser-like client with its own cookie jar. */
struct client	*client_new(struct node *);
void		 client_free(struct client *);
void		 client_header(struct client *, const char *);
char		*client_cookie(struct client *, const char *);
void		 client_agent(struct client *, const char *);
struct resp	*http_get(struct client *, const char *);
struct resp	*http_post(struct client *, const char *, ...);
struct resp	*http_post_raw(struct client *, const char *, const char *,
		    const char *);
struct resp	*http_post_bytes(struct client *, const char *, const void *,
		    size_t, const char *);
struct resp	*http_post_multipart(struct client *, const char *,
		    const char *, size_t);
struct mpart	*mpart_new(void);
void		 mpart_field(struct mpart *, const char *, const char *);
void		 mpart_file(struct mpart *, const char *, const char *,
		    const char *, const void *, size_t);
char		*mpart_end(struct mpart *, size_t *);
struct resp	*form_post(struct client *, const char *, const char *, ...);
char		*page_csrf(struct client *, const char *);
void		 resp_free(struct resp *);
int		 resp_has(const struct resp *, const char *);
int		 header_has(const struct resp *, const char *);
long		 retry_after(const struct resp *);
char		*form_field(const char *, const char *);
char		*event_new_published(struct client *, const char *,
		    const char *);
int		 cancel_form_action(const char *, char *, size_t);
int		 sign_in(struct client *, const char *, const char *);
struct client	*client_as(struct node *, const char *, const char *);
struct resp	*join_form(struct client *, const char *, const char *,
		    const char *, const char *);
int		 join(struct client *, const char *, const char *,
		    const char *);
int		 join_confirm(struct client *, const char *, const char *);
char		*mail_token(struct node *, const char *, const char *);
long		 reg_form_try(struct client *, const char *,
		    struct reg_form *);
void		 reg_form_open(struct client *, const char *,
		    struct reg_form *);
struct resp	*reg_form_send(struct client *, const struct reg_form *,
		    ...);
void		 reg_form_free(struct reg_form *);

#endif
