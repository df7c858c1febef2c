"""Read-model rows → public JSON shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.gateway.project_schemas import ProjectOut
from services.gateway.schemas import CalendarOut
from services.gateway.store.calendars import CalendarRow
from services.gateway.store.events import EventRow
from services.gateway.store.projects import ProjectRow

# Fields of the canonical state that are internal bookkeeping, not part of the public object.
_INTERNAL = ("description_truncated", "raw_truncated")


def calendar_out(row: CalendarRow) -> CalendarOut:
    return CalendarOut.model_validate(
        {
            "id": row.id,
            "provider": row.provider,
            "state": row.state,
            "platform_uuid": row.platform_uuid,
            "name": row.name,
            "account_email": row.account_email,
            "metadata": row.metadata,
            "deduplication_key": row.deduplication_key,
            "connection_failure_data": row.connection_failure_data,
            "event_count": row.event_count,
            "sync_window": row.sync_window,
            "push": row.push,
            "sync_issues": row.sync_issues,
            "sync_issue_count": row.sync_issue_count,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
            "last_attempted_sync_at": row.last_attempted_sync_at,
            "last_successful_sync_at": row.last_successful_sync_at,
        }
    )


def event_out(row: EventRow) -> dict[str, Any]:
    body = {k: v for k, v in row.body.items() if k not in _INTERNAL}
    body["bot"] = None
    body["auto_join"] = {"decision": "skip", "reason": "auto-join is off for this calendar"}
    body["created_at"] = _utc(row.created_at)
    body["updated_at"] = _utc(row.updated_at)
    return body


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def project_out(row: ProjectRow) -> ProjectOut:
    """The project's settings; its OAuth apps only as the public facts the connector gave."""
    return ProjectOut.model_validate(
        {
            "id": row.id,
            "name": row.name,
            "bot_runner_url": row.bot_runner_url,
            "oauth_apps": row.oauth_apps,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }
    )
