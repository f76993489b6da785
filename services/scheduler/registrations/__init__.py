"""Registrations: a seat or a place on the waitlist, cancellations, rosters."""
