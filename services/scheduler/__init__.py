"""Scheduler: turns event changes into bot join jobs fired on time (bots come in a later issue)."""
