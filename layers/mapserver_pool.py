"""MapServer kept warm: `mapserv` processes run as FastCGI responders, reused request after
request, instead of one CGI process started (and GDAL, PROJ, fonts and the PostGIS
connection set up) for every map, tile, feature info, print and WFS/OGC API answer.

Debian's `mapserv` is linked with libfcgi: started with a listening socket as its standard
input, it serves FastCGI requests on it until it is stopped, reading the mapfile named by
each request (so a regenerated mapfile is seen on the next request) and, with
`PROCESSING "CLOSE_CONNECTION=DEFER"` in the mapfile, keeping its PostGIS connection open
between requests.

Each Python process (a gunicorn worker, a job worker, the test run) owns a pool of
MAPSERVER_PROCESSES such processes per MapServer config file, started on first use:

- each process has a Unix socket of its own in a private temporary directory; a request
  takes an idle process, so one process serves one request at a time and a request that
  hangs past its timeout kills exactly the process that hung (it is started again);
- the processes die with the Python process that started them, however it ends (a
  watchdog shell beside each one sees the end of a pipe only that process holds), and are
  stopped by `mapserver_pools_stop()` (tests, before the test database is dropped);
- a process that died is started again on the next request; after
  MAPSERVER_PROCESS_REQUESTS requests a process is replaced, so a slow leak never grows;
- when the MapServer config file changes (it is read once, when mapserv starts), every
  process is replaced on its next use; a forked child (MapProxy's seeding workers) starts
  processes of its own.

`mapserver_call(env)` runs one request and answers like a CGI run: (headers, body).
With MAPSERVER_PROCESSES = 0 every request runs `mapserv` as a CGI process, as before.
"""
import atexit
import contextlib
import os
import queue
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from core.errors import ServiceUnavailable

START_TIMEOUT_S = 10.0

# FastCGI 1.0 (https://fastcgi-archives.github.io/FastCGI_Specification.html)
_VERSION = 1
_BEGIN_REQUEST, _END_REQUEST, _PARAMS, _STDIN, _STDOUT, _STDERR = 1, 3, 4, 5, 6, 7
_RESPONDER = 1
_HEADER = struct.Struct("!BBHHBx")
_MAX_CONTENT = 65535
_REQUEST_ID = 1
# A map comes back as megabytes of uncompressed PNG in 8 KiB records: read what the socket
# holds at once, not a record at a time, into a buffer of this size, doubled when full.
_READ_BUFFER = 1 << 21


@dataclass(frozen=True)
class MapServerAnswer:
    """What mapserv wrote: its CGI headers (names lower-cased) and body, and its stderr."""

    headers: list[tuple[str, str]]
    body: bytes
    stderr: bytes = b""

    @property
    def status(self) -> int:
        value = self.header("status")
        return int(value.split()[0]) if value and value.split()[0].isdigit() else 200

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name), None)


def cgi_answer(stdout: bytes, stderr: bytes = b"") -> MapServerAnswer:
    """Split a CGI answer into headers and body (mapserv ends its headers with CRLF CRLF)."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        head, found, body = stdout.partition(separator)
        if found:
            break
    else:
        return MapServerAnswer(headers=[], body=stdout, stderr=stderr)
    headers = []
    for line in head.decode("latin-1").splitlines():
        name, colon, value = line.partition(":")
        if colon:
            headers.append((name.strip().lower(), value.strip()))
    return MapServerAnswer(headers=headers, body=body, stderr=stderr)


def mapserver_call(env: Mapping[str, str], *, config: Path, working_dir: Path | None = None,
                   timeout: float = 60.0) -> MapServerAnswer:
    """Run one MapServer request described by CGI variables `env` (QUERY_STRING, ...).

    Raises ServiceUnavailable when MapServer could not answer at all."""
    if settings.MAPSERVER_PROCESSES <= 0:
        return _cgi_call(env, config=config, working_dir=working_dir, timeout=timeout)
    return _pool(config, working_dir).call(env, timeout=timeout)


def _cgi_call(env: Mapping[str, str], *, config: Path, working_dir: Path | None,
              timeout: float) -> MapServerAnswer:
    full = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "REQUEST_METHOD": "GET",
            **env, "MAPSERVER_CONFIG_FILE": str(config)}
    try:
        done = subprocess.run([settings.MAPSERVER_BINARY], env=full, capture_output=True,
                              timeout=timeout, check=False, cwd=working_dir)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ServiceUnavailable(detail={"mapserver": type(exc).__name__}) from exc
    if done.returncode != 0 or not done.stdout:
        raise ServiceUnavailable(detail={"mapserver": done.stderr[:300].decode(
            "utf-8", "replace") or f"exit code {done.returncode}"})
    return cgi_answer(done.stdout, done.stderr)


# --- The pool -----------------------------------------------------------------------------

# mapserv under a watchdog shell, in a process group of its own: the shell waits for
# mapserv and ends with it; a watcher ends the group when the owner's pipe closes, which
# the kernel does when the owner ends, however it ends (a parent-death signal is not
# enough: mapserv's first request clears it). The listening socket comes as standard
# input, the pipe as standard output (moved to 3 and 4: a background job's input is
# /dev/null). mapserv keeps no state worth a graceful end (and once it has answered, it
# may not end on SIGTERM): it is killed.
_WATCHDOG = """\
exec 3<&0 4<&1 0</dev/null 1>/dev/null
"$0" 0<&3 3<&- 4<&- &
ms=$!
(read -r _ 0<&4; kill -KILL 0) 3<&- &
watcher=$!
exec 3<&- 4<&-
wait "$ms"
kill -KILL "$watcher" 2>/dev/null
"""


@dataclass(eq=False)
class _Process:
    socket_path: Path
    config_stamp: tuple[int, int]
    popen: subprocess.Popen | None = None  # the watchdog shell, leader of its group
    served: int = 0

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self) -> None:
        if self.popen is None:
            return
        if self.popen.poll() is None:
            _signal_group(self.popen.pid, signal.SIGKILL)
            self.popen.wait()
        self.popen = None


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


@dataclass(eq=False)
class MapServerPool:
    """MAPSERVER_PROCESSES warm mapserv FastCGI processes reading one config file."""

    config: Path
    working_dir: Path | None
    size: int
    directory: Path = field(init=False)
    owner_pid: int = field(init=False)

    def __post_init__(self) -> None:
        self.owner_pid = os.getpid()
        self.directory = Path(tempfile.mkdtemp(prefix="geo-portal-mapserv-"))
        # Only this process holds the write end: when it ends, the watchers see the end.
        self._owner_read, self._owner_write = os.pipe()
        self._idle: queue.LifoQueue[_Process] = queue.LifoQueue()
        self._all: list[_Process] = []
        self._lock = threading.Lock()
        self._closed = False
        for index in range(self.size):
            process = _Process(socket_path=self.directory / f"mapserv-{index}.sock",
                               config_stamp=(0, 0))
            self._all.append(process)
            self._idle.put(process)

    def call(self, env: Mapping[str, str], *, timeout: float) -> MapServerAnswer:
        deadline = time.monotonic() + timeout
        try:
            process = self._idle.get(timeout=timeout)
        except queue.Empty as exc:
            raise ServiceUnavailable(detail={"mapserver": "all MapServer processes busy"}
                                     ) from exc
        try:
            self._ready(process)
            params = {"REQUEST_METHOD": "GET", "GATEWAY_INTERFACE": "CGI/1.1",
                      "SERVER_PROTOCOL": "HTTP/1.1", **env}
            try:
                stdout, stderr = _fastcgi_request(process.socket_path, params,
                                                  timeout=max(deadline - time.monotonic(), 1))
            except OSError as exc:
                process.stop()  # hung or died half way: never handed out as it is
                raise ServiceUnavailable(detail={"mapserver": f"{type(exc).__name__}: {exc}"}
                                         ) from exc
            process.served += 1
            if not stdout:
                raise ServiceUnavailable(detail={"mapserver": stderr[:300].decode(
                    "utf-8", "replace") or "no answer"})
            return cgi_answer(stdout, stderr)
        finally:
            self._idle.put(process)

    def warm(self, env: Mapping[str, str] | None = None, *, timeout: float = 60.0) -> int:
        """Start every idle process now and have each answer `env` once (e.g. a one-pixel
        map, which opens its database connection), instead of on the first maps visitors
        ask for. Each is handed back to requests as soon as it is ready. Returns how many
        processes answered."""
        taken = []
        while len(taken) < self.size:
            try:
                taken.append(self._idle.get_nowait())
            except queue.Empty:  # in use: that request starts it itself
                break
        ready = 0
        for process in taken:
            try:
                self._ready(process)
                if env is not None:
                    _fastcgi_request(process.socket_path, {
                        "REQUEST_METHOD": "GET", "GATEWAY_INTERFACE": "CGI/1.1",
                        "SERVER_PROTOCOL": "HTTP/1.1", **env}, timeout=timeout)
                    process.served += 1
                ready += 1
            except (OSError, ServiceUnavailable):
                process.stop()  # started again on its first request
            finally:
                self._idle.put(process)
        return ready

    def _ready(self, process: _Process) -> None:
        """Start `process` if it is not running, or again if it is stale."""
        stamp = _stamp(self.config)
        if process.alive() and (process.config_stamp != stamp
                                or process.served >= settings.MAPSERVER_PROCESS_REQUESTS):
            process.stop()
        if not process.alive():
            self._start(process, stamp)

    def _start(self, process: _Process, stamp: tuple[int, int]) -> None:
        if self._closed:
            raise ServiceUnavailable(detail={"mapserver": "stopped"})
        process.socket_path.unlink(missing_ok=True)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(str(process.socket_path))
            listener.listen(8)
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                   "MAPSERVER_CONFIG_FILE": str(self.config)}
            for name in ("PGSSLMODE", "PGCONNECT_TIMEOUT", "PROJ_DATA", "GDAL_DATA",
                         "LANG", "TZ"):
                if name in os.environ:
                    env[name] = os.environ[name]
            process.popen = _spawner().submit(
                subprocess.Popen, ["/bin/sh", "-c", _WATCHDOG, settings.MAPSERVER_BINARY],
                stdin=listener.fileno(), stdout=self._owner_read, stderr=None, env=env,
                cwd=self.working_dir or self.directory, start_new_session=True).result()
        finally:
            listener.close()  # mapserv holds its own copy
        process.config_stamp, process.served = stamp, 0

    def stop(self) -> None:
        self._closed = True
        for process in self._all:
            process.stop()
        for fd in (self._owner_read, self._owner_write):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self.directory, ignore_errors=True)


def _stamp(path: Path) -> tuple[int, int]:
    try:
        found = path.stat()
    except OSError:
        return (0, 0)
    return (found.st_mtime_ns, found.st_size)


# Processes are started from one thread per process, never from a request's thread
# while it holds a request's state.
_spawn_lock = threading.Lock()
_spawners: dict[int, ThreadPoolExecutor] = {}


def _spawner() -> ThreadPoolExecutor:
    with _spawn_lock:
        pid = os.getpid()
        if pid not in _spawners:
            _spawners[pid] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mapserv")
        return _spawners[pid]


_pools: dict[tuple[str, str], MapServerPool] = {}
_pools_lock = threading.Lock()


def _pool(config: Path, working_dir: Path | None) -> MapServerPool:
    key = (str(config), str(working_dir or ""))
    found = _pools.get(key)
    if found is not None and found.owner_pid == os.getpid():
        return found
    with _pools_lock:
        found = _pools.get(key)
        if found is None or found.owner_pid != os.getpid():
            # A forked child (seeding workers) must not share its parent's processes.
            found = _pools[key] = MapServerPool(config=config, working_dir=working_dir,
                                                size=settings.MAPSERVER_PROCESSES)
        return found


def mapserver_pool_warm(env: Mapping[str, str] | None, *, config: Path,
                        working_dir: Path | None) -> int:
    """Start this process's warm mapserv processes for `config` now (see MapServerPool.warm);
    nothing with MAPSERVER_PROCESSES = 0. Returns how many answered."""
    if settings.MAPSERVER_PROCESSES <= 0:
        return 0
    return _pool(config, working_dir).warm(env)


def mapserver_pools_stop() -> None:
    """Stop every warm mapserv of this process (they close their database connections)."""
    with _pools_lock:
        pools = [pool for pool in _pools.values() if pool.owner_pid == os.getpid()]
        _pools.clear()
    for pool in pools:
        pool.stop()


# --- FastCGI client -----------------------------------------------------------------------

def _record(kind: int, content: bytes = b"") -> bytes:
    out = []
    for start in range(0, max(len(content), 1), _MAX_CONTENT):
        chunk = content[start:start + _MAX_CONTENT]
        padding = -len(chunk) % 8
        out.append(_HEADER.pack(_VERSION, kind, _REQUEST_ID, len(chunk), padding) + chunk
                   + b"\0" * padding)
    return b"".join(out)


def _pair_length(n: int) -> bytes:
    return bytes([n]) if n < 128 else struct.pack("!I", n | 0x80000000)


def _params(params: Mapping[str, str]) -> bytes:
    out = bytearray()
    for name, value in params.items():
        key, val = name.encode("latin-1"), str(value).encode("latin-1", "replace")
        out += _pair_length(len(key)) + _pair_length(len(val)) + key + val
    return bytes(out)


def _fastcgi_request(path: Path, params: Mapping[str, str], *, timeout: float
                     ) -> tuple[bytes, bytes]:
    """One FastCGI responder request on the Unix socket `path`: (stdout, stderr)."""
    deadline = time.monotonic() + timeout
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        _connect(conn, path)
        begin = struct.pack("!HB5x", _RESPONDER, 0)
        conn.sendall(_record(_BEGIN_REQUEST, begin) + _record(_PARAMS, _params(params))
                     + _record(_PARAMS) + _record(_STDIN))
        return _fastcgi_answer(conn, deadline)


def _fastcgi_answer(conn: socket.socket, deadline: float) -> tuple[bytes, bytes]:
    """Read records until END_REQUEST: (stdout, stderr).

    A metatile is megabytes in 8 kB records. The request asked mapserv not to keep the
    connection (no FCGI_KEEP_CONN), so it closes it after its answer: the answer is read
    into one buffer with MSG_WAITALL, in one wait for the whole of it (not one wake-up per
    record mapserv writes), under a kernel receive timeout kept to `deadline`; the
    records are found in place and their contents joined once at the end."""
    conn.settimeout(None)  # blocking: the kernel's SO_RCVTIMEO bounds each wait
    buffer = bytearray(_READ_BUFFER)
    filled = parsed = 0
    pieces: dict[int, list[tuple[int, int]]] = {_STDOUT: [], _STDERR: []}
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("MapServer did not answer in time")
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO,
                        struct.pack("ll", int(left), int(left % 1 * 1_000_000) or 1))
        if filled == len(buffer):
            buffer.extend(bytes(len(buffer)))
        with memoryview(buffer) as free:
            received = conn.recv_into(free[filled:], 0, socket.MSG_WAITALL)
        if not received:
            raise ConnectionError("MapServer closed the connection mid-answer")
        filled += received
        while parsed + _HEADER.size <= filled:
            _, kind, _, length, padding = _HEADER.unpack_from(buffer, parsed)
            end = parsed + _HEADER.size + length + padding
            if end > filled:
                break
            if kind in pieces:
                pieces[kind].append((parsed + _HEADER.size, parsed + _HEADER.size + length))
            elif kind == _END_REQUEST:
                with memoryview(buffer) as view:
                    return tuple(b"".join([view[start:stop] for start, stop in pieces[kind]])
                                 for kind in (_STDOUT, _STDERR))
            parsed = end


def _connect(conn: socket.socket, path: Path) -> None:
    """Connect to a mapserv just started: its socket listens before it accepts."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            conn.connect(str(path))
            return
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


atexit.register(mapserver_pools_stop)  # a clean exit closes their database connections
