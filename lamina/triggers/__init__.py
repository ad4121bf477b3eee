"""Background work that makes functions run: the async invoker, event-source mappings, schedules,
rule targets and notification fan-out (ARCHITECTURE.md §6). Triggers are the only pollers."""
