-- Acorn schema, version 34: what the signed-in home page reads, each
-- through an index rather than a whole table: the documents and
-- evaluations changed most recently, the mail a node gave up on, and
-- the people waiting for approval.

CREATE INDEX documents_updated_idx ON documents (updated DESC, id)
	WHERE NOT deleted;
CREATE INDEX evaluations_updated_idx ON evaluations (updated DESC, id)
	WHERE NOT deleted;
-- Held mail (not sent, not failed) is outbox_due_idx's already.
CREATE INDEX outbox_failed_idx ON outbox (failed) WHERE failed IS NOT NULL;
CREATE INDEX accounts_pending_idx ON accounts (created)
	WHERE status = 'pending' AND confirmed IS NOT NULL;
