"""Cohort's services: registry, scheduler and notifier."""
