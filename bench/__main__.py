"""`make bench`: run the benchmarks, print a table, write JSON (`.rollcall/bench/latest.json`)."""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import hop, meeting_links, sandbox_list
from bench.servers import bench_servers


async def run(quick: bool) -> dict[str, Any]:
    async with bench_servers() as servers:
        fetch_wait = 20 if servers.embedded else 500  # as dev mode and production set it
        results: dict[str, Any] = {
            "at": datetime.now(UTC).isoformat(),
            "machine": f"{platform.machine()} {platform.python_version()}",
            "broker": "tansu (embedded)" if servers.embedded else "env-given kafka",
            "fetch_wait_ms": fetch_wait,
        }
        results["raw_broker_round_trip"] = asdict(
            await hop.raw_round_trip(servers, 50 if quick else 300, fetch_wait)
        )
        results["raw_insert_commits_per_s"] = await hop.raw_insert_rate(
            servers, 500 if quick else 3000
        )
        results["outbox_to_handler_50_per_s"] = asdict(
            await hop.outbox_to_handler(servers, 50, 3 if quick else 20, fetch_wait)
        )
    results["sandbox_google_list"] = await asyncio.to_thread(
        sandbox_list.list_seeded_events, 20_000 if quick else 100_000, 10
    )
    results["meeting_links"] = meeting_links.measure(quick)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    args = parser.parse_args()
    results = asyncio.run(run(args.quick))
    print(f"{'metric':<34} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'n':>6}")
    for name, value in results.items():
        if isinstance(value, dict) and "p50_ms" in value:
            print(
                f"{name:<34} {value['p50_ms']:>8} {value['p99_ms']:>8} {value['max_ms']:>8}"
                f" {value['count']:>6}"
            )
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
    out = Path(".rollcall/bench/latest.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
