"""A provider object → canonical events, by the object's format: iCalendar (CalDAV, iCloud), a
Google event resource, a Microsoft Graph event, or a Zoom meeting."""

from __future__ import annotations

from services.syncer.domain import ical_mapping
from services.syncer.domain.google import mapping as google_mapping
from services.syncer.domain.graph import mapping as graph_mapping
from services.syncer.domain.mapping_context import MappingContext
from services.syncer.domain.zoom import mapping as zoom_mapping
from shared.contracts.events import EventState
from shared.contracts.provider import ProviderObject


def map_object(obj: ProviderObject, context: MappingContext) -> list[EventState]:
    """Raises `MappingError` when the object cannot become events."""
    if obj.format == "google":
        return google_mapping.map_object(obj, context)
    if obj.format == "graph":
        return graph_mapping.map_event(obj.data, obj.provider_object_id, context)
    if obj.format == "zoom":
        return zoom_mapping.map_meeting(obj.data, obj.provider_object_id, context)
    return ical_mapping.map_object(obj, context)
