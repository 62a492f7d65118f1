"""Drawing tiles ahead of visitors, through MapProxy's own seeding API (mapproxy.seed).

Two uses, one walk: an initial seed draws the missing tiles of a unit's area; a refresh
redraws only the tiles already cached that were drawn before a change, over the changed
area. Both build MapProxy `SeedTask`s (one cache, one grid, its levels, a coverage) and
hand them to `mapproxy.seed.seeder.seed`, which walks the tile pyramid depth first,
skips what does not touch the coverage and draws metatiles with `concurrency` MapServer
processes at a time, so the renderer is never flooded.

Progress is checkpointed with MapProxy's `ProgressStore` (what `mapproxy-seed --continue`
uses) in a file per job: a job stopped half way (worker killed, machine restarted) walks
on from its checkpoint, then checks the pyramid once more for the metatiles that were being
drawn when it stopped; it does not draw again what it drew.
"""
import io
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from mapproxy.config.loader import load_configuration
from mapproxy.seed.cachelock import CacheLocker
from mapproxy.seed.config import SeedingConfiguration
from mapproxy.seed.seeder import SeedInterrupted, SeedTask, seed
from mapproxy.seed.util import ProgressLog, ProgressStore
from mapproxy.srs import SRS
from mapproxy.util.coverage import coverage as mapproxy_coverage
from shapely import wkb
from shapely.geometry.base import BaseGeometry

from .mapproxy_config import GRIDS, CachePlan, cache_dir, publication
from .mapserver import SRID

log = logging.getLogger(__name__)

# Levels within this factor of a layer's scale range are walked too: MapProxy picks the
# level for a resolution with some slack, and a blank tile costs nothing to draw.
RES_SLACK = 1.5


@dataclass(frozen=True)
class SeedOutcome:
    tasks: int
    tiles: int
    seconds: float


Progress = Callable[[float, int], None]  # (fraction done, tiles drawn or checked so far)


def checkpoint_dir() -> Path:
    return cache_dir() / "seed_progress"


def seeding_run(*, plans: list[CachePlan], area_wkb: bytes, levels: list[int] | None,
                refresh_before: float | None, checkpoint: Path, resume: bool = False,
                on_progress: Progress | None = None) -> SeedOutcome:
    """Seed (refresh_before None) or refresh the caches of `plans` over `area` (EPSG:2180).

    `levels` are pl1992 levels; every grid walks the levels of the same resolutions.
    A refresh walks every level that holds cached tiles and redraws only those drawn
    before `refresh_before` (a Unix time), over the area widened per level by each
    cache's reach. With `resume`, work recorded in `checkpoint` is skipped.
    """
    started = time.monotonic()
    files = publication().files  # writes the configuration and points mapserv at it
    conf = load_configuration(str(files.mapproxy), seed=True)
    area = wkb.loads(bytes(area_wkb))
    with conf:
        seeding = SeedingConfiguration({}, mapproxy_conf=conf)
        tasks = list(_tasks(seeding, plans, area, levels, refresh_before))
        checkpoint.parent.mkdir(parents=True, exist_ok=True)
        store = ProgressStore(str(checkpoint), continue_seed=resume)
        logger = _JobProgress(len(tasks), store, on_progress)
        locker = CacheLocker(str(cache_dir() / "seed_locks.sqlite"))
        with redirect_stdout(io.StringIO()):  # seed() prints a summary of every task
            seed(tasks, concurrency=settings.MAP_SEED_CONCURRENCY, progress_logger=logger,
                 cache_locker=locker, skip_uncached=refresh_before is not None)
            if resume:
                # The checkpoint counts a metatile when it is handed to a drawing process,
                # so the ones being drawn when the job was killed lie behind it. Walk once
                # more from the start: a seed draws only tiles still missing, a refresh
                # only tiles still older than the change; the rest is a file check.
                seed(tasks, concurrency=settings.MAP_SEED_CONCURRENCY, cache_locker=locker,
                     skip_uncached=refresh_before is not None)
        logger.finish()
        store.remove()
    return SeedOutcome(tasks=len(tasks), tiles=logger.tiles,
                       seconds=round(time.monotonic() - started, 3))


def _tasks(seeding: SeedingConfiguration, plans: list[CachePlan], area: BaseGeometry,
           levels: list[int] | None, refresh_before: float | None) -> Iterator[SeedTask]:
    reference = seeding.grids["pl1992"]
    finest = None if levels is None else reference.resolution(max(levels))
    for plan in plans:
        for grid_name, tile_manager in seeding.cache(plan.cache).items():
            if grid_name not in GRIDS:
                continue
            grid = seeding.grids[grid_name]
            md = {"name": "refresh" if refresh_before else "seed", "cache_name": plan.cache,
                  "grid_name": grid_name}
            visible = [z for z in range(grid.levels)
                       if _visible(plan, grid.resolution(z))
                       and (finest is None or grid.resolution(z) >= finest * 0.99)]
            if refresh_before is None:
                cover = _coverage(area, 0.0, grid)
                if visible:
                    yield SeedTask(md, tile_manager, visible, None, False, cover)
                continue
            for z in visible:
                if _level_cached(tile_manager, z):
                    # Beyond a changed feature, its line or label reaches so many pixels.
                    cover = _coverage(area, plan.reach_px * grid.resolution(z), grid)
                    yield SeedTask(md, tile_manager, [z], refresh_before, False, cover)


def _visible(plan: CachePlan, res: float) -> bool:
    if plan.min_res is not None and res > plan.min_res * RES_SLACK:
        return False
    return plan.max_res is None or res >= plan.max_res / RES_SLACK


def _level_cached(tile_manager, level: int) -> bool:
    location = getattr(tile_manager.cache, "level_location", None)
    return location is None or Path(location(level)).is_dir()


def _coverage(area: BaseGeometry, buffer_m: float, grid):
    # Web mercator metres are longer than ground metres (1.6x in Poland): a buffer in
    # grid units taken as EPSG:2180 metres only reaches further, never shorter.
    geom = area.buffer(buffer_m, quad_segs=2) if buffer_m > 0 else area
    return mapproxy_coverage(geom, SRS(SRID)).transform_to(grid.srs)


class _JobProgress(ProgressLog):
    """MapProxy's progress log, reporting to a callback and checkpointing on a timer."""

    def __init__(self, tasks: int, store: ProgressStore, on_progress: Progress | None) -> None:
        super().__init__(out=io.StringIO(), silent=True, verbose=False, progress_store=store)
        self.tasks, self.on_progress = max(tasks, 1), on_progress
        self.done_tasks, self.tiles, self._task_tiles = 0, 0, 0
        self._task, self._saved = None, 0.0

    def log_progress(self, progress, level, bbox, tiles) -> None:
        if self.current_task_id != self._task:  # seed() moved on to the next task
            if self._task is not None:
                self.done_tasks += 1
            self._task, self.tiles = self.current_task_id, self.tiles + self._task_tiles
            self._task_tiles = 0
        self._task_tiles = tiles
        now = time.monotonic()
        if progress.progress >= 1.0 or now - self._saved >= settings.MAP_SEED_CHECKPOINT_SECONDS:
            self._saved = now
            self.progress_store.add(self.current_task_id, progress.current_progress_identifier())
            self.progress_store.write()
            if self.on_progress:
                self.on_progress((self.done_tasks + progress.progress) / self.tasks,
                                 self.tiles + tiles)

    def finish(self) -> None:
        self.tiles += self._task_tiles
        self._task_tiles = 0
        if self.on_progress:
            self.on_progress(1.0, self.tiles)


__all__ = ["CachePlan", "SeedInterrupted", "SeedOutcome", "checkpoint_dir", "seeding_run"]
