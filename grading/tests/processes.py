"""Real Celery worker processes and private redis-servers for the fault tests and the benchmark.

A worker here is what production runs: `celery -A classroom worker` in its own process group (so
the test can SIGKILL it and every pool child at once), reading its settings from the environment,
logging to a file the test reads.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Self
from urllib.parse import quote

import redis
from django.conf import settings

from common.testing import wait_until

CELERY = Path(sys.executable).with_name("celery")
PROGRESS = re.compile(r"job\.progress job=(?P<job>\d+) kind=\w+ graded=(?P<graded>\d+) skipped=(?P<skipped>\d+)")


def database_url(db: Mapping[str, object] | None = None) -> str:
    """The URL of the database this process uses (in a test: the test database, e.g. test_test)."""
    db = db or settings.DATABASES["default"]
    auth = quote(str(db["USER"]), safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(str(db["PASSWORD"]), safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LoggedProcess:
    """A command in its own process group (so a SIGKILL reaches its children too), logging to a file."""

    ready_text = " ready."

    def __init__(self, name: str, command: list[str], *, log_dir: Path, env: Mapping[str, str]) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.command = command
        self.environment = dict(env)
        self.process: subprocess.Popen | None = None

    def start(self) -> Self:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.environment,
                cwd=settings.BASE_DIR,
                start_new_session=True,  # its own process group: SIGKILL reaches the pool children too
            )
        return self

    def wait_ready(self, timeout: float = 60.0) -> Self:
        ready = wait_until(lambda: self.ready_text in self.log() or not self.alive, timeout=timeout, interval=0.1)
        assert ready and self.alive, f"{self.name} did not start:\n{self.log()[-3000:]}"
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def children(self) -> list[int]:
        """The direct child processes (a worker's pool processes, gunicorn's workers)."""
        try:
            return [int(pid) for pid in Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()]
        except FileNotFoundError:
            return []

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the process and its children at once: no warm shutdown, no acknowledgement."""
        if self.alive:
            os.killpg(self.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, *, cold: bool = False, timeout: float = 20.0) -> None:
        """Warm shutdown (SIGTERM: finish the running task), or cold (SIGQUIT: at once, for an idle
        worker); SIGKILL whatever is left of the process group after `timeout`."""
        if self.process is None:
            return
        if self.alive:
            os.killpg(self.pid, signal.SIGQUIT if cold else signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.pid, signal.SIGKILL)  # pool children left behind, if any
        except ProcessLookupError:
            pass
        if self.process.poll() is None:
            self.process.wait(timeout=10)


class CeleryProcess(LoggedProcess):
    """`celery -A classroom <args>` with the test database, the given broker and its own log file."""

    def __init__(
        self,
        name: str,
        args: list[str],
        *,
        broker_url: str,
        log_dir: Path,
        env: Mapping[str, str] | None = None,
        nice: int = 0,
    ) -> None:
        environment = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "SECRET_KEY": settings.SECRET_KEY,
            "CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": broker_url,
            "DJANGO_SETTINGS_MODULE": "classroom.settings",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        command = [*(["nice", "-n", str(nice)] if nice else []), str(CELERY), "-A", "classroom", *args]
        super().__init__(name, command, log_dir=log_dir, env=environment)


class CeleryWorker(CeleryProcess):
    """`celery -A classroom worker -Q grading,default --pool=prefork` with its own environment (at
    `nice` niceness, as the compose file runs it, when asked)."""

    def __init__(
        self,
        name: str,
        *,
        broker_url: str,
        log_dir: Path,
        concurrency: int = 1,
        env: Mapping[str, str] | None = None,
        loglevel: str = "INFO",
        queues: str = "grading,default",
        nice: int = 0,
    ) -> None:
        args = ["worker", "-Q", queues, "--pool=prefork", f"--concurrency={concurrency}", "-n", f"{name}@%h"]
        args += ["--without-mingle", "--without-gossip", f"--loglevel={loglevel}"]
        super().__init__(name, args, broker_url=broker_url, log_dir=log_dir, env=env, nice=nice)

    def progress(self, job_id: int | None = None) -> list[tuple[int, int]]:
        """(graded, skipped) of every chunk this worker finished, from its `job.progress` lines."""
        return [
            (int(m["graded"]), int(m["skipped"]))
            for m in PROGRESS.finditer(self.log())
            if job_id is None or int(m["job"]) == job_id
        ]


class CeleryBeat(CeleryProcess):
    """`celery -A classroom beat`: the schedule of classroom/celery.py, with its own schedule file."""

    ready_text = "beat: Starting..."

    def __init__(self, name: str, *, broker_url: str, log_dir: Path, env: Mapping[str, str] | None = None) -> None:
        args = ["beat", "--schedule", str(log_dir / f"{name}-schedule"), "--loglevel=INFO"]
        super().__init__(name, args, broker_url=broker_url, log_dir=log_dir, env=env)


def stop_all(workers: Sequence[LoggedProcess], *, cold: bool = True) -> None:
    """Stop several workers at once. Cold by default: tests stop workers that have finished, and
    a cold shutdown that takes more than a second ends with SIGKILL."""
    for worker in workers:
        if worker.alive:
            os.killpg(worker.pid, signal.SIGQUIT if cold else signal.SIGTERM)
    for worker in workers:
        worker.stop(cold=cold, timeout=1.0 if cold else 20.0)


def tcp_ports(pid: int) -> set[int]:
    """Local ports of the TCP sockets process `pid` holds (to match it with pg_stat_activity.client_port)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set) of a live process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class RedisServer:
    """A private, throwaway redis-server on 127.0.0.1 (no persistence), for tests that stop the broker."""

    def __init__(self, *, port: int | None = None, log_dir: Path) -> None:
        self.port = port or free_port()
        self.log_path = log_dir / f"redis-{self.port}.log"
        self.dir = log_dir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)

    def start(self) -> RedisServer:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.dir),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        assert wait_until(self._pings, timeout=10, interval=0.05), (
            f"redis-server did not start:\n{self.log_path.read_text()}"
        )
        return self

    def _pings(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def freeze(self) -> None:
        """SIGSTOP: the port stays open and connections are accepted by the kernel, but nothing
        answers (a paused container, a host under a partition): the worst case for a client."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        """SIGTERM: with `--save ""` nothing is written, so whatever the broker held is gone, as
        after a crash (the same as `redis-cli shutdown nosave`, without a client that retries)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.thaw()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def wait_for(condition, *, timeout: float, what: str, interval: float = 0.2) -> None:
    started = time.monotonic()
    assert wait_until(condition, timeout=timeout, interval=interval), (
        f"{what} (waited {time.monotonic() - started:.0f}s)"
    )
