-- Acorn schema, version 3: sending the outbox.
--
-- A message is claimed by a sender with SELECT ... FOR UPDATE SKIP LOCKED
-- and stays locked while the mail server is spoken to, so two processes
-- sharing this database never send one message twice.  It is marked sent
-- only after the mail server accepted it.

-- Set when the sender gave up: the mail server refused the message for
-- good (a 5xx reply), or it could not be delivered after the configured
-- number of attempts.  last_error says why.
ALTER TABLE outbox ADD COLUMN failed timestamptz;
ALTER TABLE outbox ADD CONSTRAINT outbox_sent_or_failed
	CHECK (sent IS NULL OR failed IS NULL);

DROP INDEX outbox_due_idx;
CREATE INDEX outbox_due_idx ON outbox (next_attempt)
	WHERE sent IS NULL AND failed IS NULL;
CREATE INDEX outbox_created_idx ON outbox (created DESC, id DESC);

-- Wakes the senders listening on acorn_outbox as soon as the transaction
-- that queued mail commits; their periodic poll is only the fallback.
CREATE FUNCTION acorn_outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('acorn_outbox', '');
	RETURN NULL;
END
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
	FOR EACH STATEMENT EXECUTE FUNCTION acorn_outbox_notify();
