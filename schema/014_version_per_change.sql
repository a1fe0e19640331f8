-- Acorn schema, version 14: the version of a shared row is the schema's
-- to give.  A local change to a row's content takes the next version
-- once per transaction: the statements of one save (an event and its
-- kinds of place, say) make one version, and two saves make two, whether
-- or not the first had gone out to peers yet.  Pages and functions no
-- longer write "version = version + 1" themselves; one that still does
-- is not given a second.  changed_in is the transaction that last gave
-- the row a version.

ALTER TABLE members ADD COLUMN changed_in bigint;
ALTER TABLE events ADD COLUMN changed_in bigint;
ALTER TABLE documents ADD COLUMN changed_in bigint;
ALTER TABLE glossary_terms ADD COLUMN changed_in bigint;
ALTER TABLE evaluations ADD COLUMN changed_in bigint;
ALTER TABLE nodes ADD COLUMN changed_in bigint;

-- Every change of a shared row takes the next seq.  A change to a local
-- row's content (anything but the publishing columns) makes it pending
-- and, the first time in its transaction, gives it the next version; the
-- publisher is told at commit.
CREATE OR REPLACE FUNCTION acorn_take_seq() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	quiet CONSTANT text[] := ARRAY['seq', 'entry', 'pending', 'shared',
	    'version', 'search', 'home', 'changed_in'];
BEGIN
	NEW.seq := nextval('change_seq');
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
		PERFORM pg_notify('acorn_publish', '');
	END IF;
	RETURN NEW;
END
$$;
