"""permits: application kinds, workflow, fees, deadlines and documents.
May use cadastre_sync and layers."""
