-- Acorn schema, version 56: the directory's personal data kept only as
-- long as it is needed.
--
-- A resolved report and a decided suggestion are removed
-- retain_directory_months after they were settled; a referral outcome
-- forgets who recorded it once it no longer counts towards that
-- member's daily limit.  The retention worker finds each by these
-- indexes.
CREATE INDEX service_reports_resolved_idx ON service_reports (resolved)
    WHERE resolved IS NOT NULL;
CREATE INDEX service_suggestions_decided_idx ON service_suggestions
    (decided) WHERE decided IS NOT NULL;
CREATE INDEX service_referrals_recorded_idx ON service_referrals
    (recorded) WHERE account IS NOT NULL;

-- A shortlist goes when its shared link expires, or, never shared, a
-- while after its last change: an index for each half of the rule.
CREATE INDEX shortlists_expires_idx ON shortlists (expires)
    WHERE expires IS NOT NULL;
CREATE INDEX shortlists_unshared_idx ON shortlists (updated)
    WHERE expires IS NULL;

-- Removing an account (erasure, or one never confirmed) follows every
-- reference to it through an index.
CREATE INDEX service_checks_account_idx ON service_checks (account)
    WHERE account IS NOT NULL;
CREATE INDEX organisation_managers_added_by_idx ON organisation_managers
    (added_by) WHERE added_by IS NOT NULL;
CREATE INDEX service_reports_resolved_by_idx ON service_reports
    (resolved_by) WHERE resolved_by IS NOT NULL;
CREATE INDEX service_suggestions_decided_by_idx ON service_suggestions
    (decided_by) WHERE decided_by IS NOT NULL;

-- The listings at a place: the organisation's page counts them, and a
-- place is removed only when none runs there.
CREATE INDEX services_locations_idx ON services USING gin (locations);
