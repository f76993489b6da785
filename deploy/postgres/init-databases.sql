-- One database per service: no service can read another's tables.
CREATE DATABASE cohort_registry;
CREATE DATABASE cohort_scheduler;
CREATE DATABASE cohort_notifier;
