"""The launcher's port choice (shared by run, tests, the scaled profile and the benchmark)."""

from __future__ import annotations

import pytest

from clinic_assistant import launcher


def test_free_port_never_hands_out_the_same_port_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """The OS may offer the same port again before anything binds it (the scaled
    profile once gave Redis and a Rasa replica one port)."""
    offered = iter([41001, 41001, 41002])

    class FakeSocket:
        def __enter__(self) -> FakeSocket:
            return self

        def __exit__(self, *exc_info: object) -> None:
            pass

        def bind(self, address: tuple) -> None:
            self.port = next(offered)

        def getsockname(self) -> tuple:
            return ("127.0.0.1", self.port)

    monkeypatch.setattr(launcher, "_HANDED_OUT", set())
    monkeypatch.setattr(launcher.socket, "socket", FakeSocket)
    assert [launcher.free_port(), launcher.free_port()] == [41001, 41002]


def test_real_ports_are_distinct() -> None:
    ports = [launcher.free_port() for _ in range(50)]
    assert len(set(ports)) == 50


def test_an_assistant_on_free_ports_shares_none(tmp_path) -> None:
    first = launcher.AssistantProcesses.on_free_ports(tmp_path / "a")
    second = launcher.AssistantProcesses.on_free_ports(tmp_path / "b", start_actions=False)
    ports = [p.rasa_port for p in (first, second)] + [p.action_port for p in (first, second)]
    ports += [p.action_metrics_port for p in (first, second)]
    assert len(set(ports)) == 6 and not second.start_actions and first.processes == []
