"""`make bench`: run the benchmarks, print a table, write JSON (`.rollcall/bench/latest.json`)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import hop, hostile_data, initial_sync, meeting_links, push_flood, report, sandbox_list
from bench.servers import bench_servers


async def run(quick: bool) -> dict[str, Any]:
    load_at_start = _load()
    async with bench_servers() as servers:
        fetch_wait = 20 if servers.embedded else 500  # as dev mode and production set it
        results: dict[str, Any] = {
            "at": datetime.now(UTC).isoformat(),
            "machine": f"{platform.machine()} {platform.python_version()}",
            "broker": "tansu (embedded)" if servers.embedded else "env-given kafka",
            "fetch_wait_ms": fetch_wait,
            "load_average_start": load_at_start,
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
    for name, measure in (
        ("hostile_data", hostile_data.measure),
        ("push_flood", push_flood.measure),
        ("initial_sync", initial_sync.measure),
    ):
        load = _load()
        results[name] = {"load_average_before": load, **await asyncio.to_thread(measure, quick)}
    results["load_average_end"] = _load()
    return results


def _load() -> float:
    """The 1-minute load average: the machine is shared, so read every figure beside it."""
    return round(os.getloadavg()[0], 2)


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    args = parser.parse_args()
    results = asyncio.run(run(args.quick))
    report.print_table(results)
    out = Path(".rollcall/bench/latest.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
