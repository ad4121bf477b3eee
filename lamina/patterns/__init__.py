"""EventBridge's event-pattern language, compiled once and matched many times.

Used by EventBridge rules and TestEventPattern, and by Lambda event-source mappings'
FilterCriteria (the same language). The grammar and semantics follow
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
and https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
"""

from lamina.patterns.compiler import EventPattern, compile_pattern, parse_pattern
from lamina.patterns.errors import InvalidPattern

__all__ = ["EventPattern", "InvalidPattern", "compile_pattern", "parse_pattern"]
