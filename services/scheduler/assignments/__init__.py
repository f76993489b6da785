"""Facilitator assignment: staff a cohort, re-check it after a change, re-plan a window."""
