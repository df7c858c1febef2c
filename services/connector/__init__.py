"""Connector: keeps calendar credentials, talks to providers, publishes what each sync fetched."""
