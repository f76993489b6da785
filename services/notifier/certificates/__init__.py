"""Certificates of completed trainings: kept from `completion.earned`, rendered to PDF, mailed
once, verified by anyone, collected into a transcript."""
