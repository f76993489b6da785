"""Cohort registry service: affiliates, programs and training offerings."""
