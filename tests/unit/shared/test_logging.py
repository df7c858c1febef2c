"""Log lines are JSON with the correlation id, and never carry exception message texts."""

from __future__ import annotations

import json
import logging

from shared.logging import JsonFormatter, correlation_id


def _format(record: logging.LogRecord) -> dict[str, object]:
    return json.loads(JsonFormatter("test").format(record))  # type: ignore[no-any-return]


def test_exception_texts_are_left_out_but_types_and_frames_kept() -> None:
    try:
        try:
            raise KeyError("hunter2-password")
        except KeyError as inner:
            raise RuntimeError("token=abc123 leaked") from inner
    except RuntimeError:
        import sys

        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "sync failed", None, sys.exc_info()
        )
    line = json.dumps(_format(record))
    assert "hunter2" not in line and "abc123" not in line
    assert "RuntimeError" in line and "KeyError" in line and "test_logging.py" in line


def test_extra_fields_and_the_correlation_id_are_included() -> None:
    token = correlation_id.set("req-9")
    try:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "calendar synced", None, None)
        record.calendar_id = "cal_1"
        entry = _format(record)
    finally:
        correlation_id.reset(token)
    assert entry["msg"] == "calendar synced" and entry["calendar_id"] == "cal_1"
    assert entry["correlation_id"] == "req-9" and entry["level"] == "info"
