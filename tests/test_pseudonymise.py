"""Keyed pseudonyms: stable, key-dependent, and the key handled safely."""

from __future__ import annotations

import logging
import os
import stat
import threading
from pathlib import Path

import pytest

from rtp_eval.errors import ConfigError
from rtp_eval.pseudonymise import (
    DEMO_KEY,
    ensure_key_file,
    key_fingerprint,
    pseudonymise,
    resolve_key,
)


def test_pseudonym_is_stable_and_keyed() -> None:
    key_a, key_b = b"a" * 32, b"b" * 32
    assert pseudonymise("5560360793", key_a) == pseudonymise("5560360793", key_a)
    assert pseudonymise("5560360793", key_a) != pseudonymise("5560360793", key_b)
    assert pseudonymise("5560360793", key_a) != pseudonymise("5560360801", key_a)
    assert "5560360793" not in pseudonymise("5560360793", key_a)
    assert len(pseudonymise("5560360793", key_a)) == 20


def test_demo_key_only_with_demo_data() -> None:
    key = resolve_key(demo=True, use_demo_key=True, key_env="K", key_file="/x", environ={})
    assert key == DEMO_KEY.encode()
    with pytest.raises(ConfigError) as error:
        resolve_key(demo=False, use_demo_key=True, key_env="K", key_file="/x", environ={})
    assert error.value.key == "pseudonymisation.use_demo_key"


def test_environment_key_wins_and_must_be_long(tmp_path: Path) -> None:
    environ = {"K": "s" * 40}
    key = resolve_key(
        demo=False, use_demo_key=False, key_env="K", key_file=str(tmp_path / "k"), environ=environ
    )
    assert key == b"s" * 40
    assert not (tmp_path / "k").exists()
    with pytest.raises(ConfigError):
        resolve_key(
            demo=False, use_demo_key=False, key_env="K", key_file="/x", environ={"K": "short"}
        )


def test_key_file_created_once_private_and_shared_by_concurrent_jobs(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "pseudonym.key"
    keys: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: keys.append(ensure_key_file(path))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(path.parent.iterdir()) == [path]
    assert key_fingerprint(keys[0]) != key_fingerprint(b"x" * 32)
    assert keys[0].decode() not in key_fingerprint(keys[0])


@pytest.mark.parametrize(
    ("mode", "warned"),
    [(0o600, False), (0o400, False), (0o640, True), (0o644, True), (0o604, True)],
)
def test_key_file_readable_by_others_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, mode: int, warned: bool
) -> None:
    path = tmp_path / "pseudonym.key"
    path.write_text("k" * 64 + "\n", encoding="utf-8")
    os.chmod(path, mode)
    with caplog.at_level(logging.WARNING, logger="rtp_eval"):
        assert ensure_key_file(path) == b"k" * 64
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    if warned:
        assert len(warnings) == 1
        assert str(path) in warnings[0] and f"{mode:04o}" in warnings[0]
        assert "chmod 600" in warnings[0]
    else:
        assert warnings == []


def test_created_key_file_is_private_under_a_permissive_umask(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    previous = os.umask(0o000)
    try:
        with caplog.at_level(logging.WARNING, logger="rtp_eval"):
            ensure_key_file(tmp_path / "pseudonym.key")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "pseudonym.key").stat().st_mode) == 0o600
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]
