"""Rendering: a booking or a notice into the bytes of one message (words, MIME, iCalendar, zones).

Pure: no session, Celery, SMTP or ORM import (tests/unit/test_notifier_rendering_purity.py).
"""
