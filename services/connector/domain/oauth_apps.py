"""A project's own OAuth apps for hosted OAuth (`PATCH /v1/project` `oauth_apps`): the merge of a
change into the stored app, its rules, and the public facts shown for it. Pure.

A change is a JSON merge patch (RFC 7396) of one provider's app: absent fields stay, given ones
replace, `webhook_secret: null` removes the webhook secret, and the whole app `null` removes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import SecretStr

HOSTED_PROVIDERS: tuple[str, ...] = ("google", "microsoft", "zoom")
# Only Zoom signs the webhooks it sends with a per-app secret (its "secret token").
WEBHOOK_PROVIDERS: frozenset[str] = frozenset({"zoom"})


@dataclass(frozen=True)
class OAuthApp:
    """One provider's OAuth client registered by the tenant; secrets never in `repr`."""

    client_id: str
    client_secret: SecretStr
    webhook_secret: SecretStr | None = None

    def sealable(self) -> dict[str, str]:
        """The plaintext the row seals."""
        sealed = {
            "client_id": self.client_id,
            "client_secret": self.client_secret.get_secret_value(),
        }
        if self.webhook_secret is not None:
            sealed["webhook_secret"] = self.webhook_secret.get_secret_value()
        return sealed

    @classmethod
    def from_sealed(cls, opened: Mapping[str, str]) -> OAuthApp:
        webhook = opened.get("webhook_secret")
        return cls(
            client_id=opened["client_id"],
            client_secret=SecretStr(opened["client_secret"]),
            webhook_secret=SecretStr(webhook) if webhook is not None else None,
        )


@dataclass(frozen=True)
class AppFacts:
    """What `GET /v1/project` may show of an app: never a secret, only whether it is set."""

    client_id: str
    client_secret_set: bool
    webhook_secret_set: bool

    @classmethod
    def of(cls, app: OAuthApp) -> AppFacts:
        return cls(app.client_id, True, app.webhook_secret is not None)


@dataclass(frozen=True)
class AppChange:
    """One provider's part of a change: the fields given (None: not given). `webhook_secret`
    is set only when `webhook_given`; then None means "remove it"."""

    client_id: str | None = None
    client_secret: str | None = None
    webhook_secret: str | None = None
    webhook_given: bool = False


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class InvalidAppChange(ValueError):
    """Raised when a change would leave an app incomplete or inconsistent; `errors` name the
    fields (`oauth_apps.<provider>.<field>`)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


_NO_APP = OAuthApp("", SecretStr(""))


def merged(provider: str, current: OAuthApp | None, change: AppChange | None) -> OAuthApp | None:
    """The app after `change` (None: removed). Raises `InvalidAppChange`: a new app needs its
    client id and secret, a new client id needs its own secret, and only Zoom apps have a
    webhook secret."""
    if change is None:
        return None
    errors = _errors(provider, current, change)
    if errors:
        raise InvalidAppChange(errors)
    base = current or _NO_APP  # a new app brings its id and secret (checked above)
    secret = SecretStr(change.client_secret) if change.client_secret else base.client_secret
    webhook = base.webhook_secret
    if change.webhook_given:
        webhook = SecretStr(change.webhook_secret) if change.webhook_secret else None
    return OAuthApp(change.client_id or base.client_id, secret, webhook)


def _errors(provider: str, current: OAuthApp | None, change: AppChange) -> list[FieldError]:
    path = f"oauth_apps.{provider}"
    errors = []
    if provider not in HOSTED_PROVIDERS:
        return [FieldError(path, "hosted OAuth supports google, microsoft and zoom")]
    if change.webhook_given and provider not in WEBHOOK_PROVIDERS:
        errors.append(FieldError(f"{path}.webhook_secret", "only Zoom apps have a webhook secret"))
    if current is None and not change.client_id:
        errors.append(FieldError(f"{path}.client_id", "required for a new app"))
    new_client = current is None or (change.client_id or current.client_id) != current.client_id
    if new_client and not change.client_secret:
        reason = "required for a new app" if current is None else "required with a new client_id"
        errors.append(FieldError(f"{path}.client_secret", reason))
    return errors
