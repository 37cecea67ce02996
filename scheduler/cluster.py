"""Where parallel work runs: a pool on this machine, or a Dask distributed cluster.

Both runners take a picklable function and a list of items and yield each item's outcome as it
completes, so the coordinator (the one DB writer) merges results while other tasks still run and
shows progress. A task that raises becomes an outcome with `error` set: the coordinator records
it and goes on. On a cluster, a worker that dies mid-task is Dask's business: the scheduler runs
the task again on another worker, and the coordinator sees one outcome.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from crawler import settings as crawl_settings


class ClusterError(Exception):
    """The cluster cannot be used (unreachable, bad TLS files): one line for the user."""


@dataclass(frozen=True)
class Outcome:
    item: Any
    result: Any  # None when the task failed
    error: str  # one line, "" when it worked


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or "(no message)"
    return f"{type(exc).__name__}: {text}"[:500]


class LocalRunner:
    """`workers` tasks at once on this machine.

    Threads for tasks that start their own process (a crawl task waits on its Scrapy process);
    processes for CPU-bound tasks (scoring), so they use every core.
    """

    where = "local"

    def __init__(self, workers: int, *, processes: bool = False) -> None:
        self.workers = max(1, workers)
        self.processes = processes
        self.futures: list[Any] = []

    def map(self, function: Callable[[Any], Any], items: list[Any]) -> Iterator[Outcome]:
        pool: Executor = (ProcessPoolExecutor(self.workers) if self.processes
                          else ThreadPoolExecutor(self.workers, thread_name_prefix="clinicwatch-task"))
        with pool:
            futures = {pool.submit(function, item): item for item in items}
            self.futures = list(futures)
            for future in as_completed(futures):
                item = futures[future]
                if future.cancelled():
                    continue
                try:
                    yield Outcome(item, future.result(), "")
                except Exception as exc:  # the task's own failure: recorded, the others go on
                    yield Outcome(item, None, one_line(exc))

    def cancel(self) -> None:
        """Tasks not started yet will not start (running ones finish or hit their time limit)."""
        for future in self.futures:
            future.cancel()

    def close(self) -> None:
        pass


class DaskRunner:
    """Tasks on a Dask cluster; `address` like tcp://HOST:8786 (tls:// with the TLS settings)."""

    def __init__(self, address: str, *, timeout: float | None = None) -> None:
        self.address = address
        self.where = address
        self.client = connect(address, timeout=timeout)
        self.futures: list[Any] = []

    def map(self, function: Callable[[Any], Any], items: list[Any]) -> Iterator[Outcome]:
        from distributed import as_completed as completed

        batch = uuid.uuid4().hex[:8]
        name = getattr(function, "__name__", "task")
        # pure=False: the same item twice is two tasks; keys name the work in Dask's dashboard
        self.futures = [self.client.submit(function, item, key=f"clinicwatch-{name}-{batch}-{i}", pure=False)
                        for i, item in enumerate(items)]
        index = {future.key: i for i, future in enumerate(self.futures)}
        for future in completed(self.futures, loop=self.client.loop):
            item = items[index[future.key]]
            if future.cancelled():
                continue
            try:
                yield Outcome(item, future.result(), "")
            except Exception as exc:  # raised in the task, or KilledWorker after repeated worker deaths
                yield Outcome(item, None, one_line(exc))
            finally:
                future.release()

    def cancel(self) -> None:
        if self.futures:
            self.client.cancel(self.futures)

    def close(self) -> None:
        self.client.close()


def connect(address: str, *, timeout: float | None = None) -> Any:
    """A Dask client for `address`, or ClusterError with one line saying why not."""
    from distributed import Client, Security

    if not address.startswith(("tcp://", "tls://")):
        raise ClusterError(f"cluster address {address!r}: expected tcp://HOST:PORT or tls://HOST:PORT")
    security = None
    if address.startswith("tls://"):
        files = {"tls_ca_file": crawl_settings.CLINICWATCH_CLUSTER_TLS_CA_FILE,
                 "tls_client_cert": crawl_settings.CLINICWATCH_CLUSTER_TLS_CERT,
                 "tls_client_key": crawl_settings.CLINICWATCH_CLUSTER_TLS_KEY}
        missing = [k for k, v in files.items() if not v]
        if missing:
            raise ClusterError(f"a tls:// cluster needs CLINICWATCH_CLUSTER_TLS_CA_FILE, _CERT and _KEY "
                               f"({len(missing)} not set)")
        security = Security(require_encryption=True, **files)
    wait = timeout if timeout is not None else crawl_settings.CLINICWATCH_CLUSTER_CONNECT_TIMEOUT
    try:
        return Client(address, timeout=wait, security=security, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address} within {wait:g} s: "
                           f"{' '.join(str(exc).split())[:300]}") from None


def runner_for(cluster: str, parallel: int, *, processes: bool = False) -> LocalRunner | DaskRunner:
    """The cluster when an address is given, else a local pool of `parallel`."""
    return DaskRunner(cluster) if cluster else LocalRunner(parallel, processes=processes)


class LocalDaskCluster:
    """`dask scheduler` and `dask worker` processes on 127.0.0.1: to try the cluster path on one
    machine, and for the cluster tests and benchmark (real processes, killable one by one)."""

    def __init__(self, workers: int = 2, threads: int = 2, log_dir: Path | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.n_workers, self.threads = workers, threads
        self.env = {**os.environ, **(env or {})}  # e.g. the workers' CLINICWATCH_SCRATCH_DIR
        self.log_dir = Path(log_dir or tempfile.mkdtemp(prefix="clinicwatch-dask-"))
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.processes: list[subprocess.Popen] = []
        self.workers: dict[str, subprocess.Popen] = {}  # worker name -> its process (no nanny: kill = gone)

    def _start(self, *args: str, log: str) -> subprocess.Popen:
        dask = str(Path(sys.executable).parent / "dask")
        with open(self.log_dir / log, "wb") as handle:
            process = subprocess.Popen([dask, *args], stdout=handle, stderr=subprocess.STDOUT, cwd=self.log_dir,
                                       env=self.env)
        self.processes.append(process)
        return process

    def start(self, timeout: float = 60) -> "LocalDaskCluster":
        self._start("scheduler", "--host", "127.0.0.1", "--port", self.address.rsplit(":", 1)[1], "--no-dashboard",
                    log="scheduler.log")
        for i in range(self.n_workers):
            self.workers[f"w{i}"] = self._start("worker", self.address, "--host", "127.0.0.1", "--nthreads",
                                                str(self.threads), "--no-nanny", "--no-dashboard", "--name", f"w{i}",
                                                log=f"worker{i}.log")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                client = connect(self.address, timeout=2)
            except ClusterError:
                continue
            try:
                while time.monotonic() < deadline:
                    if len(client.scheduler_info()["workers"]) == self.n_workers:
                        return self
                    time.sleep(0.1)
            finally:
                client.close()
        self.stop()
        raise ClusterError(f"the local Dask cluster did not start within {timeout:g} s (logs in {self.log_dir})")

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> "LocalDaskCluster":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
