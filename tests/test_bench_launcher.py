"""The benchmark's build launcher (bench/launcher.py) reports each build's own peak memory."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.bench_support import load_bench_script


@pytest.fixture(scope="module")
def launcher_module() -> ModuleType:
    return load_bench_script("launcher")


@pytest.fixture
def launcher(launcher_module: ModuleType) -> Iterator[Any]:
    started = launcher_module.Launcher.start()
    yield started
    started.close()


def test_a_small_build_started_by_a_large_runner_reports_its_own_memory(
        launcher: Any, tmp_path: Path) -> None:
    runner_memory = bytearray(400 * 2**20)  # the runner, after generating a corpus
    for offset in range(0, len(runner_memory), 4096):
        runner_memory[offset] = 1
    reply = launcher.run([sys.executable, "-c", "pass"], tmp_path, dict(os.environ), 60.0)
    assert reply["status"] == 0
    assert reply["maxrss_kib"] < 100 * 1024  # a bare interpreter, not the runner's 400 MiB
    assert reply["wall"] > 0 and reply["cpu"] > 0


def test_a_build_that_allocates_reports_that_peak(launcher: Any, tmp_path: Path) -> None:
    code = "block = bytearray(200 * 2**20)\nfor i in range(0, len(block), 4096): block[i] = 1"
    reply = launcher.run([sys.executable, "-c", code], tmp_path, dict(os.environ), 60.0)
    assert 200 * 1024 <= reply["maxrss_kib"] < 300 * 1024


def test_a_failed_build_sends_back_its_status_and_output(launcher: Any, tmp_path: Path) -> None:
    code = "import sys; print('digest: broken.md:3: bad date', file=sys.stderr); sys.exit(1)"
    reply = launcher.run([sys.executable, "-c", code], tmp_path, dict(os.environ), 60.0)
    assert reply["status"] == 1
    assert reply["output"].strip() == "digest: broken.md:3: bad date"


def test_a_build_past_its_time_limit_is_killed(launcher: Any, tmp_path: Path) -> None:
    reply = launcher.run([sys.executable, "-c", "import time; time.sleep(60)"], tmp_path,
                         dict(os.environ), 0.5)
    assert reply["status"] != 0 and reply["wall"] < 30
