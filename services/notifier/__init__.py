"""Cohort notifier service."""
