"""Operator tooling: the `rollcall` console script, bootstrap, and the dev-mode runner."""
