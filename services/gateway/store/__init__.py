"""Gateway SQL (schema `gateway`), one module per table family, one statement per function."""
