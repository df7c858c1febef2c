"""Push channel tokens: derived from the channel id under the shared secret."""

from __future__ import annotations

import pytest

from shared.push_tokens import (
    calendar_of_channel,
    channel_token,
    client_state,
    new_channel_id,
    parse_client_state,
    token_matches,
)


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


def test_a_client_state_carries_the_channel_and_its_token_within_graphs_128_characters() -> None:
    channel_id = new_channel_id("cal_01HZY3K8V6Q2W9E4R7T1Y5U3I0")
    token = channel_token("secret", channel_id)
    state = client_state(channel_id, token)
    assert len(state) <= 128
    assert parse_client_state(state) == (channel_id, token)
    longest = "c" * 64
    assert parse_client_state(client_state(longest, token)) == (longest, token)


def test_values_that_are_no_client_state_parse_to_nothing() -> None:
    for value in (None, "", "nodot", ".token", "cal_1.", "x" * 100 + "." + "t" * 40):
        assert parse_client_state(value) is None
    with pytest.raises(ValueError):
        client_state("cal_1.abc", "to.ken")  # a token holding the separator could not be parsed
    with pytest.raises(ValueError):
        client_state("c" * 100, "t" * 43)
