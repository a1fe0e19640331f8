/* Placeholder while the evidence library is written. */
#include <string.h>
#include "acorn.h"
const char *const outcome_codes[] = { NULL };
const char *const outcome_labels[] = { NULL };
const char *const design_codes[] = { NULL };
const char *const design_labels[] = { NULL };
const char *const direction_codes[] = { NULL };
const char *const direction_labels[] = { NULL };
const char *code_label(const char *const *c, const char *const *l, const char *s) { (void)c; (void)l; (void)s; return NULL; }
int evidence_list(struct request *r) { return http_error(r, 404); }
int evidence_csv(struct request *r) { return http_error(r, 404); }
int evidence_new(struct request *r) { return http_error(r, 404); }
int evidence_show(struct request *r) { return http_error(r, 404); }
int evidence_edit(struct request *r) { return http_error(r, 404); }
int evidence_history(struct request *r) { return http_error(r, 404); }
int evidence_compare(struct request *r) { return http_error(r, 404); }
int evidence_restore(struct request *r) { return http_error(r, 404); }
int evidence_delete(struct request *r) { return http_error(r, 404); }
int evidence_search(struct request *r, const char *q, struct view *v) { (void)r; (void)q; (void)v; return 0; }
int is_contributor(const struct request *r) { (void)r; return 0; }
