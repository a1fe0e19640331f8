/*
 * The tree-walking template engine that template.c replaced, kept for
 * the byte-for-byte comparison and the render benchmark (old_template.c).
 */
#ifndef ACORN_OLD_TEMPLATE_H
#define ACORN_OLD_TEMPLATE_H

#include <stddef.h>

struct old_view;
struct old_view	*old_view_new(void);
void		 old_view_free(struct old_view *);
void		 old_view_set(struct old_view *, const char *, const char *);
void		 old_view_setf(struct old_view *, const char *, const char *,
		    ...) __attribute__((format(printf, 3, 4)));
void		 old_view_flag(struct old_view *, const char *, int);
struct old_view	*old_view_add(struct old_view *, const char *);
const char	*old_view_get(const struct old_view *, const char *);
int		 old_view_has(const struct old_view *, const char *);
void		 old_view_markdown(struct old_view *, const char *,
		    const char *, int);
int		 old_templates_load(const char *);
void		 old_templates_free(void);
int		 old_template_render(const char *, const struct old_view *,
		    char **, size_t *);

#endif
