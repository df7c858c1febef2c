"""Development mode: embedded Postgres and Tansu, and a supervisor for the four services."""
