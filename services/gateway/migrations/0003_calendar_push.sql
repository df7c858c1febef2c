-- The calendar's open provider push channel ({kind, expires_at}), from `calendars.state`.
ALTER TABLE calendars ADD COLUMN push jsonb;
