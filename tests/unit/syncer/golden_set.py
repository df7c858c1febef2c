"""Golden files of one provider format: `golden/<folder>/<name><suffix>` holds a real-shaped
provider payload, `golden/<folder>/<name>.json` the mapping context and the expected canonical
events (without `raw`). Mapping goes through the syncer's dispatch by format, as
`provider.changes` objects arrive."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from services.syncer.domain.mapping import map_object
from services.syncer.domain.mapping_context import MappingContext
from shared.contracts.events import EventState
from shared.contracts.provider import ProviderObject

CALENDAR_ID = "cal_golden"
GOLDEN = Path(__file__).parent / "golden"


@dataclass(frozen=True)
class GoldenSet:
    folder: str
    suffix: str  # the payload files' ending, e.g. `.event.json`
    format: Literal["google", "graph", "zoom"]
    default_context: dict[str, Any]

    @property
    def path(self) -> Path:
        return GOLDEN / self.folder

    def cases(self) -> list[str]:
        return sorted(p.name.removesuffix(self.suffix) for p in self.path.glob(f"*{self.suffix}"))

    def payload(self, name: str) -> str:
        return (self.path / f"{name}{self.suffix}").read_text()

    def expected(self, name: str) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.path / f"{name}.json").read_text())
        return loaded

    def map(self, data: str, object_id: str, context: MappingContext) -> list[EventState]:
        obj = ProviderObject(provider_object_id=object_id, etag=None, format=self.format, data=data)
        return map_object(obj, context)

    def mapped(self, name: str, context: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The case's events as JSON (without `raw`), its object id being the payload's `id`."""
        context = context or self.default_context
        text = self.payload(name)
        ctx = MappingContext.of(
            CALENDAR_ID, context["calendar_time_zone"], context["account_addresses"]
        )
        events = self.map(text, str(json.loads(text)["id"]), ctx)
        return [e.model_dump(mode="json", exclude={"raw"}) for e in events]

    def regenerate(self) -> None:
        """Rewrite every expectation from the current mapping (then review the diff)."""
        for name in self.cases():
            path = self.path / f"{name}.json"
            exists = path.exists()
            context = json.loads(path.read_text())["context"] if exists else self.default_context
            body = {"context": context, "events": self.mapped(name, context)}
            path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
