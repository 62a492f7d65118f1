"""manage.py demo_data: load a deterministic demo gmina (see geo_portal.demo)."""
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import Conflict, InvalidInput
from geo_portal.demo.accounts import demo_accounts, demo_accounts_ensure
from geo_portal.demo.generator import REFUSE, REPLACE, SKIP, demo_data_generate
from geo_portal.demo.layout import DEFAULT_CENTER
from geo_portal.demo.tax import demo_tax_roll
from geo_portal.demo.units import gmina_code


def center(value: str) -> tuple[float, float]:
    try:
        lon, lat = (float(part) for part in value.split(","))
    except ValueError as exc:
        raise CommandError(f"--center: “{value}” is not LON,LAT (e.g. 16.1610,51.2070)") from exc
    if not (14.0 <= lon <= 24.2 and 49.0 <= lat <= 54.9):
        raise CommandError(f"--center: {lon},{lat} is not in Poland (lon 14–24.2, lat 49–54.9)")
    return lon, lat


class Command(BaseCommand):
    help = "Generate a deterministic demo gmina: precincts, parcels, owners, buildings, plans."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="gmina TERYT code, e.g. 026101_1")
        parser.add_argument("--parcels", required=True, type=int, help="exact number of parcels")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same data (default 1)")
        parser.add_argument("--name", help="unit name when the unit is created")
        parser.add_argument("--center", default=",".join(map(str, DEFAULT_CENTER)),
                            help="LON,LAT of the town centre (default: Legnica)")
        parser.add_argument("--accounts", action="store_true",
                            help="also create the demo logins (idempotent)")
        existing = parser.add_mutually_exclusive_group()
        existing.add_argument("--if-empty", action="store_true",
                              help="do nothing when the unit already has parcels")
        existing.add_argument("--replace", action="store_true",
                              help="delete the unit's cadastre (parcels, buildings, owners, "
                                   "precincts) and demo plans first")

    def handle(self, *args, **options) -> None:
        try:
            teryt = gmina_code(options["unit"])
        except InvalidInput as exc:
            raise CommandError(f"--unit {options['unit']}: {exc.message}") from exc
        if options["parcels"] < 1:
            raise CommandError("--parcels: must be at least 1")
        existing = REPLACE if options["replace"] else SKIP if options["if_empty"] else REFUSE
        try:
            report = demo_data_generate(
                teryt=teryt, parcels=options["parcels"], seed=options["seed"],
                name=options["name"], center=center(options["center"]), existing=existing,
                progress=self.stdout.write, trace=options["verbosity"] >= 2,
            )
        except Conflict as exc:
            hint = "" if existing == REPLACE or "parcels" not in exc.detail else (
                "; --replace deletes and regenerates them, --if-empty leaves them")
            raise CommandError(f"{exc.message}{hint}") from exc
        except InvalidInput as exc:
            raise CommandError(f"--{exc.detail.get('field', 'unit')}: {exc.message}") from exc
        if report.generated:
            self.stdout.write(f"done: {report.unit} in {report.seconds:.1f} s")
            tax = demo_tax_roll(unit=report.unit, seed=options["seed"])
            self.stdout.write(f"tax roll: {tax['objects']:,} tax objects, {tax['findings']:,} "
                              f"findings in reconciliation run {tax['run']} "
                              f"({tax['seconds']:.1f} s)")
        else:
            self.stdout.write(f"{report.unit} already has {report.existing_parcels:,} parcels; "
                              "left as they are (--if-empty)")
        if options["accounts"]:
            self._accounts(report.unit)

    def _accounts(self, unit) -> None:
        demo_accounts_ensure(unit=unit)
        self.stdout.write("demo logins:")
        for username, password, role in demo_accounts():
            self.stdout.write(f"  {username:<12} {password:<16} {role}")
        # Applications need the demo resident and officer, so they come with the logins.
        from geo_portal.demo.permits import demo_permits

        permits = demo_permits(unit=unit)
        self.stdout.write(f"applications: kinds {', '.join(permits['kinds'])} offered; "
                          f"{permits['cases']} demo cases")
