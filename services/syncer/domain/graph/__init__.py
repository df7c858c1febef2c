"""Microsoft Graph event resources (providers.md §2.4) → canonical events: times, people,
meeting sources, and the mapping that ties them together."""
