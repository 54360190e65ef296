"""The `newsearch` command line."""
