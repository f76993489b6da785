"""The public catalogue listing: statements built once, plain rows, keyset pages."""
