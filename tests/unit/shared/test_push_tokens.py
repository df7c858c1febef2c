"""Push channel tokens: derived from the channel id under the shared secret."""

from __future__ import annotations

import pytest

from shared.push_tokens import calendar_of_channel, channel_token, new_channel_id, token_matches


def test_a_token_is_bound_to_its_channel_and_secret() -> None:
    token = channel_token("secret", "cal_1.abc")
    assert token == channel_token("secret", "cal_1.abc")
    assert token_matches("secret", "cal_1.abc", token)
    assert not token_matches("secret", "cal_1.abd", token)
    assert not token_matches("other", "cal_1.abc", token)
    assert not token_matches("secret", "cal_1.abc", None)
    assert not token_matches("secret", "cal_1.abc", token[:-1])
    assert "secret" not in token and len(token) == 43  # 32 bytes, base64url without padding


def test_no_secret_means_no_tokens_and_nothing_verifies() -> None:
    with pytest.raises(ValueError):
        channel_token("", "cal_1.abc")
    assert not token_matches("", "cal_1.abc", "anything")


def test_channel_ids_name_their_calendar_and_differ_each_time() -> None:
    first, second = new_channel_id("cal_01ABC"), new_channel_id("cal_01ABC")
    assert first != second
    assert calendar_of_channel(first) == "cal_01ABC"
    assert len(first) <= 64
    assert calendar_of_channel("nodot") is None
    assert calendar_of_channel(".abc") is None
    assert calendar_of_channel("cal_1.") is None
