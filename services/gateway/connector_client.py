"""Internal HTTP client for the connector, which alone stores credentials and talks to providers."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from shared.http.problems import Problem


class CodeNotExchanged(Exception):
    """Raised when the connector did not turn an authorization code into a calendar; `error`
    is the OAuth error code for the client's redirect."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class ConnectorClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._timeout = timeout
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {token}"},
            transport=transport,
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def store_credentials(
        self,
        *,
        project_id: str,
        calendar_id: str,
        provider: str,
        credentials: dict[str, Any],
        platform_uuid: str | None,
    ) -> None:
        """Hand the credentials to the connector (encrypted at rest there, never kept here).

        A 422 from the connector (credentials refused, URL not allowed) is passed through;
        a connector that cannot be reached is a 503 for the client, never a hang.
        """
        body = {
            "project_id": project_id,
            "calendar_id": calendar_id,
            "provider": provider,
            "credentials": credentials,
            "platform_uuid": platform_uuid,
        }
        await self._call(
            "POST",
            "/internal/credentials",
            body,
            expected=204,
            passed=(422,),
            failure="The connector service could not store the credentials.",
        )

    async def list_calendars(
        self, *, project_id: str, provider: str, credentials: dict[str, Any]
    ) -> dict[str, Any]:
        """The account's calendars straight from the provider (through the connector).

        The connector's 422 (credentials refused, server unreachable) and 502 (provider
        failing) are passed through; a connector that cannot answer is a 503.
        """
        body = {"project_id": project_id, "provider": provider, "credentials": credentials}
        try:
            response = await self._call(
                "POST",
                "/internal/calendars/raw",
                body,
                passed=(422, 502),
                failure="The connector service could not list the calendars.",
                provider_call=True,
            )
        except httpx.TimeoutException as exc:
            raise Problem(502, "The provider did not answer in time.") from exc
        listing: dict[str, Any] = response.json()
        return listing

    async def change_oauth_apps(
        self, project_id: str, changes: dict[str, Any]
    ) -> tuple[int, dict[str, dict[str, Any]]]:
        """Hand the project's app changes (secrets included) to the connector, which seals
        them; returns the change's version and the apps' public facts. The connector's 422
        (an incomplete app) is passed through; one that cannot be reached is a 503."""
        path = f"/internal/projects/{quote(project_id, safe='')}/oauth_apps"
        response = await self._call(
            "PATCH",
            path,
            changes,
            passed=(422,),
            failure="The connector service could not store the OAuth apps.",
        )
        answer = response.json()
        return int(answer["version"]), dict(answer["apps"])

    async def authorization_url(
        self, *, project_id: str, provider: str, state: str, login_hint: str | None
    ) -> str:
        """The provider's consent URL for the project's app (built by the connector, which
        keeps the PKCE verifier). 422 (no app), 502 (provider failing) and 503 (hosted OAuth
        not configured) are passed through."""
        body = {
            "project_id": project_id,
            "provider": provider,
            "state": state,
            "login_hint": login_hint,
        }
        try:
            response = await self._call(
                "POST",
                "/internal/oauth/authorizations",
                body,
                passed=(422, 502, 503),
                failure="The connector service could not start the authorization.",
                provider_call=True,
            )
        except httpx.TimeoutException as exc:
            raise Problem(502, "The provider did not answer in time.") from exc
        return str(response.json()["authorization_url"])

    async def exchange_code(
        self,
        *,
        project_id: str,
        provider: str,
        state: str,
        code: str,
        calendar_id: str,
        platform_uuid: str | None,
    ) -> None:
        """Have the connector exchange the code and register the credentials for
        `calendar_id`; raises `CodeNotExchanged` (never a problem: the callback redirects)."""
        body = {
            "project_id": project_id,
            "provider": provider,
            "state": state,
            "code": code,
            "calendar_id": calendar_id,
            "platform_uuid": platform_uuid,
        }
        try:
            response = await self._http.post(
                "/internal/oauth/exchanges", json=body, timeout=self._timeout + 5
            )
        except httpx.HTTPError:
            raise CodeNotExchanged("temporarily_unavailable") from None
        if response.status_code == 204:
            return
        error = response.json().get("error") if _is_problem(response) else None
        raise CodeNotExchanged(error if isinstance(error, str) else "server_error")

    async def zoom_delivery(self, *, timestamp: str, signature: str, body: str) -> dict[str, Any]:
        """Have the connector check a Zoom webhook delivery against the projects' secrets:
        `{project_ids, validation, calendar_ids}`. Its 401 (signed by no project) and 400
        (not Zoom's JSON) are passed through; a connector that cannot answer is a 503."""
        payload = {"timestamp": timestamp, "signature": signature, "body": body}
        response = await self._call(
            "POST",
            "/internal/push/zoom",
            payload,
            passed=(400, 401),
            failure="The connector service could not check the delivery.",
        )
        answer: dict[str, Any] = response.json()
        return answer

    async def _call(
        self,
        method: str,
        path: str,
        body: Any,
        *,
        passed: tuple[int, ...],
        failure: str,
        expected: int = 200,
        provider_call: bool = False,
    ) -> httpx.Response:
        """One internal call: the connector's problems with a `passed` status are passed
        through; any other answer but `expected` is a 503 saying `failure`, and so is a
        connector that cannot be reached. A `provider_call` gets 5 s more than the connector's
        own bound on the provider, so the connector can say what happened; its timeout
        (`httpx.TimeoutException`) is the caller's to word."""
        timeout = self._timeout + 5 if provider_call else self._timeout
        try:
            response = await self._http.request(method, path, json=body, timeout=timeout)
        except httpx.TimeoutException:
            if provider_call:
                raise
            raise Problem(503, "The connector service is unavailable; try again.") from None
        except httpx.HTTPError as exc:
            raise Problem(503, "The connector service is unavailable; try again.") from exc
        if response.status_code in passed and _is_problem(response):
            raise _passed_through(response)
        if response.status_code != expected:
            raise Problem(503, failure)
        return response


def _is_problem(response: httpx.Response) -> bool:
    content_type: str = response.headers.get("content-type", "")
    return content_type.startswith("application/problem+json")


def _passed_through(response: httpx.Response) -> Problem:
    problem = response.json()
    extra = {k: v for k, v in problem.items() if k == "reason"}
    return Problem(
        response.status_code,
        str(problem.get("detail", "The provider refused the request.")),
        type_=str(problem.get("type", "about:blank")),
        errors=problem.get("errors"),
        extra=extra,
    )
