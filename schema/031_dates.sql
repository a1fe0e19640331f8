-- Acorn schema, version 31: dates as people read them, in one style.
--
-- Every date shown, on a page or in a mail, reads like "Thursday 12 June
-- 2031, 9:30am" in UK time: the 12-hour clock, minutes only when they are
-- not :00 ("10am"), noon "12pm" and midnight "12am".  to_char writes the
-- clock; acorn_london drops a ":00" before am or pm, which no to_char
-- pattern can.  The pages call it through SQL_LONDON (server/core/core.h).
CREATE FUNCTION acorn_london(p_at timestamptz, p_format text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT regexp_replace(to_char(p_at AT TIME ZONE 'Europe/London',
	    p_format), ':00(am|pm)', '\1', 'g')
$$;

-- From one time to another: "Thursday 12 June 2031, 9:30am to 4pm" on
-- one day, both dates in full when they differ.
CREATE FUNCTION acorn_london_range(p_from timestamptz, p_to timestamptz)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT acorn_london(p_from, 'FMDay FMDD FMMonth YYYY, FMHH12:MIam')
	    || ' to ' || CASE
	    WHEN (p_from AT TIME ZONE 'Europe/London')::date =
	        (p_to AT TIME ZONE 'Europe/London')::date
	    THEN acorn_london(p_to, 'FMHH12:MIam')
	    ELSE acorn_london(p_to, 'FMDay FMDD FMMonth YYYY, FMHH12:MIam') END
$$;

-- The registration mails say when in the same words as the pages.
CREATE OR REPLACE FUNCTION acorn_letter(p_recipient text, p_name text, p_what text,
    p_position bigint, p_role text, p_guest_key text, p_event uuid,
    p_base text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO outbox (recipient, subject, body)
	SELECT p_recipient,
	    CASE p_what
	    WHEN 'confirmed' THEN 'Your place at ' || e.title
	    WHEN 'promoted' THEN 'A place has come up for you: ' || e.title
	    WHEN 'waiting' THEN 'You are on the waiting list: ' || e.title
	    WHEN 'cancelled' THEN 'Your registration is cancelled: ' || e.title
	    WHEN 'event_cancelled' THEN 'Cancelled: ' || e.title
	    WHEN 'event_changed' THEN 'Changed: ' || e.title
	    WHEN 'unconfirmed' THEN 'Confirm your registration: ' || e.title
	    WHEN 'role' THEN 'You are on the team for ' || e.title
	    ELSE 'Your registration was not accepted: ' || e.title
	    END,
	    'Dear ' || p_name || E',\n\n' ||
	    CASE p_what
	    WHEN 'confirmed' THEN 'You have a place at '
	    WHEN 'promoted' THEN 'A place has become free and it is yours. '
	        || 'You now have a place at '
	    WHEN 'waiting' THEN 'The event is full, so you are number '
	        || p_position || ' on the waiting list for '
	    WHEN 'cancelled' THEN 'Your registration has been cancelled for '
	    WHEN 'event_cancelled' THEN 'We are sorry: the organisers have '
	        || 'cancelled '
	    WHEN 'event_changed' THEN 'The organisers have changed the '
	        || 'details of '
	    WHEN 'unconfirmed' THEN 'Please confirm that you want to '
	        || 'register for '
	    WHEN 'role' THEN 'You are down as ' || CASE p_role
	        WHEN 'organiser' THEN 'an organiser' ELSE 'a ' || p_role END
	        || ' at '
	    ELSE 'The organisers could not accept your registration ('
	        || acorn_refusal(p_what) || ') for '
	    END || e.title || ', on '
	    || acorn_london(e.starts, 'FMDay FMDD FMMonth YYYY, FMHH12:MIam')
	    || ' (UK time)'
	    || coalesce(', at ' || e.venue, '')
	    || E'.\n\n'
	    || CASE p_what
	    WHEN 'waiting' THEN E'If a place becomes free we will give it to '
	        || E'the next person on the list\nand email you straight away.\n\n'
	    WHEN 'unconfirmed' THEN E'Follow this link within 48 hours to '
	        || E'confirm:\n' || p_base || '/registrations/guest/'
	        || p_guest_key || E'\n\nUntil you confirm, no place is held '
	        || E'for you. If you did not ask to register,\nignore this '
	        || E'email and nothing more will happen.\n\n'
	    WHEN 'event_changed' THEN E'Please check the new details on the '
	        || E'event page.\n\n'
	    ELSE '' END
	    || CASE WHEN p_what = 'unconfirmed' THEN ''
	    WHEN p_guest_key IS NOT NULL THEN E'The event, and your '
	        || E'registration (to see it or cancel it):\n' || p_base
	        || '/events/' || e.id || E'\n' || p_base
	        || '/registrations/guest/' || p_guest_key || E'\n'
	    ELSE E'Details and your registrations:\n' || p_base || '/events/'
	        || e.id || E'\n' || p_base || E'/registrations\n' END
	FROM events e WHERE e.id = p_event;
END
$$;
