"""Contracts and plumbing shared by every Rollcall service: no business rules live here."""
