"""The registry's revisions, oldest first by their numbers."""
