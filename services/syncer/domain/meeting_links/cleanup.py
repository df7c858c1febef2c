"""A URL-shaped string from text → an absolute URL: HTML entities decoded, trailing punctuation
and unbalanced closing brackets dropped, app schemes (`zoommtg://`, `msteams:`) made https, and
`https://` added to a well-known meeting host written without a scheme."""

from __future__ import annotations

import html
import re

# Only entities closed by `;`: `html.unescape` alone would also read `&para=` as `¶=`.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# The first character that cannot be part of a URL (RFC 3986 reserved and unreserved, and `%`).
_NOT_URL = re.compile(r"[^A-Za-z0-9\-._~:/?#@!$&()*+,;=%]")
_TRAILING = ".,;:!?*'\""
_OPENERS = {")": "(", "]": "[", "}": "{", ">": "<"}
_APP_SCHEMES = ("zoommtg", "zoomus")


def absolute_url(token: str) -> str:
    """The token as an absolute URL (its scheme lower-cased); see the module docstring."""
    if "&" in token:
        token = _ENTITY.sub(lambda entity: html.unescape(entity.group()), token)
        if end := _NOT_URL.search(token):
            token = token[: end.start()]
    return _with_scheme(_trimmed(token))


def _trimmed(token: str) -> str:
    """Without trailing sentence punctuation, or a closing bracket that nothing in it opened."""
    while token and (token[-1] in _TRAILING or _unbalanced(token)):
        token = token[:-1]
    return token


def _unbalanced(token: str) -> bool:
    last = token[-1]
    return last in _OPENERS and token.count(last) > token.count(_OPENERS[last])


def _with_scheme(token: str) -> str:
    scheme, separator, rest = token.partition("://")
    if separator:
        scheme = scheme.lower()
        return f"https://{rest}" if scheme in _APP_SCHEMES else f"{scheme}://{rest}"
    if token[:8].lower() == "msteams:":
        return "https://teams.microsoft.com/" + token[8:].lstrip("/")
    return f"https://{token}"
