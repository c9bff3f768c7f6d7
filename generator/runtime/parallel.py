"""Run the per-dataset unit of work across processes, results in catalog order.

Validation and derivation are pure functions of (catalog context, dataset); this module
only decides where they run. Small catalogs run in the calling process, because starting
workers costs more than it saves; larger ones are split into chunks for a process pool.

The catalog context is sent to each worker once (its initializer), never once per task:
a task carries only its own datasets, so the cost of a build stays linear in the number
of datasets. Results come back in the order of the input, whatever order the workers
finish in, so the output is the same for any ``--jobs``. A worker that dies (killed,
out of memory) or raises becomes a :class:`WorkerError` naming the datasets it held;
the pool never waits for a result that cannot come.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import signal
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from ..errors import KaifangError
from ..model import Catalog, Dataset

log = logging.getLogger(__name__)

T = TypeVar("T")

# Below this many datasets a stage runs in-process: forking workers and shipping results
# back costs about as much as validating a few dozen small datasets.
PARALLEL_THRESHOLD = 48
CHUNKS_PER_WORKER = 8  # small enough to balance load, large enough to amortise IPC


def default_jobs() -> int:
    """Worker processes to use when --jobs is not given: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def resolve_jobs(jobs: int | None) -> int:
    return default_jobs() if jobs is None or jobs <= 0 else jobs


class WorkerError(KaifangError):
    """A worker process failed; a bug or a crash in Kaifang, not a mistake in the catalog."""


def slim_context(catalog: Catalog) -> Catalog:
    """The catalog without its datasets: what one dataset's unit of work may look at.

    Sending the full catalog with every task would make a build quadratic in the number
    of datasets; site configuration and publishers are all a unit of work needs.
    """
    return replace(catalog, datasets=())


@dataclass(frozen=True)
class _Failure:
    dataset: str
    error: str
    trace: str

    @classmethod
    def of(cls, item: str, exc: BaseException) -> _Failure:
        """The failure as the terminal and the log may show it: an exception's message can
        quote the cell it choked on (``invalid literal for int(): '…'``), so quoted text and
        long digit runs are taken out of the message and the traceback."""
        error = scrub(f"{type(exc).__name__}: {exc}")
        frames = "".join(traceback.format_tb(exc.__traceback__))  # code, not data
        return cls(item, error, f"Traceback (most recent call last):\n{frames}{error}")


_QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)*'" + r'|"(?:[^"\\\n]|\\.)*"')
_LONG_NUMBER = re.compile(r"\d{6,}")


def scrub(text: str) -> str:
    """Text of an exception with quoted strings and numbers of six digits or more hidden."""
    return _LONG_NUMBER.sub("######", _QUOTED.sub("'…'", text))


# Set in each worker by the pool initializer.
_CONTEXT: Catalog | None = None


def _exit_with_parent() -> None:
    """A worker ends itself once its build is gone. A forked pool worker holds both ends
    of its own task pipe, so a build killed by SIGKILL would leave it waiting forever."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="kaifang-parent-watch", daemon=True).start()


def _init_worker(context: Catalog) -> None:
    global _CONTEXT
    _exit_with_parent()
    # Ctrl+C reaches every process of the terminal's group: the parent stops the build
    # (exit 130, one line); a worker's own KeyboardInterrupt would print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _CONTEXT = context


def _run_chunk(func: Callable[[Catalog, Dataset], Any], datasets: Sequence[Dataset]) -> list[Any]:
    assert _CONTEXT is not None, "worker started without its catalog context"
    results: list[Any] = []
    for ds in datasets:
        try:
            results.append(func(_CONTEXT, ds))
        except KaifangError:  # a clear message for the user (e.g. a file swapped): as is
            raise
        except Exception as exc:  # reported to the parent with the dataset named
            return [_Failure.of(ds.id, exc)]
    return results


def _name(item: Any) -> str:
    return str(getattr(item, "id", None) or getattr(item, "name", None) or item)


def _chunks(items: Sequence[Any], jobs: int) -> list[Sequence[Any]]:
    size = max(1, -(-len(items) // (jobs * CHUNKS_PER_WORKER)))
    return [items[i : i + size] for i in range(0, len(items), size)]


def can_fork() -> bool:
    """Whether worker processes start by fork here (and so inherit unpicklable state)."""
    return "fork" in multiprocessing.get_all_start_methods()


def _mp_context() -> multiprocessing.context.BaseContext:
    # fork is by far the cheapest start on Linux (the parent has imported everything);
    # elsewhere the platform default is the only safe choice.
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


class DatasetPool(Generic[T]):
    """A process pool for one build, reused by every stage that maps over datasets.

    Use as a context manager; workers start lazily, on the first stage large enough to
    need them, and stop when the build ends.
    """

    def __init__(
        self, catalog: Catalog, jobs: int | None = None, threshold: int | None = None
    ) -> None:
        self.context = slim_context(catalog)
        self.jobs = resolve_jobs(jobs)
        self.threshold = PARALLEL_THRESHOLD if threshold is None else threshold
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> DatasetPool[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def uses_processes(self, count: int) -> bool:
        return self.jobs > 1 and count >= self.threshold

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=_mp_context(),
                initializer=_init_worker,
                initargs=(self.context,),
            )
        return self._executor

    def map(
        self,
        func: Callable[[Catalog, Dataset], T],
        datasets: Sequence[Dataset],
        advance: Callable[[int], None] | None = None,
    ) -> list[T]:
        """func(context, ds) for every dataset, in the order given.

        ``func`` must be a module-level function (it is pickled by reference). ``advance``
        is told how many datasets are done as they finish (for a progress bar).
        """
        if not self.uses_processes(len(datasets)):
            done: list[T] = []
            for ds in datasets:
                done.append(func(self.context, ds))
                if advance is not None:
                    advance(1)
            return done
        chunks = _chunks(datasets, self.jobs)
        pool = self._pool()
        futures = [pool.submit(_run_chunk, func, c) for c in chunks]
        try:
            return _gather(chunks, futures, advance)
        except BaseException:
            self.close()
            raise


def _gather(
    chunks: list[Sequence[Any]],
    futures: list[Future[list[Any]]],
    advance: Callable[[int], None] | None = None,
) -> list[Any]:
    """Results in submission order; a dead worker or a failure becomes a WorkerError.

    ``advance`` is told how many items each chunk held as it arrives (a progress bar).
    """
    results: list[Any] = []
    for chunk, future in zip(chunks, futures, strict=True):
        try:
            part = future.result()
        except BrokenProcessPool as exc:
            raise _crashed(chunk) from exc
        if part and isinstance(part[0], _Failure):
            failure = part[0]
            log.error("worker failed on %s:\n%s", failure.dataset, failure.trace)
            raise WorkerError(
                f"处理数据集 {failure.dataset} 时内部出错：{failure.error}"
                f" / internal error while processing dataset {failure.dataset}:"
                f" {failure.error}\n{failure.trace}"
            )
        results.extend(part)
        if advance is not None:
            advance(len(chunk))
    return results


def map_items(
    func: Callable[[Any], T], items: Sequence[Any], jobs: int | None, threshold: int | None = None
) -> list[T]:
    """func(item) for every item, in order; across processes when there are enough of them.

    For work before there is a catalog (loading each dataset folder). ``func`` must be
    picklable (a module-level function or a functools.partial of one); it is the shared
    state of :func:`map_with_state`, so it reaches each worker once.
    """
    return map_with_state(_apply, func, items, jobs, threshold=threshold)


def _apply(func: Callable[[Any], T], item: Any) -> T:
    return func(item)


# Set in each worker of map_with_state by its initializer.
_STATE: Any = None


def _init_state(state: Any) -> None:
    global _STATE
    _exit_with_parent()
    _STATE = state


def _run_state_chunk(func: Callable[[Any, Any], Any], items: Sequence[Any]) -> list[Any]:
    results: list[Any] = []
    for item in items:
        try:
            results.append(func(_STATE, item))
        except Exception as exc:  # reported to the parent with the item named
            return [_Failure.of(_name(item), exc)]
    return results


def map_with_state(
    func: Callable[[Any, Any], T],
    state: Any,
    items: Sequence[Any],
    jobs: int | None,
    advance: Callable[[int], None] | None = None,
    threshold: int | None = None,
) -> list[T]:
    """func(state, item) for every item, in order, across processes when there are enough.

    ``state`` is large and shared by every item (the views of a whole site); it reaches
    each worker once, through the pool initializer: inherited without a copy where
    processes fork, pickled once per worker elsewhere. Items should be small (indices),
    so that a task costs almost nothing to send.
    """
    with start_with_state(func, state, items, jobs, advance, threshold) as running:
        return running.result()


class Running(Generic[T]):
    """Work handed to worker processes by :func:`start_with_state`.

    The caller goes on with other work in its own process and calls :meth:`result` when
    it needs the results (in the order of the items). Used as a context manager, leaving
    the block without a result (an error elsewhere) stops the workers."""

    def __init__(
        self,
        done: list[T] | None = None,
        pool: ProcessPoolExecutor | None = None,
        chunks: list[Sequence[Any]] | None = None,
        futures: list[Future[list[Any]]] | None = None,
        advance: Callable[[int], None] | None = None,
    ) -> None:
        self._done = done
        self._pool = pool
        self._chunks = chunks or []
        self._futures = futures or []
        self._advance = advance

    def result(self) -> list[T]:
        if self._done is None:
            try:
                self._done = _gather(self._chunks, self._futures, self._advance)
            finally:
                self.close()
        return self._done

    def close(self) -> None:
        """Stop the workers (waiting for any task already running); safe to repeat."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Running[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_with_state(
    func: Callable[[Any, Any], T],
    state: Any,
    items: Sequence[Any],
    jobs: int | None,
    advance: Callable[[int], None] | None = None,
    threshold: int | None = None,
) -> Running[T]:
    """Start func(state, item) for every item and return at once (see :func:`map_with_state`
    for ``state``). Below the threshold, or with one job, the work is done here and now."""
    workers = resolve_jobs(jobs)
    if workers <= 1 or len(items) < (PARALLEL_THRESHOLD if threshold is None else threshold):
        done: list[T] = []
        for item in items:
            done.append(func(state, item))
            if advance is not None:
                advance(1)
        return Running(done=done)
    chunks = _chunks(items, workers)
    pool = ProcessPoolExecutor(
        max_workers=max(1, min(workers, len(chunks))),  # a process per chunk at most
        mp_context=_mp_context(),
        initializer=_init_state,
        initargs=(state,),
    )
    try:
        futures = [pool.submit(_run_state_chunk, func, c) for c in chunks]
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    return Running(pool=pool, chunks=chunks, futures=futures, advance=advance)


def _crashed(chunk: Sequence[Any]) -> WorkerError:
    names = ", ".join(_name(item) for item in chunk[:5]) + (" …" if len(chunk) > 5 else "")
    return WorkerError(
        f"工作进程意外退出（可能内存不足或被终止），正在处理：{names}。"
        "可用 --jobs 1 在单进程中重试以定位问题"
        f" / a worker process died (out of memory or killed) while processing: {names};"
        " retry with --jobs 1 to find the cause"
    )
