/* Placeholder while the evidence library is written. */
#include <string.h>
#include "acorn.h"
const char *const outcome_codes[] = { "gp_consultations", "ae_attendance",
    "wellbeing", "loneliness", "anxiety_depression", "activation",
    "employment_volunteering", "cost_roi", NULL };
const char *const outcome_labels[] = { "GP consultations", "A&E attendance",
    "Wellbeing", "Loneliness", "Anxiety and depression", "Patient activation",
    "Employment or volunteering", "Cost or return on investment", NULL };
const char *const design_codes[] = { "rct", "quasi_experimental",
    "before_after", "qualitative", "mixed_methods", "economic", NULL };
const char *const design_labels[] = { "Randomised controlled trial",
    "Quasi-experimental", "Before and after", "Qualitative", "Mixed methods",
    "Economic or SROI", NULL };
const char *const direction_codes[] = { "improved", "no_change", "worse",
    "mixed", NULL };
const char *const direction_labels[] = { "Improved", "No change", "Worse",
    "Mixed", NULL };

/* The label that goes with code in a pair of parallel tables, or NULL. */
const char *
code_label(const char *const *codes, const char *const *labels,
    const char *code)
{
	size_t i;

	for (i = 0; code != NULL && codes[i] != NULL; i++)
		if (strcmp(codes[i], code) == 0)
			return labels[i];
	return NULL;
}
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
