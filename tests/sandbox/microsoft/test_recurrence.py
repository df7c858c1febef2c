"""Series in `calendarView` and `/instances` (providers.md §2.4): patternedRecurrence expanded into
occurrences with `type`/`seriesMasterId`/`originalStart`, exceptions, cancelled occurrences, DST."""

from __future__ import annotations

from typing import Any

from tests.sandbox.microsoft.conftest import API, Sandbox, User, timed, weekly

JANUARY = {"startDateTime": "2030-01-01T00:00:00Z", "endDateTime": "2030-02-01T00:00:00Z"}


async def view(
    sandbox: Sandbox,
    user: User,
    params: dict[str, str] = JANUARY,
    path: str = "/me",
    **headers: str,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    url: str | None = f"{API}{path}/calendarView"
    query: dict[str, str] | None = params
    while url:
        response = await sandbox.client.get(url, params=query, headers={**user.headers, **headers})
        assert response.status_code == 200, response.text
        rows += response.json()["value"]
        url, query = response.json().get("@odata.nextLink"), None
    return rows


async def series(
    sandbox: Sandbox, user: User, recurrence: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    fields = {"subject": "Series", **extra, "recurrence": recurrence}
    body = timed("2030-01-08T10:00:00", "2030-01-08T11:00:00", "W. Europe Standard Time", **fields)
    return await sandbox.create_event(user, body)


async def test_weekly_series_expand_into_occurrences(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    master = await series(sandbox, user, weekly("2030-01-08", ["tuesday", "thursday"]))
    assert master["type"] == "seriesMaster"
    assert master["recurrence"]["pattern"]["daysOfWeek"] == ["tuesday", "thursday"]
    assert master["recurrence"]["range"]["recurrenceTimeZone"] == "W. Europe Standard Time"
    rows = await view(sandbox, user)
    assert [r["start"]["dateTime"][:16] for r in rows] == [
        "2030-01-08T09:00",
        "2030-01-10T09:00",
        "2030-01-15T09:00",
        "2030-01-17T09:00",
        "2030-01-22T09:00",
        "2030-01-24T09:00",
        "2030-01-29T09:00",
        "2030-01-31T09:00",
    ]
    first = rows[0]
    assert first["type"] == "occurrence"
    assert first["seriesMasterId"] == master["id"]
    assert first["originalStart"] == "2030-01-08T09:00:00Z"
    assert first["subject"] == "Series"
    assert first["iCalUId"] != master["iCalUId"]
    assert len({r["id"] for r in rows}) == 8
    one = await sandbox.client.get(f"{API}/me/events/{first['id']}", headers=user.headers)
    assert one.json() == first


async def test_occurrences_keep_their_wall_time_across_dst(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    await series(sandbox, user, weekly("2030-01-08", ["tuesday"]))
    window = {"startDateTime": "2030-03-20T00:00:00Z", "endDateTime": "2030-04-05T00:00:00Z"}
    rows = await view(sandbox, user, window, Prefer='outlook.timezone="Europe/Berlin"')
    assert [r["start"]["dateTime"] for r in rows] == [
        "2030-03-26T10:00:00.0000000",
        "2030-04-02T10:00:00.0000000",
    ]
    utc = await view(sandbox, user, window)
    assert [r["start"]["dateTime"][11:16] for r in utc] == ["09:00", "08:00"]  # CET, then CEST


async def test_other_patterns(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    patterns = {
        "daily": {"type": "daily", "interval": 10},
        "absoluteMonthly": {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 15},
        "relativeMonthly": {
            "type": "relativeMonthly",
            "interval": 1,
            "daysOfWeek": ["friday"],
            "index": "last",
        },
        "absoluteYearly": {"type": "absoluteYearly", "interval": 1, "dayOfMonth": 20, "month": 1},
    }
    for name, pattern in patterns.items():
        span = {"type": "endDate", "startDate": "2030-01-08", "endDate": "2030-03-31"}
        await series(sandbox, user, {"pattern": pattern, "range": span}, subject=name)
    rows = await view(
        sandbox,
        user,
        {"startDateTime": "2030-01-01T00:00:00Z", "endDateTime": "2031-01-01T00:00:00Z"},
    )
    by_pattern: dict[str, list[str]] = {}
    for row in rows:
        by_pattern.setdefault(row["subject"], []).append(row["start"]["dateTime"][:10])
    assert by_pattern == {
        "daily": [
            *("2030-01-08", "2030-01-18", "2030-01-28", "2030-02-07", "2030-02-17"),
            *("2030-02-27", "2030-03-09", "2030-03-19", "2030-03-29"),
        ],
        "absoluteMonthly": ["2030-01-15", "2030-02-15", "2030-03-15"],
        "relativeMonthly": ["2030-01-25", "2030-02-22", "2030-03-29"],  # last Fridays
        "absoluteYearly": ["2030-01-20"],
    }
    numbered = await series(sandbox, user, weekly("2030-01-08", ["monday"], count=2), subject="n")
    rows = await view(
        sandbox,
        user,
        {"startDateTime": "2030-01-01T00:00:00Z", "endDateTime": "2031-01-01T00:00:00Z"},
    )
    assert len([r for r in rows if r["seriesMasterId"] == numbered["id"]]) == 2
    bad = await sandbox.client.post(
        f"{API}/me/events",
        json={
            **timed("2030-01-08T10:00:00", "2030-01-08T11:00:00"),
            "recurrence": {
                "pattern": {"type": "weekly"},
                "range": {"type": "noEnd", "startDate": "2030-01-08"},
            },
        },
        headers=user.headers,
    )
    assert bad.status_code == 400


async def test_exceptions_and_cancelled_occurrences(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    master = await series(sandbox, user, weekly("2030-01-08", ["tuesday"]))
    rows = await view(sandbox, user)
    second, third = rows[1], rows[2]
    moved = await sandbox.client.patch(
        f"{API}/me/events/{second['id']}",
        json={
            "subject": "Moved",
            "start": {"dateTime": "2030-01-16T12:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2030-01-16T13:00:00", "timeZone": "UTC"},
        },
        headers=user.headers,
    )
    assert moved.status_code == 200, moved.text
    exception = moved.json()
    assert exception["id"] == second["id"]
    assert exception["type"] == "exception"
    assert exception["seriesMasterId"] == master["id"]
    assert exception["originalStart"] == second["originalStart"]
    deleted = await sandbox.client.delete(f"{API}/me/events/{third['id']}", headers=user.headers)
    assert deleted.status_code == 204
    after = await view(sandbox, user)
    assert [(r["type"], r["start"]["dateTime"][:13]) for r in after] == [
        ("occurrence", "2030-01-08T09"),
        ("exception", "2030-01-16T12"),
        ("occurrence", "2030-01-29T09"),
    ]
    assert (
        await sandbox.client.get(f"{API}/me/events/{third['id']}", headers=user.headers)
    ).status_code == 404
    instances = await sandbox.client.get(
        f"{API}/me/events/{master['id']}/instances", params=JANUARY, headers=user.headers
    )
    assert [r["id"] for r in instances.json()["value"]] == [r["id"] for r in after]


async def test_moving_the_series_drops_its_exceptions(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    master = await series(sandbox, user, weekly("2030-01-08", ["tuesday"]))
    rows = await view(sandbox, user)
    await sandbox.client.patch(
        f"{API}/me/events/{rows[1]['id']}", json={"subject": "x"}, headers=user.headers
    )
    await sandbox.client.delete(f"{API}/me/events/{rows[2]['id']}", headers=user.headers)
    moved = await sandbox.client.patch(
        f"{API}/me/events/{master['id']}",
        json={
            "start": {"dateTime": "2030-01-08T14:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2030-01-08T15:00:00", "timeZone": "UTC"},
        },
        headers=user.headers,
    )
    assert moved.status_code == 200
    after = await view(sandbox, user)
    assert {r["type"] for r in after} == {"occurrence"}
    assert [r["start"]["dateTime"][:13] for r in after] == [
        "2030-01-08T14",
        "2030-01-15T14",
        "2030-01-22T14",
        "2030-01-29T14",
    ]


async def test_calendar_view_pages_and_needs_a_window(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    for day in range(10, 25):
        await sandbox.create_event(
            user, timed(f"2030-01-{day}T10:00:00", f"2030-01-{day}T11:00:00")
        )
    first = await sandbox.client.get(
        f"{API}/me/calendarView",
        params=JANUARY,
        headers={**user.headers, "Prefer": "odata.maxpagesize=4"},
    )
    assert len(first.json()["value"]) == 4
    assert first.headers["preference-applied"] == "odata.maxpagesize=4"
    assert "$skip=4" in first.json()["@odata.nextLink"]
    assert len(await view(sandbox, user)) == 15
    missing = await sandbox.client.get(f"{API}/me/calendarView", headers=user.headers)
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "ErrorInvalidParameter"
    outside = await view(
        sandbox,
        user,
        {"startDateTime": "2030-01-24T11:00:00", "endDateTime": "2030-02-01T00:00:00"},
    )
    assert outside == []  # touching the end is not overlapping
