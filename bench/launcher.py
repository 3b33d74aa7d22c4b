"""Start builds from a small process, so that their peak memory is their own.

On Linux a child's ru_maxrss starts from the high-water mark of the process that forked it: a
build started by the benchmark runner, which holds a generated corpus of 10,000 articles,
would report the runner's memory as its own. So the runner starts this script first, while it
is still small, and has it start and time every build.

Protocol: one JSON line in ({"argv", "cwd", "env", "timeout"}), one JSON line out
({"wall", "cpu", "maxrss_kib", "status", "output"}), until stdin closes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

OUTPUT_TAIL = 4000  # characters of a failed build's output sent back


def run(argv: list[str], cwd: str, env: dict[str, str], timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err,
                                   stdin=subprocess.DEVNULL)
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # already reaped by wait4
        text = ""
        if process.returncode != 0:
            err.seek(0)
            out.seek(0)
            text = (err.read() or out.read()).decode("utf-8", "replace")[-OUTPUT_TAIL:]
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "maxrss_kib": usage.ru_maxrss, "status": process.returncode, "output": text}


def serve(requests: IO[str], replies: IO[str]) -> None:
    for line in requests:
        request = json.loads(line)
        reply = run(request["argv"], request["cwd"], request["env"], request["timeout"])
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


@dataclass
class Launcher:
    """The runner's handle on a launcher process (start it before allocating much)."""

    process: subprocess.Popen[str]

    @classmethod
    def start(cls) -> Launcher:
        process = subprocess.Popen([sys.executable, str(Path(__file__).resolve())],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        return cls(process)

    def run(self, argv: list[str], cwd: Path, env: dict[str, str],
            timeout: float) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"argv": argv, "cwd": str(cwd), "env": env,
                                             "timeout": timeout}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the build launcher exited")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait()


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
