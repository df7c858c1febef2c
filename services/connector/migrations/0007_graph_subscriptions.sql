-- The provider asked for the calendar's push channel to be renewed before its expiry (Graph's
-- `reauthorizationRequired` lifecycle notification): the next sync renews it, which for a
-- Graph subscription is a PATCH that also re-authorizes it.
ALTER TABLE connections ADD COLUMN push_renew_requested boolean NOT NULL DEFAULT false;
