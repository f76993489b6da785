"""The scheduler's revisions, oldest first by their numbers."""
