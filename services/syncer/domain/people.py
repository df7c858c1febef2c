"""The canonical organizer and attendees, whatever the provider wrote: addresses lower-case and
without `mailto:`, no name that merely repeats the address, `is_self` for the connected
account's addresses (`api.md`), one attendee per address, and the organizer of a meeting
(an event with someone else invited) among its attendees, first, the rest by address.

Providers disagree on the organizer's attendee entry (Google and Apple list it, Graph never
does) and on the order of attendees (their own, not meaningful); without these rules one
meeting would read differently from each, and a reordering would be an `updated` change.
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.contracts.events import Attendee, Person, ResponseStatus

_MAILTO = "mailto:"


def address(value: object) -> str | None:
    """An address as the canonical model writes it: no blanks around it, no `mailto:` scheme
    (any case), lower-case; None when empty."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if value[: len(_MAILTO)].lower() == _MAILTO:
        value = value[len(_MAILTO) :].strip()
    return value.lower() or None


def own_addresses(addresses: Iterable[str]) -> frozenset[str]:
    """The account's addresses in the form `is_self` compares against."""
    return frozenset(found for found in map(address, addresses) if found)


def display_name(value: object, email: str | None) -> str | None:
    """A person's name; None when blank or only the address again (Graph and Outlook name
    people they know nothing about by their address, Google leaves the name out)."""
    if not isinstance(value, str) or not value.strip():
        return None
    name = value.strip()
    return None if email is not None and address(name) == email else name


def person(email: str | None, name: object, is_self: bool) -> Person:
    return Person(email=email, name=display_name(name, email), is_self=is_self)


def attendee(
    email: str | None,
    name: object,
    *,
    is_self: bool,
    response_status: ResponseStatus,
    is_organizer: bool = False,
) -> Attendee:
    return Attendee(
        email=email,
        name=display_name(name, email),
        is_self=is_self,
        response_status=response_status,
        is_organizer=is_organizer,
    )


def attendee_list(organizer: Person | None, found: Iterable[Attendee]) -> tuple[Attendee, ...]:
    """The attendees as the canonical model lists them: the first entry of each address, the
    organizer's marked (and `is_self` when the organizer is), the organizer added (accepted)
    when a provider left it out, none when nobody but the organizer is invited; the organizer
    first, then by address."""
    listed: list[Attendee] = []
    seen: set[str] = set()
    for entry in found:
        if entry.email is not None and entry.email in seen:
            continue
        if entry.email is not None:
            seen.add(entry.email)
        listed.append(_as_organizer(entry, organizer))
    if not any(not a.is_organizer for a in listed):
        return ()
    if organizer is not None and organizer.email is not None and organizer.email not in seen:
        listed.append(_organizer_entry(organizer))
    return tuple(sorted(listed, key=_order))


def _as_organizer(entry: Attendee, organizer: Person | None) -> Attendee:
    same = organizer is not None and entry.email is not None and entry.email == organizer.email
    if not same or organizer is None:
        return entry
    return entry.model_copy(
        update={"is_organizer": True, "is_self": entry.is_self or organizer.is_self}
    )


def _organizer_entry(organizer: Person) -> Attendee:
    return Attendee(
        email=organizer.email,
        name=organizer.name,
        is_self=organizer.is_self,
        response_status="accepted",
        is_organizer=True,
    )


def _order(entry: Attendee) -> tuple[bool, str, str]:
    return (not entry.is_organizer, entry.email or "\uffff", entry.name or "")
