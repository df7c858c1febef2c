"""How mail and calendar clients wrap a link: redirectors around the URL, then text around it."""

from __future__ import annotations

import base64
import html
import re
import string
from urllib.parse import quote

_V3_RUNS = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"  # 2, 3, …


def safelinks(url: str, region: str = "nam12") -> str:
    return (
        f"https://{region}.safelinks.protection.outlook.com/?url={quote(url, safe='')}"
        "&data=05%7C02%7Calice%40example.com%7C9f1c%7C72f988bf86f141af91ab2d7cd011db47%7C1%7C0"
        "&sdata=k3Jd8%2FabCdEf%2BghIJ0%3D&reserved=0"
    )


def google_redirect(url: str) -> str:
    return (
        f"https://www.google.com/url?q={quote(url, safe='')}"
        "&sa=D&source=calendar&ust=1718191234567890&usg=AOvVaw3abcDEFghiJKLmnoPQ"
    )


def proofpoint_v2(url: str) -> str:
    """`-XX` for escapes, `_` for `/` (so `-` and `_` themselves are escaped first)."""
    escaped = quote(url, safe="").replace("-", "%2D").replace("_", "%5F")
    encoded = escaped.replace("%2F", "_").replace("%", "-")
    return (
        f"https://urldefense.proofpoint.com/v2/url?u={encoded}&d=DwMFaQ&c=abc&r=def&m=ghi&s=jkl&e="
    )


def proofpoint_v3(url: str) -> str:
    """Characters Proofpoint will not leave in the URL (`%`, `_`, `*`) become `*`, a run of n
    of them `**` and a letter for n; their values travel base64-encoded after `__;`."""
    template: list[str] = []
    replaced = ""
    for run in re.finditer(r"[%_*]+|[^%_*]+", url):
        chunk = run.group()
        if chunk[0] not in "%_*":
            template.append(chunk)
            continue
        replaced += chunk
        while chunk:
            part, chunk = chunk[: len(_V3_RUNS) + 1], chunk[len(_V3_RUNS) + 1 :]
            template.append("*" if len(part) == 1 else "**" + _V3_RUNS[len(part) - 2])
    encoded = base64.urlsafe_b64encode(replaced.encode()).decode().rstrip("=")
    return f"https://urldefense.com/v3/__{''.join(template)}__;{encoded}!!ACWV5N9M2RV99hQ!Ka8u3E$"


def angle_brackets(text: str) -> str:
    return f"<{text}>"


def html_anchor(text: str) -> str:
    return f'<a href="{html.escape(text)}" target="_blank">Join the meeting</a>'
