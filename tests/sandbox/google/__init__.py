"""Tests of the Google Calendar API v3 emulation."""
