/*
 * What sign.c, verify.c and record.c share and nothing outside the
 * federation library needs.
 */
#ifndef FED_INTERNAL_H
#define FED_INTERNAL_H

#include <xmlsec/keys.h>

/* sign.c */
xmlSecKeyPtr	 fed_xmlsec_key(EVP_PKEY *);
char		*fed_c14n(xmlDocPtr);

/* verify.c */
int		 fed_is(xmlNodePtr, const char *, const char *);
xmlNodePtr	 fed_next(xmlNodePtr, xmlNodePtr);
int		 fed_is_fp(const char *);

/* record.c */
int		 fed_uuid_ok(const char *);
int		 fed_record_origin(xmlNodePtr, char [FED_UUID_LEN + 1]);

#endif
