"""manage.py seed_tiles --unit TERYT [--levels 0-12] [--layers a,b] [--resume] [--background]

Parses the arguments, records the seed as a job and runs it here, or with --background
queues it for the job worker; prints its outcome (progress is on the job row, shown in
the administration under Tile cache jobs).
"""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.commands import unit_option
from core.models import AdministrativeUnit
from layers.cache_refresh import tile_cache_job_run, tile_seed_request, tile_seed_resumable
from layers.errors import TileJobInvalid
from layers.models import TileCacheJob


def levels(value: str) -> list[int]:
    """'0-12' or '10,11,14' (pl1992 levels, 0-16) as a list."""
    try:
        found = set()
        for part in value.split(","):
            first, _, last = part.strip().partition("-")
            found.update(range(int(first), int(last or first) + 1))
    except ValueError as exc:
        raise CommandError(f"--levels {value}: write levels as 0-12 or 10,11,14") from exc
    if not found or min(found) < 0 or max(found) > 16:
        raise CommandError(f"--levels {value}: the pl1992 grid has levels 0 to 16")
    return sorted(found)


class Command(BaseCommand):
    help = ("Draw the tiles of a unit ahead of visitors (every published layer, both grids), "
            "a few MapServer processes at a time; --resume continues a stopped seed.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--unit", required=True, help="TERYT code of the unit")
        parser.add_argument("--levels", default=None,
                            help="pl1992 levels, e.g. 0-12 (default MAP_SEED_LEVELS)")
        parser.add_argument("--layers", default="", help="only these layers, comma separated")
        parser.add_argument("--resume", action="store_true",
                            help="continue the unit's last stopped seed or refresh "
                                 "from where it stopped")
        parser.add_argument("--background", action="store_true",
                            help="queue the seed for the job worker instead of running it here")

    def handle(self, *args, **options) -> None:
        if options["resume"] and options["background"]:
            raise CommandError("--resume continues a seed here; leave out --background")
        unit = unit_option(options["unit"])
        job = self._job(unit, options)
        self.stdout.write(f"job {job.pk}: {job.get_kind_display()} of {unit.teryt}, "
                          f"levels {job.levels}, {len(job.caches)} layers")
        if options["background"]:
            self.stdout.write(f"job {job.pk}: queued for the job worker")
            return
        done = tile_cache_job_run(job=job, resume=options["resume"])
        if done is None:
            raise CommandError(f"job {job.pk} is run by someone else or finished already")
        self.stdout.write(f"job {job.pk}: {done.message}")

    def _job(self, unit: AdministrativeUnit, options) -> TileCacheJob:
        if options["resume"]:
            job = tile_seed_resumable(unit=unit)
            if job is None:
                raise CommandError(f"--resume: {unit.teryt} has no stopped seed to continue "
                                   "(nor a stopped refresh)")
            return job
        names = [n.strip() for n in options["layers"].split(",") if n.strip()]
        try:
            return tile_seed_request(unit=unit,
                                     levels=levels(options["levels"] or settings.MAP_SEED_LEVELS),
                                     layer_names=names or None, enqueue=options["background"])
        except TileJobInvalid as exc:
            raise CommandError(str(exc.message)) from exc
