"""Syncer message handlers: message type → use case (`calendar.state_changed` is not needed)."""

from __future__ import annotations

from functools import partial

from services.syncer import usecases
from services.syncer.domain.meeting_links.platforms.other import HostAllowList
from services.syncer.domain.series_guards import ExpansionLimits
from shared.contracts import topics
from shared.contracts.calendars import CalendarDeleted
from shared.contracts.provider import ProviderChangesFetched
from shared.messaging.consumer import Handler

TOPICS = (topics.PROVIDER_CHANGES, topics.CALENDARS_STATE)


def handlers_for(
    meeting_hosts: HostAllowList, limits: ExpansionLimits, retention_days: int
) -> dict[str, Handler]:
    """The routing, with the operator's meeting-host allow-list, series expansion limits and
    event retention bound into the mapping use case."""
    return {
        ProviderChangesFetched.TYPE: partial(
            usecases.apply_provider_changes,
            meeting_hosts=meeting_hosts,
            limits=limits,
            retention_days=retention_days,
        ),
        CalendarDeleted.TYPE: usecases.delete_calendar,
    }
