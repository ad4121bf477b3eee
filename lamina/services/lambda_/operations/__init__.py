"""Lambda's operations, grouped by the resource they act on; ``provider.py`` composes them."""
