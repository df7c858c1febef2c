"""The `Prefer` request header as Graph reads it (providers.md §2.3): `odata.maxpagesize=N` and
`outlook.timezone="<Windows or IANA name>"`, and the `Preference-Applied` answer header."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.microsoft import times


@dataclass(frozen=True)
class Preferences:
    max_page_size: int | None
    time_zone: str | None  # None: UTC

    @property
    def zone_name(self) -> str:
        return self.time_zone or "UTC"

    def applied(self) -> dict[str, str]:
        applied = []
        if self.max_page_size is not None:
            applied.append(f"odata.maxpagesize={self.max_page_size}")
        if self.time_zone is not None:
            applied.append(f'outlook.timezone="{self.time_zone}"')
        return {"Preference-Applied": ", ".join(applied)} if applied else {}


def read(headers: list[str]) -> Preferences:
    """All `Prefer` headers (each may hold several comma-separated preferences)."""
    size: int | None = None
    zone_name: str | None = None
    for header in headers:
        for part in header.split(","):
            name, _, value = part.strip().partition("=")
            value = value.strip().strip('"')
            if name.strip().lower() == "odata.maxpagesize" and value.isdigit() and int(value) > 0:
                size = int(value)
            elif name.strip().lower() == "outlook.timezone" and value:
                times.zone(value)  # 400 for a zone Graph would not know
                zone_name = value
    return Preferences(size, zone_name)
