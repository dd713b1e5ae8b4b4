"""Asynchronous work (sends, imports). SFMC answers a Perform at once and works later; so do we.

A job's id is the Task ID / JobID SFMC returns. Jobs run one at a time on a background worker, in
submission order; `wait()` lets tests and the fixture block until a job is finished.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..store.jobs import JobRepository

if TYPE_CHECKING:
    from ..core import Emulator

FIRST_JOB_ID = 7_029_017  # the JobID shape of seed 000
FINISHED = ("Complete", "Completed", "Error", "Canceled")


class JobRunner:
    def __init__(self, emu: Emulator, repo: JobRepository) -> None:
        self.emu = emu
        self._queue: queue.Queue[tuple[int, Callable[[int], None]] | None] = queue.Queue()
        self._done = threading.Condition()
        self._pending = 0
        self.repo = repo
        self._worker: threading.Thread | None = None
        self._timer: threading.Thread | None = None
        self._scheduled: dict[int, tuple[float, Callable[[int], None]]] = {}
        emu.clock.subscribe(self.release_due)
        self._stopping = False

    def _ensure_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._run, name="sfmc-jobs", daemon=True)
            self._worker.start()

    def submit(self, mid: int, kind: str, work: Callable[[int], None], detail: dict[str, Any] | None = None,
               status: str = "Queued", run_at: float | None = None) -> int:
        """Record a job and schedule `work(job_id)`, now or once the emulator clock reaches `run_at` (a
        timestamp, kept in the job's detail as `run_at`); returns the job id at once."""
        job_id = self.emu.store.next_value("job", FIRST_JOB_ID)
        now = self.emu.clock.now().timestamp()
        detail = dict(detail or {})
        if run_at is not None:
            detail["run_at"] = run_at
        self.repo.insert(job_id, mid, kind, status, detail, now)
        self._enqueue(job_id, work, run_at)
        return job_id

    def requeue(self, job_id: int, work: Callable[[int], None]) -> None:
        """Schedule `work(job_id)` again for an existing job (a send a previous process left unfinished);
        a job whose `run_at` has not come yet waits for it."""
        job = self.get(job_id)
        self._enqueue(job_id, work, (job or {}).get("detail", {}).get("run_at"))

    def _enqueue(self, job_id: int, work: Callable[[int], None], run_at: float | None) -> None:
        if run_at is not None and run_at > self.emu.clock.now().timestamp():
            with self._done:
                self._scheduled[job_id] = (run_at, work)
            self._ensure_timer()
            return
        with self._done:
            self._pending += 1
        self._ensure_worker()
        self._queue.put((job_id, work))

    # -- scheduled jobs: released when the emulator clock reaches them ------------------
    def release_due(self) -> list[int]:
        """Queue every scheduled job whose time has come (called on every clock change and each second)."""
        now = self.emu.clock.now().timestamp()
        with self._done:
            due = sorted((at, job_id) for job_id, (at, _) in self._scheduled.items() if at <= now)
            works = [(job_id, self._scheduled.pop(job_id)[1]) for _, job_id in due]
        for job_id, work in works:
            self._enqueue(job_id, work, None)
        return [job_id for job_id, _ in works]

    def clear_scheduled(self) -> None:
        with self._done:
            self._scheduled.clear()

    def _ensure_timer(self) -> None:
        if self._timer is None or not self._timer.is_alive():
            self._timer = threading.Thread(target=self._tick, name="sfmc-schedule", daemon=True)
            self._timer.start()

    def _tick(self) -> None:
        # Real time passing releases jobs too; the clock's listeners handle freeze/set/advance at once.
        while self._scheduled:
            time.sleep(0.5)
            self.release_due()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            job_id, work = item
            try:
                work(job_id)
            except Exception as exc:  # a bug in a job must not kill the worker; the job says why
                self.update(job_id, status="Error", error=f"{type(exc).__name__}: {exc}")
            finally:
                with self._done:
                    self._pending -= 1
                    self._done.notify_all()

    def update(self, job_id: int, status: str | None = None, **detail: Any) -> None:
        self.repo.update(job_id, status, detail, self.emu.clock.now().timestamp(), status in FINISHED)

    def get(self, job_id: int, mids: list[int] | None = None) -> dict[str, Any] | None:
        job = self.repo.get(job_id)
        if job is None or (mids is not None and job["mid"] not in mids):
            return None
        return job

    def list(self, mid: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
        return self.repo.list(mid, limit)

    def wait(self, job_id: int, timeout: float = 30.0) -> dict[str, Any] | None:
        """Block until the job has finished (or timeout); returns the job."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.get(job_id)
            if job is None or job["status"] in FINISHED:
                return job
            with self._done:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return job
                self._done.wait(min(remaining, 0.05))

    def wait_idle(self, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._done:
            while self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._done.wait(remaining)
        return True
