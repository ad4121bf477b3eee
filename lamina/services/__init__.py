"""One provider per AWS service, one method per operation (ARCHITECTURE.md §2)."""
