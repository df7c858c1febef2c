"""The bytes a message travels as: compact UTF-8 JSON (not ASCII-escaped, which can double the
size of non-Latin text). Size budgets are measured with this same encoder."""

from __future__ import annotations

import json
from typing import Any

MAX_MESSAGE_BYTES = 1024 * 1024  # the producer's max_request_size and Kafka's default limit


def encode(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
