"""targets.md M5, initial sync: on the whole system (`bench/system.py`), 100 Google users
(10 in quick mode) each with 1,000 events seeded in the sandbox connect their calendar through
the public API; timed from the first `POST /v1/calendars` until the gateway's `event_count`s
add up to every event (stored by the syncer and projected by the gateway), with the services'
resident memory before, at its peak during, and after. Run alone with
`python -m bench.initial_sync [--quick]`.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx

from bench.system import RunningSystem, running_system

EVENTS_PER_CALENDAR = 1_000
EVENTS_PER_S_TARGET = 5_000
_CONNECTING_CLIENTS = 10  # concurrent `POST /v1/calendars`, as an app's backend would send
_CREDENTIALS = ("client_id", "client_secret", "refresh_token")
_POLL_S = 1.0  # each poll counts every stored event: polling faster would load the system


def seed_accounts(system: RunningSystem, count: int) -> list[dict[str, str]]:
    """`count` sandbox Google users, each with 1,000 one-off events in their primary calendar
    over the next 60 days (30 % with meeting links); their credentials."""
    credentials = []
    with httpx.Client(base_url=system.sandbox_url, timeout=120) as sandbox:
        for n in range(count):
            email = f"initial-{n}@example.com"
            account = sandbox.post("/_admin/accounts", json={"provider": "google", "email": email})
            body = account.raise_for_status().json()
            seed = {
                "provider": "google",
                "account_id": body["account_id"],
                "calendars": 1,
                "events_per_calendar": EVENTS_PER_CALENDAR,
                "recurring_share": 0.0,  # so every calendar stores exactly 1,000 events
                "meeting_link_share": 0.3,
                "seed": n,
            }
            sandbox.post("/_admin/seed", json=seed).raise_for_status()
            credentials.append({k: body[k] for k in _CREDENTIALS})
    return credentials


def connect_all(api: httpx.Client, credentials: list[dict[str, str]]) -> None:
    def connect(given: dict[str, str]) -> None:
        body = {"provider": "google", "credentials": given}
        api.post("/v1/calendars", json=body).raise_for_status()

    with ThreadPoolExecutor(_CONNECTING_CLIENTS) as pool:
        list(pool.map(connect, credentials))


def stored_events(api: httpx.Client) -> int:
    """The gateway's `event_count`s, added up over the project's calendars."""
    page = api.get("/v1/calendars", params={"limit": 500}).raise_for_status().json()
    return sum(int(c["event_count"]) for c in page["results"])


def last_listing(system: RunningSystem) -> datetime:
    """When the connector made its last `events.list` call (the sandbox's request log)."""
    with httpx.Client(base_url=system.sandbox_url, timeout=30) as sandbox:
        log = sandbox.get("/_admin/requests", params={"provider": "google"}).json()["results"]
    listings = [r["at"] for r in log if r["method"] == "GET" and r["path"].endswith("/events")]
    return max(datetime.fromisoformat(at) for at in listings)


def measure(quick: bool) -> dict[str, Any]:
    calendars = 10 if quick else 100
    total = calendars * EVENTS_PER_CALENDAR
    timeout_s = 180.0 if quick else 900.0
    with running_system() as system:
        began = time.perf_counter()
        credentials = seed_accounts(system, calendars)
        seeded_s = time.perf_counter() - began
        rss_before = system.service_rss_mb()
        cpu_before = system.cpu_seconds()
        peak = dict(rss_before)
        headers = {"Authorization": f"Bearer {system.api_key}"}
        with httpx.Client(base_url=system.gateway_url, headers=headers, timeout=60) as api:
            began, began_at = time.perf_counter(), datetime.now(UTC)
            connect_all(api, credentials)
            connected_s = time.perf_counter() - began
            stored = 0
            while stored < total and time.perf_counter() - began < timeout_s:
                time.sleep(_POLL_S)
                stored = stored_events(api)
                for name, mb in system.service_rss_mb().items():
                    peak[name] = max(peak.get(name, 0.0), mb)
            elapsed = time.perf_counter() - began
        rss_after = system.service_rss_mb()
        listed_s = (last_listing(system) - began_at).total_seconds()
        cpu = {k: round(v - cpu_before.get(k, 0.0), 1) for k, v in system.cpu_seconds().items()}
    rate = round(stored / elapsed)
    return {
        "calendars": calendars,
        "events": total,
        "stored": stored,
        "seconds": round(elapsed, 1),
        "events_per_s": rate,
        "connect_requests_s": round(connected_s, 1),
        "listed_by_s": round(listed_s, 1),
        "sandbox_seed_s": round(seeded_s, 1),
        "system_started_in_s": system.started_in_s,
        "rss_mb": {"before": rss_before, "peak": peak, "after": rss_after},
        "cpu_s": cpu,
        "target_events_per_s": EVENTS_PER_S_TARGET,
        "meets_target": stored >= total and rate >= EVENTS_PER_S_TARGET,
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(measure(quick="--quick" in sys.argv), indent=2))
