"""targets.md M7, provider calls under a push flood: on the whole system (`bench/system.py`), a
calendar connected from the sandbox with its push channel open gets a burst of 100 valid
notifications at the gateway's receiver (Google channel messages, then Graph change
notifications); the sandbox's request log then shows the syncs (one `events.list` or
`calendarView/delta` call each, the calendar being small) and every provider call the system
made in the following seconds. Run alone with `python -m bench.push_flood [--quick]`.

The notifications name a channel of the calendar (`<calendar_id>.<suffix>`) with its token
under the run's push secret: exactly what the receiver verifies, whatever channel id the
connector gave the provider.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench.system import RunningSystem, running_system
from shared.push_tokens import channel_token, client_state

NOTIFICATIONS = 100
SYNCS_TARGET = 2
CALLS_PER_NOTIFICATION_TARGET = 1.1
_SENDERS = 20  # concurrent connections, as a provider's delivery fleet would use


def connect_pushed_calendar(system: RunningSystem, provider: str, name: str) -> dict[str, Any]:
    """A new sandbox account's calendar connected through the public API, once synced and
    its push channel open."""
    with httpx.Client(base_url=system.sandbox_url, timeout=30) as sandbox:
        email = f"{name}@example.com"
        account = sandbox.post("/_admin/accounts", json={"provider": provider, "email": email})
    credentials = {k: account.json()[k] for k in ("client_id", "client_secret", "refresh_token")}
    with _api(system) as api:
        created = api.post("/v1/calendars", json={"provider": provider, "credentials": credentials})
        calendar_id = created.raise_for_status().json()["id"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            calendar: dict[str, Any] = api.get(f"/v1/calendars/{calendar_id}").json()
            if calendar["state"] == "connected" and calendar["push"]:
                return calendar
            time.sleep(0.2)
    raise RuntimeError(f"{provider} calendar {calendar_id} not connected with push within 60 s")


def flood(system: RunningSystem, provider: str, calendar_id: str) -> list[int]:
    """`NOTIFICATIONS` valid notifications for one calendar, sent at once; their statuses."""
    channel_id = f"{calendar_id}.benchflood"
    token = channel_token(system.push_secret, channel_id)
    url = f"{system.gateway_url}/v1/push/{provider}"
    with httpx.Client(timeout=10) as http:

        def google(number: int) -> int:
            headers = {
                "X-Goog-Channel-ID": channel_id,
                "X-Goog-Channel-Token": token,
                "X-Goog-Resource-ID": "bench-resource",
                "X-Goog-Resource-State": "exists",
                "X-Goog-Message-Number": str(number + 2),
            }
            return http.post(url, headers=headers).status_code

        def microsoft(number: int) -> int:
            change = {
                "subscriptionId": "bench-subscription",
                "changeType": "updated",
                "clientState": client_state(channel_id, token),
                "resource": f"Users/bench/Events/AAMk{number}",
            }
            return http.post(url, json={"value": [change]}).status_code

        send = google if provider == "google" else microsoft
        with ThreadPoolExecutor(_SENDERS) as pool:
            return list(pool.map(send, range(NOTIFICATIONS)))


def provider_calls(system: RunningSystem, provider: str) -> list[dict[str, Any]]:
    with httpx.Client(base_url=system.sandbox_url, timeout=30) as sandbox:
        log = sandbox.get("/_admin/requests", params={"provider": provider})
    calls: list[dict[str, Any]] = log.raise_for_status().json()["results"]
    return calls


def push_outcomes(system: RunningSystem, provider: str) -> Counter[str]:
    """`rollcall_push_notifications_total` of one provider, by outcome (the gateway's metric)."""
    text = httpx.get(f"{system.gateway_url}/metrics", timeout=10).text
    found: Counter[str] = Counter()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            name, labels = sample.name, sample.labels
            if name == "rollcall_push_notifications_total" and labels["provider"] == provider:
                found[labels["outcome"]] += int(sample.value)
    return found


def one_flood(system: RunningSystem, provider: str, name: str, watch_s: float) -> dict[str, Any]:
    calendar = connect_pushed_calendar(system, provider, name)
    time.sleep(1)  # the connect's own calls are done
    sync_path = _sync_path(provider, calendar["platform_uuid"])
    before_calls = len(provider_calls(system, provider))
    before_outcomes = push_outcomes(system, provider)
    began = time.perf_counter()
    statuses = flood(system, provider, calendar["id"])
    sent_s = time.perf_counter() - began
    time.sleep(max(0.0, watch_s - sent_s))
    calls = provider_calls(system, provider)[before_calls:]
    syncs = [c for c in calls if c["method"] == "GET" and c["path"].endswith(sync_path)]
    outcomes = push_outcomes(system, provider) - before_outcomes
    return {
        "accepted": sum(1 for s in statuses if s < 300),
        "sent_in_s": round(sent_s, 2),
        "watched_s": watch_s,
        "syncs": len(syncs),
        "provider_calls": len(calls),
        "calls_per_notification": round(len(calls) / NOTIFICATIONS, 3),
        "gateway_outcomes": dict(sorted(outcomes.items())),
    }


def _sync_path(provider: str, platform_uuid: str) -> str:
    """The listing call one sync of a small calendar makes once."""
    if provider == "google":
        return f"/calendars/{platform_uuid}/events"
    return f"/calendars/{platform_uuid}/calendarView/delta"


def measure(quick: bool) -> dict[str, Any]:
    """One flood per provider (quick, 8 s watched: the trailing hint leaves at 5 s), or two
    each on fresh calendars watched 12 s; the worst round of each provider is reported."""
    rounds, watch_s = (1, 8.0) if quick else (2, 12.0)
    results: dict[str, Any] = {}
    with running_system() as system:
        results["system_started_in_s"] = system.started_in_s
        for provider in ("google", "microsoft"):
            floods = [
                one_flood(system, provider, f"flood-{provider}-{n}", watch_s) for n in range(rounds)
            ]
            worst = max(floods, key=lambda f: (f["syncs"], f["provider_calls"]))
            results[provider] = {
                **worst,
                "rounds": [{k: f[k] for k in ("syncs", "provider_calls")} for f in floods],
                "meets_target": worst["accepted"] == NOTIFICATIONS
                and worst["syncs"] <= SYNCS_TARGET
                and worst["calls_per_notification"] <= CALLS_PER_NOTIFICATION_TARGET,
            }
    results["targets"] = {
        "notifications": NOTIFICATIONS,
        "max_syncs": SYNCS_TARGET,
        "max_calls_per_notification": CALLS_PER_NOTIFICATION_TARGET,
    }
    return results


def _api(system: RunningSystem) -> httpx.Client:
    headers = {"Authorization": f"Bearer {system.api_key}"}
    return httpx.Client(base_url=system.gateway_url, headers=headers, timeout=30)


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(measure(quick="--quick" in sys.argv), indent=2))
