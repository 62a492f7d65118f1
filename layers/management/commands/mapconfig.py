from django.core.management.base import BaseCommand

from layers.mapproxy_config import publication_write


class Command(BaseCommand):
    help = ("Write the mapfile, the MapServer config and the MapProxy config for the current "
            "database from the layer registry, and print their paths.")

    def handle(self, *args, **options) -> None:
        files = publication_write()
        for path in (files.mapserver.mapfile, files.mapserver.config, files.mapproxy):
            self.stdout.write(str(path))
