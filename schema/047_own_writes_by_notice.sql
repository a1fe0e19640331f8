-- Acorn schema, version 47: a connection learns what its own
-- transaction wrote from a notice, not by listening.
--
-- Every connection of a node's request pool used to LISTEN on
-- acorn_data and acorn_sessions, only to hear of its own writes before
-- its statement returned (PostgreSQL hands a session its own
-- notifications before it reports the commit), so that a page written
-- through a process is never served from before the write.  But
-- PostgreSQL signals every backend listening in a database at every
-- commit that notifies, on whatever channel: each of those connections
-- was woken at every write of every process, several times for every
-- registration in a storm.  Now the triggers also raise a message, which
-- goes to the writing connection alone; the connection moves the
-- versions when its transaction commits (server/core/db.c), and one
-- thread a process still LISTENs for everyone else's writes
-- (server/core/notify.c).  The message is a DEBUG one: only connections
-- that ask for those (Acorn's pools do) receive it, and the server's log
-- and anyone's psql never see it.
CREATE OR REPLACE FUNCTION acorn_data_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('acorn_data', '');
	RAISE DEBUG 'acorn_data';
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION acorn_sessions_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('acorn_sessions', '');
	RAISE DEBUG 'acorn_sessions';
	RETURN NULL;
END
$$;
