"""Offerings as the registry publishes, changes and cancels them."""
