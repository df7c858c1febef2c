"""Shared OAuth machinery for every emulated provider: apps, accounts, grants, codes, tokens.

`store.OAuthStore` holds the state; each provider's routes (`sandbox/google/oauth_routes.py`) speak
that provider's wire format on top of it.
"""
