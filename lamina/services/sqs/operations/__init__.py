"""SQS's operations, grouped by what they act on; ``provider.py`` composes them."""
