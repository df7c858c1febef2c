"""Pure syncer rules (no I/O): iCalendar → canonical events, event diffs, page reconciliation."""
