-- The mailbox an OAuth grant was verified to open, as the provider identifies it (Graph user
-- id, Zoom user id, Google account address), known once a calendar of the grant was
-- discovered. Calendars of one mailbox and OAuth client in a project converge on its newest
-- verified grant, whatever refresh token each was first connected with (`accounts.py`).
ALTER TABLE grants ADD COLUMN mailbox text;
CREATE INDEX grants_mailbox ON grants (project_id, provider, mailbox) WHERE mailbox IS NOT NULL;
