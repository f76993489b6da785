"""Cohort scheduler service."""
