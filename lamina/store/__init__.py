"""Persistence: a record store with conditional writes, durable work queues, and content-addressed blobs.

Everything acknowledged to a client is written here first (ARCHITECTURE.md §5).
SQLite is the default backend; a PostgreSQL backend implements the same
interface for cluster mode.
"""

from lamina.store.base import ANY, PreconditionFailed, QueueItem, Record, Store

__all__ = ["ANY", "PreconditionFailed", "QueueItem", "Record", "Store"]
