"""The one error a pattern can raise; services turn it into their own error shape
(EventBridge: InvalidEventPatternException; Lambda: InvalidParameterValueException)."""


class InvalidPattern(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(f"Event pattern is not valid. Reason: {reason}")
        self.reason = reason
