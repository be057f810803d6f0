"""Sign-in sessions and the slowing down of wrong passwords (tracker.web.sessions), on a
clock the test moves."""

from __future__ import annotations

from tracker.web.sessions import LONGEST_WAIT, Officer, Sessions, Throttle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_session_lives_while_used_and_expires_when_idle() -> None:
    clock = Clock()
    sessions = Sessions(idle=60, longest=3600, clock=clock)
    session = sessions.open(Officer("王科员"))
    clock.now += 50
    assert sessions.get(session.token) is session
    sessions.touch(session)
    clock.now += 50  # 100 s after signing in, 50 s after last use
    assert sessions.get(session.token) is session
    clock.now += 61
    assert sessions.get(session.token) is None
    assert sessions.get(session.token) is None  # forgotten, not only refused


def test_a_session_ends_after_its_longest_time_even_in_use() -> None:
    clock = Clock()
    sessions = Sessions(idle=60, longest=300, clock=clock)
    session = sessions.open(Officer("王科员"))
    for _ in range(6):
        clock.now += 50
        assert sessions.get(session.token) is session
        sessions.touch(session)
    clock.now += 1  # 301 s after signing in, 1 s after last use
    assert sessions.get(session.token) is None


def test_tokens_are_long_random_and_unknown_ones_are_refused() -> None:
    sessions = Sessions(idle=60, longest=300)
    first, second = sessions.open(Officer("甲")), sessions.open(Officer("乙"))
    assert first.token != second.token and len(first.token) >= 40
    assert sessions.get(first.token[:-1] + "x") is None
    assert sessions.get("") is None and sessions.get(None) is None


def test_signing_out_closes_the_session_and_expired_ones_are_swept() -> None:
    clock = Clock()
    sessions = Sessions(idle=60, longest=3600, clock=clock)
    stays, goes = sessions.open(Officer("甲")), sessions.open(Officer("乙"))
    assert sessions.close(stays.token) is stays
    assert sessions.get(stays.token) is None
    clock.now += 61
    assert [s.officer.name for s in sessions.expired_ones()] == ["乙"]
    assert sessions.get(goes.token) is None


def test_wrong_passwords_make_the_next_try_wait_longer_each_time() -> None:
    clock = Clock()
    throttle = Throttle(clock)
    keys = ["name:王科员", "address:10.0.0.5"]
    assert throttle.wait(keys) == 0
    waits = []
    for _ in range(5):
        throttle.failed(keys)
        waits.append(throttle.wait(keys))
    assert waits == [1, 2, 4, 8, 16]
    clock.now += 16
    assert throttle.wait(keys) == 0
    for _ in range(20):
        throttle.failed(keys)
    assert throttle.wait(keys) == LONGEST_WAIT


def test_a_wait_on_either_the_name_or_the_address_holds() -> None:
    clock = Clock()
    throttle = Throttle(clock)
    throttle.failed(["name:王科员", "address:10.0.0.5"])
    throttle.failed(["name:王科员", "address:10.0.0.5"])
    # Another address guessing the same name waits; so does the same address on another name.
    assert throttle.wait(["name:王科员", "address:10.0.0.9"]) == 2
    assert throttle.wait(["name:李科员", "address:10.0.0.5"]) == 2
    assert throttle.wait(["name:李科员", "address:10.0.0.9"]) == 0


def test_a_right_password_clears_the_count() -> None:
    clock = Clock()
    throttle = Throttle(clock)
    keys = ["name:王科员", "address:10.0.0.5"]
    for _ in range(3):
        throttle.failed(keys)
    clock.now += 4
    throttle.succeeded(keys)
    throttle.failed(keys)
    assert throttle.wait(keys) == 1
