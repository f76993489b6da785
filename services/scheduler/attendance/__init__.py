"""Attendance: who was at each meeting, marked by the cohort's facilitators or the affiliate."""
