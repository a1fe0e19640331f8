-- Acorn schema, version 39: the sessions' version.  Each process keeps
-- the sessions it has read in memory (server/web/session.c) and reads
-- one from the database again once acorn_sessions has been notified:
-- whenever a session ends (signed out, signed out everywhere, a
-- password reset, swept when expired), an account changes (its role,
-- status, email or password) or a member's name or region does, since
-- a session carries all of those, or a session is aged by hand (its
-- last_seen moved back, as an operator or a test might).  Sessions
-- touched once a minute (last_seen moved on), and new ones, notify
-- nothing: nothing kept in memory depends on them.

CREATE FUNCTION acorn_sessions_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('acorn_sessions', '');
	RETURN NULL;
END
$$;

CREATE TRIGGER acorn_sessions AFTER DELETE OR TRUNCATE ON sessions
FOR EACH STATEMENT EXECUTE FUNCTION acorn_sessions_changed();

CREATE TRIGGER acorn_sessions_aged AFTER UPDATE ON sessions FOR EACH ROW
WHEN (NEW.last_seen < OLD.last_seen OR NEW.created <> OLD.created OR
    NEW.account <> OLD.account OR NEW.token_hash <> OLD.token_hash)
EXECUTE FUNCTION acorn_sessions_changed();

CREATE TRIGGER acorn_sessions AFTER UPDATE OR DELETE OR TRUNCATE ON accounts
FOR EACH STATEMENT EXECUTE FUNCTION acorn_sessions_changed();

CREATE TRIGGER acorn_sessions AFTER UPDATE OF name, region OR DELETE OR
TRUNCATE ON members
FOR EACH STATEMENT EXECUTE FUNCTION acorn_sessions_changed();
