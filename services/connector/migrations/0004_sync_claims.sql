-- A sync claim names its holder: `claim_next_sync` sets a fresh token, and a sync may record
-- its result (or release its claim) only while the token is still its own. A sync that ran
-- past its claim, which another worker then took over, so writes nothing.
ALTER TABLE connections ADD COLUMN sync_claim text;
