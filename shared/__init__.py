"""Code every Cohort service shares: settings, database, auth, events and the event bus."""
