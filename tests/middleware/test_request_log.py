"""`serve`'s log lines leave the request thread through a queue: a request never waits on a handler lock."""

from __future__ import annotations

import io
import logging
import threading

from emulator.middleware.request_log import LockFreeQueueHandler, log_off_request_path


def _logger(name: str) -> tuple[logging.Logger, logging.StreamHandler, io.StringIO]:
    logger = logging.getLogger(name)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    return logger, handler, out


def test_a_request_thread_does_not_wait_for_the_writer() -> None:
    logger, handler, out = _logger("tests.request_log.lock")
    listener = log_off_request_path(logger)
    try:
        assert [type(h) for h in logger.handlers] == [LockFreeQueueHandler]
        handler.acquire()  # the writer is busy (a slow terminal): its handler's lock is taken ...
        logger.handlers[0].acquire()  # ... and so is the queue handler's own, which handle() must not take
        try:
            request = threading.Thread(target=lambda: logger.info("GET /_emulator/health %s %.1f ms", 200, 0.4))
            request.start()
            request.join(timeout=10)
            assert not request.is_alive(), "the request thread waited on the writer's lock"
        finally:
            logger.handlers[0].release()
            handler.release()
    finally:
        listener.stop()
    assert out.getvalue() == "GET /_emulator/health 200 0.4 ms\n"


def test_stop_writes_every_queued_line_in_order() -> None:
    logger, _, out = _logger("tests.request_log.order")
    listener = log_off_request_path(logger)
    for n in range(500):
        logger.info("POST /Service.asmx Create List 200 %d ms", n)
    listener.stop()
    assert out.getvalue().splitlines() == [f"POST /Service.asmx Create List 200 {n} ms" for n in range(500)]


def test_a_filtered_record_is_not_queued() -> None:
    logger, _, out = _logger("tests.request_log.filter")
    listener = log_off_request_path(logger)
    logger.handlers[0].addFilter(lambda record: "secret" not in record.getMessage())
    logger.info("kept")
    logger.info("a secret line")
    listener.stop()
    assert out.getvalue() == "kept\n"
