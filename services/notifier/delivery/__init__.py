"""Delivery: the ledger of outgoing messages, their claims, and sending them over SMTP."""
