-- Periodic jobs shared by every scheduler replica: a job runs when its row's `last_at` is old
-- enough, and the UPDATE that claims it lets exactly one replica run each tick.
CREATE TABLE ticks (
    name    text PRIMARY KEY,
    last_at timestamptz NOT NULL
);
INSERT INTO ticks (name, last_at) VALUES ('imminent_meetings', '-infinity');
