"""PD credit: completion when attendance is final, an append-only ledger, revocation."""
