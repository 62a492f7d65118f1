"""Reading one large GML export with several processes.

Parsing XML in Python is the longest step of an import and uses one core. A county
export is a long list of `gml:featureMember` elements, so the file is cut into
windows at the start of a featureMember; each reader process parses
`header + window + closing tag` as a document of its own (line numbers shifted
back to the file's) and sends its rows, already in column order, to the importing
process, which alone talks to the database. Queues are bounded, so memory stays
flat. A cut that lands somewhere odd (a featureMember tag inside a comment) makes
a window ill-formed: the caller then reads the whole file again, sequentially, and
only then reports a syntax error.
"""
import multiprocessing
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from queue import Empty

from .base import CadastreReader, Report
from .staging import column_names

MIN_BYTES = 48 * 2**20  # below this, starting processes costs more than it saves
MAX_WORKERS = 4
BATCH_ROWS = 2000
CHECK_EVERY_S = 5  # how often a waiting importer checks that its readers still live
_MEMBER = re.compile(rb"<([\w.-]+:)?featureMember[\s>]")
_ELEMENT = re.compile(rb"<([A-Za-z_][\w.-]*(?::[\w.-]+)?)[\s>/]")
_PROLOG = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", re.DOTALL)


@dataclass(frozen=True)
class Window:
    index: int
    start: int
    end: int
    line_offset: int


@dataclass(frozen=True)
class Plan:
    header: bytes  # everything before the first featureMember: declaration, root start tag
    tail: bytes  # the root's closing tag, for every window but the last
    windows: list[Window]


def workers() -> int:
    """Reader processes: CADASTRE_IMPORT_WORKERS (1 turns parallel reading off), else
    one per CPU up to MAX_WORKERS. Read at call time, never at import."""
    from django.conf import settings

    configured = getattr(settings, "CADASTRE_IMPORT_WORKERS", None)
    return int(configured) if configured else min(MAX_WORKERS, os.cpu_count() or 1)


def _context():
    """fork where the process has one thread (the command); spawn where it has more
    (a worker running tasks in threads), since a forked child inherits no other thread
    and may find a lock held by one of them."""
    method = "fork" if threading.active_count() == 1 else "spawn"
    return multiprocessing.get_context(method)


def _root_tag(header: bytes) -> bytes | None:
    for match in _ELEMENT.finditer(header):
        return match.group(1)
    return None


def _cut_after(f, tag: bytes, offset: int, size: int) -> int | None:
    """Offset of the first `tag` at or after `offset`."""
    f.seek(offset)
    carry = b""
    while offset < size:
        block = f.read(1 << 20)
        found = (carry + block).find(tag)
        if found >= 0:
            return offset - len(carry) + found
        carry = block[-len(tag):]
        offset += len(block)
    return None


def _line_offsets(f, cuts: list[int], header_lines: int) -> list[int]:
    """For each cut, the lines of the file before it, less those of the header."""
    offsets, lines, position = [], 0, 0
    f.seek(0)
    for cut in cuts:
        while position < cut:
            block = f.read(min(1 << 24, cut - position))
            lines += block.count(b"\n")
            position += len(block)
        offsets.append(lines - header_lines)
    return offsets


def plan(path: Path, parts: int) -> Plan | None:
    """Where to cut `path` into `parts` windows, or None to read it in one piece."""
    size = path.stat().st_size
    if parts < 2 or size < MIN_BYTES:
        return None
    with path.open("rb") as f:
        head = f.read(1 << 20)
        member, root = _MEMBER.search(head), None
        if member is not None:
            root = _root_tag(_PROLOG.sub(b"", head[:member.start()]))
        if member is None or root is None or b"featureMembers" in head:
            return None
        tag = member.group(0)[:-1]
        cuts = [member.start()]
        for k in range(1, parts):
            cut = _cut_after(f, tag, max(size * k // parts, cuts[-1] + 1), size)
            if cut is not None and cut > cuts[-1]:
                cuts.append(cut)
        header = head[:member.start()]
        lines = _line_offsets(f, cuts, header.count(b"\n"))
    ends = [*cuts[1:], size]
    windows = [Window(i, c, e, n) for i, (c, e, n) in enumerate(zip(cuts, ends, lines,
                                                                    strict=True))]
    return Plan(header, b"</" + root + b">", windows) if len(windows) > 1 else None


def _read_window(reader_cls: type[CadastreReader], path: Path, file_name: str, options,
                 plan_: Plan, window: Window, queue) -> None:
    """One reader process: parse a window, send rows in batches, then its report."""
    try:
        from django.apps import apps

        if not apps.ready:  # a spawned process starts without Django set up
            import django

            django.setup()
        reader = reader_cls(path, Report(file_name), options)
        last = window.index == len(plan_.windows) - 1
        reader.window = (plan_.header, window.start, window.end, b"" if last else plan_.tail)
        reader.line_offset, reader.seq_base = window.line_offset, window.index * 10**12
        names, batch = {}, []
        for kind, row in reader.rows():
            if row.get("seq") is None:  # every row needs a number unique across windows
                reader.number(row)
            columns = names.get(kind) or names.setdefault(kind, column_names(kind))
            batch.append((kind, tuple(row.get(name) for name in columns)))
            if len(batch) >= BATCH_ROWS:
                queue.put(("rows", window.index, reader.bytes_done, batch))
                batch = []
        queue.put(("rows", window.index, reader.bytes_done, batch))
        queue.put(("done", window.index, reader.report, dict(reader.skipped)))
    except BaseException as exc:  # noqa: BLE001 - reported to the importing process
        queue.put(("failed", window.index, f"{type(exc).__name__}: {exc}", None))


class ParallelRead:
    """Rows of all windows, as they come; then `report` and `skipped` hold them all."""

    def __init__(self, reader: CadastreReader, plan_: Plan) -> None:
        self.reader, self.plan = reader, plan_
        self.bytes_done = 0
        self.well_formed = True

    def rows(self) -> Iterator[tuple[str, tuple]]:
        context = _context()
        queue = context.Queue(maxsize=4 * len(self.plan.windows))
        processes = [context.Process(
            target=_read_window, daemon=True,
            args=(type(self.reader), self.reader.path, self.reader.report.file,
                  self.reader.options, self.plan, window, queue))
            for window in self.plan.windows]
        for process in processes:
            process.start()
        try:
            yield from self._collect(queue, processes)
        finally:
            for process in processes:
                process.join(timeout=5)
                if process.is_alive():
                    process.kill()

    def _collect(self, queue, processes: list) -> Iterator[tuple[str, tuple]]:
        done_bytes = [0] * len(self.plan.windows)
        running = len(processes)
        while running:
            try:
                message, index, payload, extra = queue.get(timeout=CHECK_EVERY_S)
            except Empty:
                # A reader killed from outside (out of memory, a signal) sends nothing.
                if any(p.exitcode not in (None, 0) for p in processes):
                    raise RuntimeError("a reader process ended without its report") from None
                continue
            if message == "rows":
                done_bytes[index] = payload
                self.bytes_done = sum(done_bytes)
                yield from extra
            elif message == "done":
                running -= 1
                self.well_formed &= payload.by_code.get("xml_syntax", 0) == 0
                self.reader.report.merge(payload)
                self.reader.skipped.update(extra)
            else:
                raise RuntimeError(f"a reader process failed: {payload}")
