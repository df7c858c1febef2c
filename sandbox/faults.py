"""Injected faults: rules that make matching provider requests fail or slow down, and per-provider
budgets of push notifications to drop. `FaultRules` implements `sandbox.world.FaultInjector`; the
middleware in `sandbox.traffic` applies the rules, in each provider's own error shape
(`ProviderBackend.fault_answer`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FaultRule:
    """Affects the next `remaining` requests of `provider` under `path` (None: every path).

    `path` is provider-relative (`/calendar/v3/calendars/primary/events`) and matches itself and
    everything below it, segment by segment; a `*` segment matches any one segment.
    """

    id: int
    provider: str
    path: str | None
    status: int  # 0: no error, only the added latency
    reason: str | None
    remaining: int
    retry_after: int | None
    latency_ms: int

    def matches(self, provider: str, path: str) -> bool:
        if provider != self.provider:
            return False
        if self.path is None:
            return True
        wanted, actual = segments(self.path), segments(path)
        if len(actual) < len(wanted):
            return False
        return all(w in ("*", a) for w, a in zip(wanted, actual, strict=False))


def segments(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


def relative_path(provider: str, path: str) -> str:
    """Accept `/google/calendar/v3/…` as well as `/calendar/v3/…` in a rule."""
    prefix = f"/{provider}"
    if path == prefix or path.startswith(prefix + "/"):
        return path[len(prefix) :] or "/"
    return path


class FaultRules:
    """The live fault rules and push-drop budgets; the first-added matching rule applies."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._push_drops: dict[str, int] = {}
        self._next_id = 1

    def add_rule(
        self,
        provider: str,
        *,
        path: str | None,
        status: int,
        reason: str | None,
        count: int,
        retry_after: int | None,
        latency_ms: int,
    ) -> FaultRule:
        rule_path = None if path is None else relative_path(provider, path)
        rule = FaultRule(
            self._next_id, provider, rule_path, status, reason, count, retry_after, latency_ms
        )
        self._next_id += 1
        self._rules.append(rule)
        return rule

    def add_push_drops(self, provider: str, count: int) -> None:
        self._push_drops[provider] = self._push_drops.get(provider, 0) + count

    def clear(self) -> None:
        self._rules.clear()
        self._push_drops.clear()

    def rules(self) -> list[FaultRule]:
        return list(self._rules)

    def push_drops(self, provider: str) -> int:
        return self._push_drops.get(provider, 0)

    def take(self, provider: str, path: str) -> FaultRule | None:
        """The first live rule matching this request, with one use consumed; spent rules go."""
        for rule in self._rules:
            if rule.matches(provider, path):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._rules.remove(rule)
                return rule
        return None

    def take_push_drop(self, provider: str) -> bool:
        """`FaultInjector`: True (and one less to drop) while the provider's budget lasts."""
        left = self._push_drops.get(provider, 0)
        if left <= 0:
            return False
        self._push_drops[provider] = left - 1
        return True
