"""Run the whole Cohort stack locally as plain processes (`make run`, `make demo`)."""
