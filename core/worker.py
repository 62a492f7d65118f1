"""The job worker under a supervisor that rides out database outages.

Procrastinate's worker stops (with exit code 0) when its database connection breaks, as in
a database restart. The supervisor runs it as a child process and starts it again, once
the database answers, after a pause that doubles with each quick failure (1 s up to
30 s). A worker that ran for a while before stopping starts again after the shortest
pause. SIGTERM and SIGINT go to the worker, which finishes its current jobs and stops;
then the supervisor stops too.
"""
import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError, connection

log = logging.getLogger(__name__)
MANAGE = Path(__file__).resolve().parent.parent / "manage.py"


@dataclass(frozen=True)
class Backoff:
    first: float = 1.0
    most: float = 30.0
    stable: float = 60.0  # a worker that ran this long failed "slowly": start over at `first`


def database_answers() -> bool:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False
    finally:
        connection.close()


def worker_supervise(*, worker_args: Sequence[str], backoff: Backoff = Backoff(),
                     say: Callable[[str], None] = print) -> int:
    """Run `manage.py procrastinate worker <worker_args>` until told to stop; return its
    exit code when stopped by a signal."""
    stopping = threading.Event()
    child: list[subprocess.Popen] = []

    def forward(signum, _frame) -> None:
        stopping.set()
        if child and child[0].poll() is None:
            child[0].send_signal(signum)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, forward)
    pause = backoff.first
    while True:
        started = time.monotonic()
        child[:] = [subprocess.Popen([sys.executable, str(MANAGE), "procrastinate", "worker",
                                      *worker_args])]
        code = child[0].wait()
        if stopping.is_set():
            return code
        ran_for = time.monotonic() - started
        if ran_for >= backoff.stable:
            pause = backoff.first
        say(f"worker stopped with code {code} after {ran_for:.0f} s; starting it again in "
            f"{pause:.0f} s, once the database answers")
        while not stopping.wait(pause) and not database_answers():
            pause = min(backoff.most, pause * 2)
            say(f"the database does not answer; trying again in {pause:.0f} s")
        if stopping.is_set():
            return 0
        pause = min(backoff.most, pause * 2)  # the next quick stop waits longer
