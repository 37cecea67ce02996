"""The analysis pool: page analysis in forked workers, driven from the event loop without threads."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from crawler.analysis_pool import AnalysisPool, WorkerDied
from scheduler.crawl_process import pid_alive
from tests.conftest import wait_for


def square(x: int) -> int:
    return x * x


def whoami() -> int:
    return os.getpid()


def fail(message: str) -> None:
    raise ValueError(message)


def sleep_then(seconds: float, value: str) -> str:
    time.sleep(seconds)
    return value


def gone(pid: int) -> bool:
    return not pid_alive(pid)  # a zombie has exited too


def test_results_come_back_in_order_from_other_processes():
    async def main():
        pool = AnalysisPool(2)
        try:
            results = await asyncio.gather(*(pool.run(square, i) for i in range(200)))
            pids = set(await asyncio.gather(*(pool.run(whoami) for _ in range(20))))
        finally:
            pool.close()
        return results, pids

    results, pids = asyncio.run(main())
    assert results == [i * i for i in range(200)]
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


def test_big_arguments_and_results_cross_intact():
    page = "<p>" + "stem cells " * 200_000 + "</p>"  # 2.2 MB: many socket writes each way

    async def main():
        pool = AnalysisPool(1)
        try:
            return await asyncio.gather(*(pool.run(str.upper, page) for _ in range(3)))
        finally:
            pool.close()

    assert asyncio.run(main()) == [page.upper()] * 3


def test_an_exception_fails_its_task_only():
    async def main():
        pool = AnalysisPool(1)
        try:
            with pytest.raises(RuntimeError, match="ValueError: bad page"):
                await pool.run(fail, "bad page")
            return await pool.run(square, 7)
        finally:
            pool.close()

    assert asyncio.run(main()) == 49


def test_a_killed_worker_fails_its_tasks_in_flight_and_is_replaced():
    async def main():
        pool = AnalysisPool(1)
        try:
            first = await pool.run(whoami)
            slow = asyncio.ensure_future(pool.run(sleep_then, 30, "never"))
            await asyncio.sleep(0.3)
            os.kill(first, signal.SIGKILL)
            with pytest.raises(WorkerDied, match="exited"):
                await asyncio.wait_for(slow, 10)
            second = await pool.run(whoami)
            return first, second, pool.restarts
        finally:
            pool.close()

    first, second, restarts = asyncio.run(main())
    assert second != first and restarts == 1


def test_workers_ignore_sigterm_and_stop_when_closed():
    async def main():
        pool = AnalysisPool(2)
        await asyncio.gather(*(pool.run(sleep_then, 0.2, "x") for _ in range(4)))
        pids = {w.process.pid for w in pool._workers}
        for pid in pids:
            os.kill(pid, signal.SIGTERM)  # a crawl's graceful stop must not kill pages in flight
        result = await pool.run(square, 3)
        pool.close()
        return pids, result

    pids, result = asyncio.run(main())
    assert result == 9
    assert all(gone(pid) for pid in pids)


def test_workers_exit_when_the_crawl_process_is_killed(tmp_path):
    script = textwrap.dedent("""
        import asyncio, sys, time
        sys.path.insert(0, sys.argv[1])
        from crawler.analysis_pool import AnalysisPool
        from tests.test_analysis_pool import whoami

        async def main():
            pool = AnalysisPool(2)
            pids = await asyncio.gather(*(pool.run(whoami) for _ in range(8)))
            print(" ".join(str(w.process.pid) for w in pool._workers), flush=True)
            await asyncio.sleep(60)

        asyncio.run(main())
    """)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.Popen([sys.executable, "-c", script, root], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in proc.stdout.readline().split()]
        assert len(pids) == 2
        proc.kill()
        proc.wait(timeout=10)
        wait_for(lambda: all(gone(pid) for pid in pids), 10, "the orphaned analysis workers to exit")
    finally:
        proc.kill()
