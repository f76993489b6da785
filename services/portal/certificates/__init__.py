"""Certificates on the portal: the public verification page and the person's PDFs."""
