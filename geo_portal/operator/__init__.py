"""The regional operator's pages: the units under the operator, each unit's set-up checklist,
comparative statistics over the event history, and onboarding many units at once.

An operator holds the `operator` role in a voivodeship or powiat; the role reaches every unit
whose TERYT code extends the operator's own (core.access.units_for)."""
