/* Placeholder while the summary is written. */
#include "acorn.h"
int evidence_summary(struct request *r) { return http_error(r, 404); }
