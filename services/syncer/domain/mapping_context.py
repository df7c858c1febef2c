"""What mapping a provider object needs beyond the object itself, whatever its format."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.syncer.domain import ical_times, people
from services.syncer.domain.meeting_links.platforms.other import NO_HOSTS, HostAllowList
from services.syncer.domain.series_guards import DEFAULT_LIMITS, ExpansionLimits
from services.syncer.domain.window import Window


@dataclass(frozen=True)
class MappingContext:
    """Whose calendar, its zone, the account's addresses, the hosts whose links count as
    `other` meeting links (the operator's allow-list), the sync window recurring series are
    expanded in (None: the page named none) and the limits of that expansion."""

    calendar_id: str
    floating: ical_times.FloatingZone
    own_addresses: frozenset[str]
    meeting_hosts: HostAllowList = NO_HOSTS
    window: Window | None = None
    limits: ExpansionLimits = DEFAULT_LIMITS

    @classmethod
    def of(
        cls,
        calendar_id: str,
        calendar_time_zone: str | None,
        account_addresses: Iterable[str],
        meeting_hosts: HostAllowList = NO_HOSTS,
        window: Window | None = None,
        limits: ExpansionLimits = DEFAULT_LIMITS,
    ) -> MappingContext:
        return cls(
            calendar_id=calendar_id,
            floating=ical_times.FloatingZone.of(calendar_time_zone),
            own_addresses=people.own_addresses(account_addresses),
            meeting_hosts=meeting_hosts,
            window=window,
            limits=limits,
        )
