"""The benchmark table printed by `make bench` (the JSON holds everything; this is the summary),
each new target's result marked `met` or `MISSED`."""

from __future__ import annotations

from typing import Any


def print_table(results: dict[str, Any]) -> None:
    start, end = results["load_average_start"], results["load_average_end"]
    print(f"load average (1 min, 2 cores shared): {start} at start, {end} at end")
    _latencies(results)
    _references(results)
    if "hostile_data" in results:
        _hostile(results["hostile_data"])
    if "push_flood" in results:
        _push_flood(results["push_flood"])
    if "initial_sync" in results:
        _initial_sync(results["initial_sync"])


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def _latencies(results: dict[str, Any]) -> None:
    print(f"{'metric':<34} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'n':>6}")
    for name, value in results.items():
        if isinstance(value, dict) and "p50_ms" in value:
            print(
                f"{name:<34} {value['p50_ms']:>8} {value['p99_ms']:>8} {value['max_ms']:>8}"
                f" {value['count']:>6}"
            )


def _references(results: dict[str, Any]) -> None:
    print(f"{'raw_insert_commits_per_s':<34} {results['raw_insert_commits_per_s']:>8}")
    listing = results["sandbox_google_list"]
    print(
        f"{'sandbox_google_list_events_per_s':<34} {listing['events_per_s']:>8}"
        f"  ({listing['events_listed']} events; loopback /healthz p50"
        f" {listing['raw_http_round_trip_p50_ms']} ms)"
    )
    links = results["meeting_links"]
    print(
        f"{'meeting_links_descriptions_per_s':<34} {links['mix_descriptions_per_s']:>8}"
        f"  (one core, mixed calendar; slowest shape"
        f" {min(links['per_kind_per_s'].values())}/s; hostile 10 MB {links['hostile_10mb_ms']} ms)"
    )


def _hostile(m8: dict[str, Any]) -> None:
    targets = m8["targets"]
    print(
        f"\nM8 hostile data through the syncer's map_object (target"
        f" ≤ {targets['cpu_ms_per_item']:g} ms CPU, ≤ {targets['peak_mb_per_item']:g} MB per item;"
        f" load {m8['load_average_before']})"
    )
    print(f"  {'item':<36} {'in MB':>6} {'CPU ms':>8} {'peak MB':>8}  {'outcome':<32} target")
    for item in m8["hostile"]:
        reach = "" if item["reaches_syncer"] else " (connector sets it aside)"
        expected = "" if item["as_expected"] else f" UNEXPECTED, wanted {item['expected']}"
        print(
            f"  {item['item']:<36} {item['input_mb']:>6} {item['cpu_ms']:>8} {item['peak_mb']:>8}"
            f"  {item['outcome'] + expected:<32} {_verdict(item['meets_target'])}{reach}"
        )
    mix = m8["benign_mix"]
    slowest = min(m8["benign_per_kind_objects_per_s"].items(), key=lambda kv: kv[1])
    print(
        f"  {'benign mix, objects/s (one core)':<36} {mix['objects_per_s']:>8}"
        f"  ({mix['events_per_s']} events/s; slowest: {slowest[0]} {slowest[1]}/s)"
        f"  target ≥ {targets['benign_objects_per_s']}: {_verdict(m8['benign_meets_target'])}"
    )


def _push_flood(m7: dict[str, Any]) -> None:
    targets = m7["targets"]
    print(
        f"\nM7 a burst of {targets['notifications']} push notifications for one calendar"
        f" (target ≤ {targets['max_syncs']} syncs, ≤ {targets['max_calls_per_notification']}"
        f" provider calls per notification; load {m7['load_average_before']})"
    )
    for provider in ("google", "microsoft"):
        flood = m7[provider]
        print(
            f"  {provider:<10} accepted {flood['accepted']:>3}, syncs {flood['syncs']},"
            f" provider calls {flood['provider_calls']}"
            f" ({flood['calls_per_notification']}/notification) over {flood['watched_s']:g} s:"
            f" {_verdict(flood['meets_target'])}"
        )


def _initial_sync(m5: dict[str, Any]) -> None:
    print(
        f"\nM5 initial sync, {m5['calendars']} calendars x 1,000 events"
        f" (target ≥ {m5['target_events_per_s']} events/s stored, memory flat;"
        f" load {m5['load_average_before']})"
    )
    print(
        f"  stored {m5['stored']}/{m5['events']} in {m5['seconds']} s:"
        f" {m5['events_per_s']} events/s (provider listing done by {m5['listed_by_s']} s):"
        f" {_verdict(m5['meets_target'])}"
    )
    rss = m5["rss_mb"]
    for name in rss["before"]:
        print(
            f"  {name:<10} RSS MB before {rss['before'][name]:>6}, peak {rss['peak'].get(name)},"
            f" after {rss['after'].get(name)}; CPU {m5['cpu_s'].get(name)} s"
        )
    print(f"  {'postgres':<10} CPU {m5['cpu_s'].get('postgres')} s")
