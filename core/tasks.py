"""Background jobs of the core: finding jobs whose process died."""
from procrastinate.contrib.django import app

from .jobs import jobs_reap_dead


# Every minute; a job is dead once its heartbeat is older than JOB_LEASE_SECONDS.
@app.periodic(cron="* * * * *", periodic_id="jobs-reap-dead")
@app.task(queue="maintenance", name="core.jobs_reap_dead", queueing_lock="jobs-reap-dead")
def jobs_reap_dead_task(timestamp: int) -> int:
    return jobs_reap_dead()
