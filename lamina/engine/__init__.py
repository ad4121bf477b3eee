"""The execution engine: runs a function version's code in execution environments.

It knows nothing of AWS APIs (ARCHITECTURE.md §4): it is given a
:class:`~lamina.engine.api.FunctionSpec` and an
:class:`~lamina.engine.api.Invocation` and returns an
:class:`~lamina.engine.api.InvocationResult`.
"""

from lamina.engine.engine import Engine
from lamina.engine.settings import EngineSettings

__all__ = ["Engine", "EngineSettings"]
