"""Announcing a calendar's sync issues (`calendar.sync_issues`) whenever the set changes, so the
API shows which provider objects were skipped and why (a refused series, bad data).

The set is compared by a digest of (object, reason, message), not by when each was last seen:
re-failing the same way every sync announces nothing. An empty set after issues is announced
too (they are resolved). Runs in the page's inbox transaction, with the calendar row locked.
"""

from __future__ import annotations

import hashlib
import json

from services.syncer import issue_store
from shared.contracts.sync_issues import MAX_LISTED, CalendarSyncIssues, SyncIssue
from shared.db.types import Connection
from shared.messaging import outbox


async def announce_if_changed(conn: Connection, project_id: str, calendar_id: str) -> bool:
    """Publish the calendar's issues if they differ from the last announcement (the first
    announcement is skipped while there are none); True when one was published."""
    current = await issue_store.current_issues(conn, calendar_id)
    digest = _digest(current)
    version = await issue_store.next_issues_version(conn, calendar_id, digest)
    if version is None or (version == 1 and not current):
        return False
    listed = tuple(
        SyncIssue(
            provider_object_id=issue.provider_object_id,
            reason=issue.reason,
            message=issue.error,
            since=issue.at,
        )
        for issue in current[:MAX_LISTED]
    )
    message = CalendarSyncIssues(
        calendar_id=calendar_id, version=version, issues=listed, total=len(current)
    )
    await outbox.enqueue(conn, message, project_id)
    return True


def _digest(issues: list[issue_store.CurrentIssue]) -> str:
    material = json.dumps([[i.provider_object_id, i.reason, i.error] for i in issues])
    return hashlib.sha256(material.encode()).hexdigest()
