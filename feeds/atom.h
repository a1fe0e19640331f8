/*
 * Writing Atom (atom.c), and the entries of every shared kind
 * (publish.c).
 */
#ifndef ATOM_H
#define ATOM_H

#include <openssl/evp.h>

#include "core.h"

#define ATOM_DEPTH	16	/* elements open at once */
#define ATOM_NAME	48	/* an element's name, prefix and all */
#define ATOM_NS		4	/* namespaces one element declares */
#define ATOM_ATTRS	16	/* attributes of one element */

/* A namespace: prefix "" is the default one.  Both are constants. */
struct atom_ns {
	const char	*prefix;
	const char	*uri;
};

struct atom_el {
	char		 name[ATOM_NAME];	/* as its end tag has it */
	struct atom_ns	 declared[ATOM_NS];	/* in scope from here down */
	int		 ndeclared;
	struct atom_ns	 written[ATOM_NS];	/* on its start tag */
	int		 nwritten;
};

/*
 * An attribute of the start tag not yet written, in no namespace:
 * offsets into tag.
 */
struct atom_attr {
	size_t		 name;
	size_t		 value;		/* escaped */
};

/*
 * A document being written, in exclusive canonical XML (see atom.c).
 * Whatever fails is remembered, so callers check once, at the end.
 */
struct atom {
	struct strbuf	 out;
	struct atom_el	 el[ATOM_DEPTH];
	int		 depth;
	int		 open;		/* el[depth - 1]'s start tag is */
	const char	*open_prefix;
	struct atom_attr attrs[ATOM_ATTRS];
	int		 nattrs;
	struct strbuf	 tag;		/* the open tag's attributes */
	int		 document;	/* began with an XML declaration */
	int		 canonical;	/* nothing but elements, attributes, text */
	int		 lossy;		/* left out what XML cannot hold */
	int		 failed;
};

int	 atom_open(struct atom *);
char	*atom_close(struct atom *);
char	*atom_sign(struct atom *, EVP_PKEY *, const char *);
void	 atom_declaration(struct atom *);
void	 atom_start(struct atom *, const char *);
void	 atom_start_ns(struct atom *, const char *, const char *,
	    const char *);
void	 atom_declare(struct atom *, const char *, const char *);
void	 atom_xmlns(struct atom *, const char *, const char *);
void	 atom_end(struct atom *);
void	 atom_attr(struct atom *, const char *, const char *);
void	 atom_string(struct atom *, const char *);
void	 atom_text(struct atom *, const char *, const char *);
void	 atom_link(struct atom *, const char *, const char *, const char *);
void	 atom_category(struct atom *, const char *, const char *,
	    const char *);
void	 atom_html(struct atom *, const char *);
void	 atom_content_text(struct atom *, const char *);
void	 atom_reader_content(struct atom *, const char *, const char *);
void	 atom_raw(struct atom *, const char *);
void	 atom_field(struct atom *, const char *, const char *);
void	 atom_field_start(struct atom *, const char *);
void	 atom_field_lines(struct atom *, const char *, const char *);
void	 atom_categories(struct atom *, const char *, const char *);
void	 atom_escape_attr(struct strbuf *, const char *);

/* publish.c: the parts every signed entry of this node has. */
void	 atom_markdown(struct atom *, const char *);
void	 atom_entry_start(struct atom *);
void	 atom_source(struct atom *, const char *, const char *);
void	 atom_record_start(struct atom *, const char *, const char *);

#endif
