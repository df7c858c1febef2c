"""Google Calendar event resources (providers.md §1) → canonical events: times, people,
meeting sources, and the mapping that ties them together."""
