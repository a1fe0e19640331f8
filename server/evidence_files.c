/* Placeholder while attachments are written. */
#include "acorn.h"
int evidence_files(struct request *r) { return http_error(r, 404); }
int evidence_file(struct request *r) { return http_error(r, 404); }
