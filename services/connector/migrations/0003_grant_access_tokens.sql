-- OAuth grants cache their latest access token, sealed like the credentials (the associated
-- data names the grant and `<provider>:access`), with the instant it expires. A refresh locks
-- the grant row (`SELECT … FOR UPDATE`), so one refresh per grant runs at a time, and a
-- rotated refresh token is re-sealed into `ciphertext` in the same transaction.
ALTER TABLE grants
    ADD COLUMN access_key_id     text,
    ADD COLUMN access_ciphertext bytea,
    ADD COLUMN access_expires_at timestamptz;
