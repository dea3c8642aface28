"""HTTP to a learning record store (xAPI 1.0.3 statements resource), with `requests`.

Every failure is an `LrsError` whose message names the endpoint and the status, never the credentials
and never the body of a response verbatim (it passes through `one_line` and is cut short)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urljoin

from tutor.safetext import abbreviate, one_line

VERSION_HEADER = {"X-Experience-API-Version": "1.0.3"}
TIMEOUT = (5, 60)  # connect, read (seconds)


class LrsError(Exception):
    """The LRS could not be used; `unreachable` when nothing was heard from it (the statements stay queued)."""

    def __init__(self, message: str, *, unreachable: bool = False, status: int | None = None) -> None:
        super().__init__(message)
        self.unreachable = unreachable
        self.status = status


def _detail(response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, list):  # FastAPI's validation errors
        detail = "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail[:2])
    text = detail if isinstance(detail, str) else response.reason or ""
    return one_line(abbreviate(text, 160))


class Client:
    def __init__(self, config, session=None) -> None:
        import requests

        self.endpoint = config.endpoint
        self.session = session or requests.Session()
        self.session.auth = config.auth
        self.session.headers.update(VERSION_HEADER)

    def _call(self, method: str, url: str, **kwargs):
        import requests

        try:
            return self.session.request(method, url, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            raise LrsError(f"{self.endpoint}: unreachable ({type(exc).__name__})", unreachable=True) from None

    def _refused(self, response) -> LrsError:
        status = response.status_code
        why = {401: "refused the credentials", 403: "refused: these credentials may not do this"}.get(status, "refused the request")
        if status == 409:  # same ids, other content: answers imported from another pseudonym, or an edited bank
            return LrsError(f"{self.endpoint}: the LRS already holds different statements with these ids (409); answers "
                            "imported from another pseudonym are sent under it: `tutor progress pseudonym` shows and sets "
                            "yours", status=status)
        if status >= 500:
            return LrsError(f"{self.endpoint}: the LRS failed ({status}: {_detail(response)})", status=status)
        return LrsError(f"{self.endpoint}: {why} ({status}: {_detail(response)})", status=status)

    def post(self, statements: list[dict]) -> None:
        """Store a batch: 200 (stored) and 204 (all already there) both mean the LRS holds every one."""
        body = json.dumps(statements, ensure_ascii=False).encode("utf-8")
        response = self._call("POST", self.endpoint, data=body, headers={"Content-Type": "application/json"})
        if response.status_code not in (200, 204):
            raise self._refused(response)

    def statements(self, page: int = 500, verb: str | None = None) -> Iterator[dict]:
        """Every statement the credentials may read (of one verb, when given), page by page (following `more`)."""
        url, params = self.endpoint, {"limit": page, **({"verb": verb} if verb else {})}
        while url:
            response = self._call("GET", url, params=params)
            if response.status_code != 200:
                raise self._refused(response)
            try:
                data = response.json()
            except ValueError:
                raise LrsError(f"{self.endpoint}: the LRS answered something that is not JSON") from None
            found = data.get("statements") if isinstance(data, dict) else None
            if not isinstance(found, list):
                raise LrsError(f"{self.endpoint}: the LRS answered without a statements list")
            yield from found
            more = data.get("more")
            url, params = (urljoin(self.endpoint, more), None) if isinstance(more, str) and more else (None, None)
