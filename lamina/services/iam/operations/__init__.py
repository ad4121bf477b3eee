"""IAM's operations, one group per kind of entity, composed in ``provider.py``."""
