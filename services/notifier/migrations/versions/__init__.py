"""The notifier's revisions, oldest first by their numbers."""
