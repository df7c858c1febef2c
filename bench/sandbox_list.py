"""The provider sandbox's Google path: 100,000 seeded events listed over HTTP (events/s), beside
the raw loopback HTTP round trip of the same server (`/healthz`) as the physical reference."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from rollcall.dev.ports import free_port, wait_for_listener


@contextmanager
def running_sandbox() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own module
        [sys.executable, "-m", "sandbox", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_listener("127.0.0.1", port, timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def list_seeded_events(total: int, calendars: int) -> dict[str, Any]:
    with running_sandbox() as url, httpx.Client(base_url=url, timeout=120) as http:
        account = http.post(
            "/_admin/accounts", json={"provider": "google", "email": "bench@example.com"}
        ).json()
        began = time.perf_counter()
        seeded = (
            http.post(
                "/_admin/seed",
                json={
                    "provider": "google",
                    "account_id": account["account_id"],
                    "calendars": calendars,
                    "events_per_calendar": total // calendars,
                    "recurring_share": 0.0,
                    "meeting_link_share": 0.3,
                    "seed": 7,
                },
            )
            .raise_for_status()
            .json()
        )
        seed_seconds = time.perf_counter() - began
        token = http.post(f"/_admin/accounts/{account['account_id']}/token").json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        calendar_ids = [
            c["id"]
            for c in http.get("/google/calendar/v3/users/me/calendarList", headers=headers).json()[
                "items"
            ]
        ]
        listed = 0
        began = time.perf_counter()
        for calendar_id in calendar_ids:
            params: dict[str, Any] = {"maxResults": 2500}
            while True:
                page = (
                    http.get(
                        f"/google/calendar/v3/calendars/{calendar_id}/events",
                        params=params,
                        headers=headers,
                    )
                    .raise_for_status()
                    .json()
                )
                listed += len(page["items"])
                if "nextPageToken" not in page:
                    break
                params["pageToken"] = page["nextPageToken"]
        list_seconds = time.perf_counter() - began
        round_trips = []
        for _ in range(200):
            t0 = time.perf_counter()
            http.get("/healthz")
            round_trips.append(time.perf_counter() - t0)
    return {
        "events_listed": listed,
        "events_per_s": round(listed / list_seconds),
        "seed_seconds": round(seed_seconds, 2),
        "seed_summary_keys": sorted(seeded)[:5],
        "raw_http_round_trip_p50_ms": round(statistics.median(round_trips) * 1000, 3),
    }
