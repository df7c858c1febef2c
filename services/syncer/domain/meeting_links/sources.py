"""The provider-neutral record of where an event may hold its meeting link, by priority."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConferenceLink:
    """A link from a structured conference field, and the passcode that field gives, if any."""

    url: str
    passcode: str | None = None


@dataclass(frozen=True, slots=True)
class MeetingSources:
    """Candidate fields in priority order: structured conference links (in the provider's own
    order: Google `conferenceData` video entry point then `hangoutLink`; Graph
    `onlineMeeting.joinUrl`; ICS `CONFERENCE`, `X-GOOGLE-CONFERENCE`,
    `X-MICROSOFT-SKYPETEAMSMEETINGURL`, `URL`; Zoom `join_url`), then the location, then the
    description as the provider gives it (plain text or HTML), then an HTML alternative of it
    (ICS `X-ALT-DESC`, a Graph HTML body)."""

    conference: tuple[ConferenceLink, ...] = ()
    location: str | None = None
    description: str | None = None
    description_html: str | None = None
