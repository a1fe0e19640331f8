-- Acorn schema, version 36: a feed is read by one query, from the
-- entries stored as they are served (signed, in exclusive canonical
-- form, which every row that peers may be given holds already: nothing
-- to fill in).  A feed reader's page, the newest live entries of a
-- collection, is read through an index rather than by sorting every
-- row of the table; a peer's page goes by seq, which every table has
-- an index on.  The predicate is the one the feed's query gives, word
-- for word, so that the planner can use it.

CREATE INDEX members_feed_idx ON members (updated DESC, seq DESC)
	WHERE entry IS NOT NULL AND NOT pending AND NOT deleted
	AND left(entry, 6) = '<entry';
CREATE INDEX events_feed_idx ON events (updated DESC, seq DESC)
	WHERE entry IS NOT NULL AND NOT pending AND NOT deleted
	AND left(entry, 6) = '<entry';
CREATE INDEX evaluations_feed_idx ON evaluations (updated DESC, seq DESC)
	WHERE entry IS NOT NULL AND NOT pending AND NOT deleted
	AND left(entry, 6) = '<entry';
CREATE INDEX documents_feed_idx ON documents (updated DESC, seq DESC)
	WHERE entry IS NOT NULL AND NOT pending AND NOT deleted
	AND left(entry, 6) = '<entry';
CREATE INDEX glossary_terms_feed_idx ON glossary_terms (updated DESC, seq DESC)
	WHERE entry IS NOT NULL AND NOT pending AND NOT deleted
	AND left(entry, 6) = '<entry';
CREATE INDEX nodes_feed_idx ON nodes (updated DESC, seq DESC)
	WHERE entry IS NOT NULL AND NOT pending AND NOT deleted
	AND left(entry, 6) = '<entry';
