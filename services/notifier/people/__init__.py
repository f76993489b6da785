"""What the notifier keeps of people follows accounts: new names and languages, and erasure."""
