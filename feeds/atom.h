/*
 * Writing Atom (atom.c), and the entries of every shared kind
 * (publish.c).
 */
#ifndef ATOM_H
#define ATOM_H

#include <libxml/xmlwriter.h>

struct atom {
	xmlBufferPtr	 buf;
	xmlTextWriterPtr w;
	int		 failed;
};

int	 atom_open(struct atom *);
char	*atom_close(struct atom *);
void	 atom_check(struct atom *, int);
void	 atom_start(struct atom *, const char *);
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
void	 atom_markdown(struct atom *, const char *);
void	 atom_raw(struct atom *, const char *);
void	 atom_field(struct atom *, const char *, const char *);
void	 atom_field_start(struct atom *, const char *);
void	 atom_field_lines(struct atom *, const char *, const char *);
void	 atom_categories(struct atom *, const char *, const char *);

/* publish.c: the parts every signed entry of this node has. */
void	 atom_entry_start(struct atom *);
void	 atom_source(struct atom *, const char *, const char *);
void	 atom_record_start(struct atom *, const char *, const char *);

#endif
