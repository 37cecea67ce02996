"""Worker processes for the CPU-heavy page analysis (extraction, classification), fed from the event loop.

Why not concurrent.futures.ProcessPoolExecutor: it moves every task through two helper threads
(a manager and a queue feeder) that compete with the reactor for the GIL; profiled on a 2,000-page
crawl they took about 12% of the crawl process's Python time. Here each worker has a socket pair;
the loop writes length-prefixed pickles to it and reads results with `add_reader`: no threads.

Workers are forked (they start in milliseconds and run only pure functions of their arguments),
ignore SIGINT/SIGTERM (the crawl decides when they stop: a graceful shutdown still analyses the
pages in flight) and exit when their socket closes, so a crawl killed with SIGKILL leaves no
orphan. A worker that dies fails only its own tasks in flight, with a one-line error; the next
task starts a fresh worker. `close` also runs at interpreter exit, before multiprocessing's own
exit handler: that one "terminates" daemonic workers with SIGTERM, which they ignore, and then
joins them, which would wait forever while their sockets are still open.
"""
from __future__ import annotations

import asyncio
import atexit
import itertools
import logging
import multiprocessing
import multiprocessing.util  # registers its exit handler now: ours, registered later, runs first
import os
import pickle
import signal
import socket
import struct
from dataclasses import dataclass, field
from typing import Any, Callable

logger = logging.getLogger(__name__)

_HEADER = struct.Struct("!I")  # frame length
_CHUNK = 1 << 20


class WorkerDied(RuntimeError):
    """The worker process running a task exited before answering."""


def _frames(buffer: bytearray) -> list[bytes]:
    """Complete frames at the head of `buffer` (consumed from it)."""
    frames = []
    while len(buffer) >= _HEADER.size:
        (size,) = _HEADER.unpack_from(buffer)
        if len(buffer) < _HEADER.size + size:
            break
        frames.append(bytes(buffer[_HEADER.size:_HEADER.size + size]))
        del buffer[:_HEADER.size + size]
    return frames


def _frame(payload: Any) -> bytes:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def _serve(sock: socket.socket, inherited: list[int]) -> None:
    """Worker main loop: read (task id, function, args, kwargs), answer (task id, ok, value)."""
    for fd in inherited:
        try:
            os.close(fd)
        except OSError:
            pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sock.setblocking(True)
    buffer = bytearray()
    while True:
        data = sock.recv(_CHUNK)
        if not data:  # the crawl closed our socket (or died): stop
            return
        buffer += data
        for frame in _frames(buffer):
            task_id, function, args, kwargs = pickle.loads(frame)
            try:
                answer = (task_id, True, function(*args, **kwargs))
            except Exception as exc:  # the caller decides; the worker keeps serving
                answer = (task_id, False, f"{type(exc).__name__}: {exc}")
            try:
                reply = _frame(answer)
            except Exception as exc:  # an unpicklable result must not kill the worker
                reply = _frame((task_id, False, f"unpicklable result: {type(exc).__name__}: {exc}"))
            sock.sendall(reply)


@dataclass(eq=False)
class _Worker:
    process: Any
    sock: socket.socket
    pending: dict[int, asyncio.Future] = field(default_factory=dict)
    inbox: bytearray = field(default_factory=bytearray)
    outbox: bytearray = field(default_factory=bytearray)
    writing: bool = False
    alive: bool = True


class AnalysisPool:
    """`await pool.run(function, *args)` runs `function` in a worker process (least busy first)."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError("an analysis pool needs at least one worker")
        self.size = workers
        self._context = multiprocessing.get_context("fork")
        self._workers: list[_Worker] = []
        self._ids = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.restarts = 0

    def _spawn(self) -> _Worker:
        ours, theirs = socket.socketpair()
        # The child must not keep the parent's ends (its own, other workers'): EOF would never come.
        inherited = [ours.fileno(), *(w.sock.fileno() for w in self._workers if w.alive)]
        process = self._context.Process(target=_serve, args=(theirs, inherited), daemon=True,
                                        name="clinicwatch-analysis")
        process.start()
        theirs.close()
        ours.setblocking(False)
        worker = _Worker(process, ours)
        assert self._loop is not None
        self._loop.add_reader(ours.fileno(), self._on_readable, worker)
        return worker

    def _ensure_workers(self) -> None:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            atexit.register(self.close)  # runs before multiprocessing's exit handler (registered earlier)
        self._workers = [w for w in self._workers if w.alive]
        while len(self._workers) < self.size:
            self._workers.append(self._spawn())

    async def run(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        self._ensure_workers()
        worker = min(self._workers, key=lambda w: len(w.pending))
        task_id = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        worker.pending[task_id] = future
        worker.outbox += _frame((task_id, function, args, kwargs))
        self._flush(worker)
        return await future

    def _flush(self, worker: _Worker) -> None:
        """Write what the socket takes now; the rest when it is writable again."""
        assert self._loop is not None
        try:
            sent = worker.sock.send(worker.outbox) if worker.outbox else 0
        except BlockingIOError:
            sent = 0
        except OSError as exc:
            self._lost(worker, f"cannot reach the analysis worker: {exc}")
            return
        del worker.outbox[:sent]
        if worker.outbox and not worker.writing:
            self._loop.add_writer(worker.sock.fileno(), self._flush, worker)
            worker.writing = True
        elif not worker.outbox and worker.writing:
            self._loop.remove_writer(worker.sock.fileno())
            worker.writing = False

    def _on_readable(self, worker: _Worker) -> None:
        try:
            data = worker.sock.recv(_CHUNK)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            worker.process.join(timeout=1)
            self._lost(worker, f"the analysis worker exited (code {worker.process.exitcode}) before answering")
            return
        worker.inbox += data
        for frame in _frames(worker.inbox):
            task_id, ok, value = pickle.loads(frame)
            future = worker.pending.pop(task_id, None)
            if future is None or future.done():
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(RuntimeError(value))

    def _lost(self, worker: _Worker, reason: str) -> None:
        """A worker is gone: fail its tasks in flight; the next task starts a replacement."""
        if not worker.alive:
            return
        worker.alive = False
        self.restarts += 1
        self._detach(worker)
        logger.error("%s; %d page(s) in flight recorded as errors", reason, len(worker.pending))
        for future in worker.pending.values():
            if not future.done():
                future.set_exception(WorkerDied(reason))
        worker.pending.clear()

    def _detach(self, worker: _Worker) -> None:
        if self._loop is not None and not self._loop.is_closed():  # at interpreter exit it may be
            self._loop.remove_reader(worker.sock.fileno())
            if worker.writing:
                self._loop.remove_writer(worker.sock.fileno())
        worker.writing = False
        worker.sock.close()

    def close(self) -> None:
        """Stop the workers (they exit on their socket's EOF); wait briefly, then kill stragglers."""
        atexit.unregister(self.close)
        for worker in self._workers:
            if worker.alive:
                worker.alive = False
                self._detach(worker)
        for worker in self._workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                os.kill(worker.process.pid, signal.SIGKILL)
                worker.process.join(timeout=1)
        self._workers = []
