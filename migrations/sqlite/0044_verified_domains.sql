-- Verified domains (SEC-10's prerequisite): a domain an organization proves it holds with a DNS
-- TXT record holding `token`. Verified for at most one organization (the partial unique index);
-- once verified it stays verified.
CREATE TABLE organization_domains (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    domain          TEXT    NOT NULL,
    token           TEXT    NOT NULL,
    added_by        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    added_at        INTEGER NOT NULL,
    verified_at     INTEGER,
    UNIQUE (organization_id, domain)
);
CREATE UNIQUE INDEX organization_domains_verified ON organization_domains (domain) WHERE verified_at IS NOT NULL;
