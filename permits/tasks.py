"""Background jobs of permits: thin, they call the service."""
from procrastinate.contrib.django import app

from .services import applications_silence_due


# Every hour at :05; the service re-checks each case under its lock, so a missed or doubled
# run changes nothing it should not.
@app.periodic(cron="5 * * * *", periodic_id="permits-silence")
@app.task(queue="permits", name="permits.silence_due", queueing_lock="permits-silence")
def silence_due_task(timestamp: int) -> int:
    """Notifications whose objection term passed without an objection: removal allowed."""
    return applications_silence_due()
