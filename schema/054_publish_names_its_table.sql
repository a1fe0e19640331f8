-- Acorn schema, version 54: the notification that a local change waits
-- to be signed names its table.
--
-- acorn_take_seq told the sync worker only that something waited
-- (acorn_publish, with no payload), so the worker asked every shared
-- table whether it held pending rows before it signed anything: a
-- round trip on the way of every change, and another after every
-- entry merged from a peer, which woke the worker to announce it.  The
-- notification now carries the table's name (PostgreSQL sends it once
-- per transaction and table), so the worker signs the tables named at
-- once and asks the question only now and then, for whatever a
-- notification missed (a worker reconnecting, say).  A worker that
-- predates this version takes any payload as "something waits", as
-- before.
CREATE OR REPLACE FUNCTION acorn_take_seq() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	quiet CONSTANT text[] := ARRAY['seq', 'entry', 'pending', 'shared',
	    'version', 'search', 'home', 'changed_in'];
BEGIN
	NEW.seq := nextval('change_seq');
	-- Only the publisher clears pending, and it writes nothing else
	-- but the entry and whether one went out.
	IF TG_OP = 'UPDATE' AND OLD.pending AND NOT NEW.pending THEN
		RETURN NEW;
	END IF;
	IF NEW.origin IS DISTINCT FROM (SELECT id FROM node) THEN
		RETURN NEW;
	END IF;
	IF TG_OP = 'INSERT' THEN
		NEW.pending := true;
		NEW.changed_in := txid_current();
	ELSIF (to_jsonb(NEW) - quiet) IS DISTINCT FROM
	    (to_jsonb(OLD) - quiet) THEN
		NEW.pending := true;
		IF NEW.version = OLD.version AND
		    OLD.changed_in IS DISTINCT FROM txid_current() THEN
			NEW.version := OLD.version + 1;
		END IF;
		NEW.changed_in := txid_current();
	END IF;
	IF NEW.pending THEN
		PERFORM pg_notify('acorn_publish', TG_TABLE_NAME);
	END IF;
	RETURN NEW;
END
$$;
