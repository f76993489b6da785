"""People: educators and facilitators sign up; facilitators see the cohorts they lead."""
