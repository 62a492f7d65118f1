"""manage.py permits_deadlines: apply the outcome of silence where a term passed (the job
worker does this hourly; this command is for cron-less set-ups and for checking)."""
from django.core.management.base import BaseCommand

from permits.services import applications_silence_due


class Command(BaseCommand):
    help = "Decide by silence the notifications whose objection term passed without objection."

    def handle(self, *args, **options) -> None:
        done = applications_silence_due()
        self.stdout.write(f"{done} case(s) decided by silence")
