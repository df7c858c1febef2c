"""Pure gateway rules: API keys, cursors, event list filters (no I/O)."""
