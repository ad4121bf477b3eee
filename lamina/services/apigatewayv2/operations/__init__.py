"""The HTTP API operation groups, one resource each, composed in ``provider.py``."""
