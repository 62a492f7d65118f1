"""A full reconciliation compares the buildings and the owners on connections of their own
while its own connection compares the land (a job runs outside a transaction). These tests
commit, as a job does: a test's transaction would hide its data from the other connections
(inside one, the steps run one after the other, as the other reconciliation tests see)."""
import threading

import pytest

from cadastre_sync.models import ReconciliationRun, TaxFinding
from cadastre_sync.tax import reconcile as reconcile_module
from cadastre_sync.tax.reconcile import reconcile
from tests.tax_factories import YEAR, discrepancy_gmina
from tests.test_tax_reconcile import work_schemas
from tests.test_tax_reconcile_incremental import (
    change_everything_a_county_and_a_tax_office_change,
    open_findings,
)

pytestmark = pytest.mark.django_db(transaction=True)

# A transactional test's flush keeps schemas: one of a run another test killed may be there,
# so each test asks for its own runs' work schemas.


@pytest.fixture
def aside_threads(monkeypatch) -> list[str]:
    """The names of the threads the run's other connections ran in."""
    names: list[str] = []
    run = reconcile_module._Aside.run

    def recorded(self):
        names.append(threading.current_thread().name)
        return run(self)
    monkeypatch.setattr(reconcile_module._Aside, "run", recorded)
    return names


def test_a_full_run_on_several_connections_finds_what_one_connection_finds(
        monkeypatch, aside_threads):
    g = discrepancy_gmina()
    change_everything_a_county_and_a_tax_office_change(g)

    together = reconcile(unit=g.unit, year=YEAR, scope="full")
    found_together = open_findings(g.unit)
    monkeypatch.setattr(reconcile_module, "ASIDE_STEPS", ())
    alone = reconcile(unit=g.unit, year=YEAR, scope="full")

    assert sorted(aside_threads) == ["reconcile-aside-1", "reconcile-aside-2"]
    assert together.run.status == alone.run.status == ReconciliationRun.SUCCEEDED
    assert len({category for category, _key in found_together}) >= 8
    assert open_findings(g.unit) == found_together
    assert together.counts["found"] == alone.counts["found"]
    assert alone.counts["persisting"] == len(found_together)
    assert together.run.progress_done == together.run.progress_total
    log = ReconciliationRun.objects.get(pk=together.run.pk).log
    for step, _statements in reconcile_module.STEPS:
        assert log.count(f" {step}\n") == 1, step
    assert not {f"rec_run_{together.run.pk}", f"rec_run_{alone.run.pk}"} & work_schemas()


def test_a_step_failing_on_another_connection_fails_the_run_and_keeps_the_findings(
        monkeypatch, aside_threads):
    g = discrepancy_gmina()
    reconcile(unit=g.unit, year=YEAR)
    before = open_findings(g.unit)
    steps = dict(reconcile_module.STEPS)
    broken = (*steps["owners and taxpayers"][:2], "SELECT 1 / 0",
              *steps["owners and taxpayers"][2:])
    monkeypatch.setattr(reconcile_module, "STEPS", tuple(
        (name, broken if name == "owners and taxpayers" else statements)
        for name, statements in reconcile_module.STEPS))

    with pytest.raises(Exception, match="division by zero"):
        reconcile(unit=g.unit, year=YEAR, scope="full")

    failed = ReconciliationRun.objects.order_by("-pk")[0]
    assert aside_threads
    assert failed.status == ReconciliationRun.FAILED
    assert "division by zero" in failed.message
    assert open_findings(g.unit) == before
    assert not TaxFinding.objects.filter(last_run=failed).exists()
    assert f"rec_run_{failed.pk}" not in work_schemas()
    assert not [t for t in threading.enumerate() if t.name.startswith("reconcile-aside")]
