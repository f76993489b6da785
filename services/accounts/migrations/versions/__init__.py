"""The accounts service's revisions, oldest first by their numbers."""
