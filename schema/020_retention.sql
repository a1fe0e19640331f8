-- Retention and a member's own data: what the retention worker
-- (server/core/retention.c) sweeps by age, and what "Download my data"
-- (server/pages/mydata.c) finds by account, each read through an index
-- rather than the whole table.

-- Mail is removed a while after it was sent or given up on.  (The sweep
-- could not use this index: 024 replaces it.)
CREATE INDEX outbox_done_idx ON outbox ((coalesce(sent, failed)))
	WHERE sent IS NOT NULL OR failed IS NOT NULL;

-- Audit entries go by age; a member's download finds those they made
-- and those about them.
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor);
CREATE INDEX audit_log_subject_idx ON audit_log (subject);

-- Failed sign-ins go by age (the other indexes start with the email
-- or the address).
CREATE INDEX signin_failures_at_idx ON signin_failures (at);

-- The revisions a member wrote.
CREATE INDEX document_revisions_author_idx ON document_revisions (author);
CREATE INDEX evaluation_revisions_author_idx
	ON evaluation_revisions (author);
