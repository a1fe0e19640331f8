-- Acorn schema, version 39: the sessions' version.  Each process keeps
-- the sessions it has read in memory (server/web/session.c) and reads
-- one from the database again once acorn_sessions has been notified:
-- whenever a session ends (signed out, signed out everywhere, a
-- password reset, swept when expired), an account changes (its role,
-- status, email or password) or a member's name or region does, since
-- a session carries all of those.  Sessions touched once a minute, and
-- new ones, notify nothing: nothing kept in memory depends on them.

CREATE FUNCTION acorn_sessions_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('acorn_sessions', '');
	RETURN NULL;
END
$$;

CREATE TRIGGER acorn_sessions AFTER DELETE OR TRUNCATE ON sessions
FOR EACH STATEMENT EXECUTE FUNCTION acorn_sessions_changed();

CREATE TRIGGER acorn_sessions AFTER UPDATE OR DELETE OR TRUNCATE ON accounts
FOR EACH STATEMENT EXECUTE FUNCTION acorn_sessions_changed();

CREATE TRIGGER acorn_sessions AFTER UPDATE OF name, region OR DELETE OR
TRUNCATE ON members
FOR EACH STATEMENT EXECUTE FUNCTION acorn_sessions_changed();
