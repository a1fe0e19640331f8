-- Acorn schema, version 5: finding people at the door.
--
-- Check-in searches names the way people type them on a phone in a
-- hurry: without capitals, accents or apostrophes, so "zoe" finds "Zoë",
-- "oconnor" finds "O'Connor" and "angstrom" finds "Ångström".  Built from
-- what PostgreSQL has without extensions (normalize needs a UTF8
-- database, which acorn's is).

-- A name folded for searching: decomposed, combining marks dropped,
-- lower case, apostrophes dropped and hyphens made spaces.  Letters that
-- do not decompose (ø, ł, đ, ħ, ı, ß, æ, œ) are spelt as people type them.
CREATE FUNCTION acorn_fold(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT translate(
	    replace(replace(replace(lower(regexp_replace(
	        normalize(coalesce(p, ''), NFD), '[\u0300-\u036f]', '', 'g')),
	        'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'),
	    'øØłŁđĐħĦı-‐''’‘', 'oollddhhi  ')
$$;

-- True when every word of the query appears, folded, somewhere in the
-- text: "smi jan" finds "Jane Smith".  An empty query matches everything.
CREATE FUNCTION acorn_matches(p_text text, p_query text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT NOT EXISTS (
	    SELECT 1 FROM regexp_split_to_table(acorn_fold(p_query), '\s+')
	        AS w (word)
	    WHERE w.word <> '' AND strpos(acorn_fold(p_text), w.word) = 0)
$$;
