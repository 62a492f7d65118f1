"""manage.py run_worker [WORKER OPTIONS]: the job worker, started again after it stops
(a database restart), so neither the demo nor production loses its jobs to an outage."""
from django.core.management.base import BaseCommand

from core.worker import worker_supervise


class Command(BaseCommand):
    help = ("Run the Procrastinate job worker and start it again, with back-off, whenever "
            "it stops on its own (e.g. the database restarted). Options after the command "
            "go to `procrastinate worker` (e.g. --queues imports,permits).")

    def add_arguments(self, parser) -> None:
        parser.add_argument("worker_args", nargs="*", help="options for the worker")

    def run_from_argv(self, argv: list[str]) -> None:
        # Everything after the command name goes to the worker untouched.
        self._worker_args = argv[2:]
        super().run_from_argv(argv[:2])

    def handle(self, *args, **options) -> None:
        code = worker_supervise(worker_args=getattr(self, "_worker_args", options["worker_args"]),
                                say=lambda text: self.stderr.write(text))
        if code:
            raise SystemExit(code)
