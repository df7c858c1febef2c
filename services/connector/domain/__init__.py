"""Pure connector rules (no I/O): connection state, failure handling, backoff, paging, windows."""
