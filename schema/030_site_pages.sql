-- Acorn schema, version 30: the footer pages a node's coordinators word
-- for themselves.
--
-- The accessibility statement, privacy notice, cookies page and contact
-- page each come with a default text written for Acorn.  A coordinator
-- may replace it (or, on the privacy and cookies pages, whose main part
-- is made from the node's own settings, add to it) with Markdown of their
-- own.  Every saved text is kept as a version, newest current, so any of
-- them can be brought back; bringing back the default is a version with
-- no text.  Who saved a version is kept by account, so an erased account
-- leaves the version and takes its name with it.
CREATE TABLE site_page_versions (
	id		bigserial PRIMARY KEY,
	page		text NOT NULL CHECK (page IN ('accessibility',
			    'privacy', 'cookies', 'contact')),
	body		text CHECK (body IS NULL OR
			    (body <> '' AND length(body) <= 20000)),
	restored_from	bigint REFERENCES site_page_versions (id),
	author		bigint REFERENCES accounts (id) ON DELETE SET NULL,
	created		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX site_page_versions_page_idx ON site_page_versions (page, id);
