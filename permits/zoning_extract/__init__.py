"""The zoning extract (wypis i wyrys z planu): content from the plan data, the PDF."""
