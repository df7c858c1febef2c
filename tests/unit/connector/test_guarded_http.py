"""An operation's `Deadline`: requests refused once it is over or cancelled, the request in
flight cut off (its abort run) at its own deadline or on cancel, extensions capped."""

from __future__ import annotations

import threading

import pytest

from services.connector.providers.guarded_http import Deadline, DeadlineExceeded


def test_cancelling_cuts_off_the_request_in_flight_and_refuses_any_further_one() -> None:
    deadline = Deadline(60)
    aborted = threading.Event()
    with pytest.raises(DeadlineExceeded), deadline.request(60, aborted.set):
        deadline.cancel()
        assert aborted.is_set()
        raise ConnectionError("what a request on a closed session raises")
    with pytest.raises(DeadlineExceeded), deadline.request(60, aborted.set):
        pytest.fail("a request was let through after the operation was cancelled")
    assert deadline.remaining() == 0


def test_a_request_still_going_at_its_own_deadline_is_aborted() -> None:
    deadline = Deadline(60)
    aborted = threading.Event()
    with pytest.raises(DeadlineExceeded), deadline.request(0.05, aborted.set):
        assert aborted.wait(10)  # the watchdog closes the connection the request waits on
        raise OSError("bad file descriptor")
    with deadline.request(60, aborted.set):
        pass  # the operation itself still has time


def test_a_failure_not_caused_by_the_deadline_is_left_alone() -> None:
    deadline = Deadline(60)
    with pytest.raises(ConnectionRefusedError), deadline.request(60, lambda: None):
        raise ConnectionRefusedError


def test_a_request_is_refused_once_the_operation_is_out_of_time() -> None:
    deadline = Deadline(0)
    with pytest.raises(DeadlineExceeded), deadline.request(60, lambda: None):
        pytest.fail("a request was let through after the operation's time")


def test_extensions_stop_at_the_most_the_operation_may_take() -> None:
    capped = Deadline(1, most_seconds=3)
    capped.extend(100)
    assert 2 < capped.remaining() <= 3
    fixed = Deadline(1)
    fixed.extend(100)
    assert fixed.remaining() <= 1
