"""The portal: server-rendered pages for people, calling the public APIs on their behalf."""
