"""Which addresses a push channel may notify (`sandbox.push_targets`), refused in Google's words
(Google itself requires public HTTPS, providers.md §1.9)."""

from __future__ import annotations

from sandbox import push_targets
from sandbox.google import errors


def check(address: str, *, allow_private: bool) -> None:
    """400 `push.webhookUrlInvalid` for a non-URL, 401 `push.webhookUrlUnauthorized` for a
    private host when those are not allowed."""
    if push_targets.address_problem(address, allow_private=True) is not None:
        raise errors.bad_request(
            f"Invalid push address: {address}", reason="push.webhookUrlInvalid"
        )
    if push_targets.address_problem(address, allow_private=allow_private) is not None:
        raise errors.GoogleApiError(
            401,
            "push.webhookUrlUnauthorized",
            f"Unauthorized WebHook callback channel: {address}",
        )
