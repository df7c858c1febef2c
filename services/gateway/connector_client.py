"""Internal HTTP client for the connector, which alone stores credentials and talks to providers."""

from __future__ import annotations

from typing import Any

import httpx

from shared.http.problems import Problem


class ConnectorClient:
    def __init__(self, base_url: str, token: str, timeout: float) -> None:
        self._timeout = timeout
        self._http = httpx.AsyncClient(
            base_url=base_url, timeout=timeout, headers={"Authorization": f"Bearer {token}"}
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
        try:
            response = await self._http.post("/internal/credentials", json=body)
        except httpx.HTTPError as exc:
            raise Problem(503, "The connector service is unavailable; try again.") from exc
        if response.status_code == 422:
            raise _passed_through(response)
        if response.status_code >= 400:
            raise Problem(503, "The connector service could not store the credentials.")

    async def list_calendars(
        self, *, project_id: str, provider: str, credentials: dict[str, Any]
    ) -> dict[str, Any]:
        """The account's calendars straight from the provider (through the connector).

        The connector's 422 (credentials refused, server unreachable) and 502 (provider
        failing) are passed through; a connector that cannot answer is a 503.
        """
        body = {"project_id": project_id, "provider": provider, "credentials": credentials}
        try:
            # The connector bounds the provider call itself; leave it room to say so.
            response = await self._http.post(
                "/internal/calendars/raw", json=body, timeout=self._timeout + 5
            )
        except httpx.TimeoutException as exc:
            raise Problem(502, "The provider did not answer in time.") from exc
        except httpx.HTTPError as exc:
            raise Problem(503, "The connector service is unavailable; try again.") from exc
        if response.status_code in (422, 502):
            raise _passed_through(response)
        if response.status_code != 200:
            raise Problem(503, "The connector service could not list the calendars.")
        listing: dict[str, Any] = response.json()
        return listing

    async def zoom_delivery(self, *, timestamp: str, signature: str, body: str) -> dict[str, Any]:
        """Have the connector check a Zoom webhook delivery against the projects' secrets:
        `{project_ids, validation, calendar_ids}`. Its 401 (signed by no project) and 400
        (not Zoom's JSON) are passed through; a connector that cannot answer is a 503."""
        payload = {"timestamp": timestamp, "signature": signature, "body": body}
        try:
            response = await self._http.post("/internal/push/zoom", json=payload)
        except httpx.HTTPError as exc:
            raise Problem(503, "The connector service is unavailable; try again.") from exc
        if response.status_code in (400, 401):
            raise _passed_through(response)
        if response.status_code != 200:
            raise Problem(503, "The connector service could not check the delivery.")
        answer: dict[str, Any] = response.json()
        return answer


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
