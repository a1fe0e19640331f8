-- Acorn schema, version 4: when an event was first published, for the
-- "published" date of its Atom entry.  Set once, by the database, the
-- first time a row is stored with a status other than draft; a row
-- received from a peer may bring its own.

ALTER TABLE events ADD COLUMN published timestamptz;

CREATE FUNCTION acorn_event_published() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.published IS NULL AND NEW.status <> 'draft' THEN
		NEW.published := now();
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER events_published BEFORE INSERT OR UPDATE ON events
	FOR EACH ROW EXECUTE FUNCTION acorn_event_published();

-- Events published before this version: their last change is the best
-- date there is.
UPDATE events SET published = updated
	WHERE published IS NULL AND status <> 'draft';
