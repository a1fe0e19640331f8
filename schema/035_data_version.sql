-- Acorn schema, version 35: the data version.  Every table whose rows a
-- page or a feed may show notifies acorn_data once per statement that
-- changes it; the node's processes count those notifications and serve a
-- page from memory only while the count has not moved (server/core/
-- notify.c).  NOTIFY is transactional: it is delivered after the commit,
-- never for a rollback, and one transaction's identical notifications
-- arrive as one.
--
-- Tables that requests write as they go (sessions, throttling, sign-in
-- attempts, the mail queue, a peer's poll state) would empty the cache
-- on every request; they are listed in unwatched_tables with the reason
-- none of what they hold is on a page kept in memory.  Every other table
-- carries the trigger, and a test fails when a table is in neither set,
-- so a later migration adding a table must say which it is: call
-- acorn_data_watch('its_name') or add it to unwatched_tables.

CREATE TABLE unwatched_tables (
	name	text PRIMARY KEY,
	why	text NOT NULL CHECK (why <> '')
);

INSERT INTO unwatched_tables (name, why) VALUES
	('sessions', 'read on every request and touched once a minute'),
	('throttle', 'counted on sign-ins, joins and mailed links'),
	('signin_failures', 'written by every failed sign-in'),
	('outbox', 'the mail queue; shown on the mail page alone, never kept'),
	('account_tokens', 'mailed links; never shown'),
	('audit_log', 'written in the transaction of the change it records'),
	('peer_cursors', 'moved by every pull; shown on admin pages, never kept'),
	('peers', 'each poll''s time and outcome; shown on admin pages, never kept'),
	('courier_peers', 'delivery back-off; never shown'),
	('inbox_arrivals', 'counts inbox requests for the rate limit; never shown'),
	('rejections', 'refused federation entries; shown on admin pages, never kept'),
	('schema_version', 'migrations only');

CREATE FUNCTION acorn_data_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('acorn_data', '');
	RETURN NULL;
END
$$;

-- Makes a table's every change move the data version.
CREATE FUNCTION acorn_data_watch(t regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('CREATE TRIGGER acorn_data AFTER INSERT OR UPDATE OR'
	    ' DELETE OR TRUNCATE ON %s FOR EACH STATEMENT'
	    ' EXECUTE FUNCTION acorn_data_changed()', t);
END
$$;

SELECT acorn_data_watch(c.oid)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
AND c.relname NOT IN (SELECT name FROM unwatched_tables)
ORDER BY c.relname;
