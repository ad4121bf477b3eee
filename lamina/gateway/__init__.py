"""The HTTP front door: one server, a chain of small request handlers."""
