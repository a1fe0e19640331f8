-- Acorn schema, version 29: changing an event's place types or questions
-- locks the event before the row that refers to it.
--
-- Adding a question or a place type republishes its event (012).  Done
-- after the insert, as 012 had it, the insert's foreign key check first
-- takes a key-share lock on the event, and the update that follows must
-- then take the event's row lock outright (it moves seq, which is
-- unique).  The signer, publishing the same event in between, waits for
-- the key-share lock while holding its place in the row's queue, and
-- the two wait for each other: PostgreSQL ends one as a deadlock, and a
-- coordinator adding a question was answered 503.  Updating the event
-- before the row is written takes the strong lock first; the key check
-- then finds it already held.
CREATE FUNCTION acorn_event_offer_changing() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE events SET updated = now()
	WHERE id = NEW.event AND origin = (SELECT id FROM node)
	    AND NOT deleted;
	RETURN NEW;
END
$$;

DROP TRIGGER place_types_offer ON place_types;
CREATE TRIGGER place_types_offer BEFORE INSERT OR
	UPDATE OF name, position ON place_types
	FOR EACH ROW EXECUTE FUNCTION acorn_event_offer_changing();
CREATE TRIGGER place_types_offer_gone AFTER DELETE ON place_types
	FOR EACH ROW EXECUTE FUNCTION acorn_event_offer_changed();

DROP TRIGGER questions_offer ON questions;
CREATE TRIGGER questions_offer BEFORE INSERT OR UPDATE ON questions
	FOR EACH ROW EXECUTE FUNCTION acorn_event_offer_changing();
CREATE TRIGGER questions_offer_gone AFTER DELETE ON questions
	FOR EACH ROW EXECUTE FUNCTION acorn_event_offer_changed();
