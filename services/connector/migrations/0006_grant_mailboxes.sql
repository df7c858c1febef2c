-- The mailbox an OAuth grant was verified to open (the account's address, known after its
-- first successful sync). Calendars of one mailbox in a project converge on its newest
-- verified grant, whatever refresh token each was first connected with (`accounts.py`).
ALTER TABLE grants ADD COLUMN mailbox text;
CREATE INDEX grants_mailbox ON grants (project_id, provider, mailbox) WHERE mailbox IS NOT NULL;
