"""An execution environment's lifecycle as named states and the events that move it between them.

Timeouts, crashes, reaping and retirement are transitions, not flags
(the shape of the Lambda Runtime Interface Emulator's state machine and of
https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html:
Init, Invoke, Shutdown).
"""

from __future__ import annotations

from enum import Enum


class State(Enum):
    # Members are singletons compared by identity: hash them so too (Enum's own hash is a Python call, and
    # every invocation looks two transitions up).
    __hash__ = object.__hash__

    STARTING = "starting"  # process launched, runtime and function init running
    READY = "ready"  # initialized and idle: warm
    INVOKING = "invoking"  # running one invocation
    DRAINING = "draining"  # running one invocation, retired: shut down when it ends
    DEAD = "dead"  # terminal: process killed or exited, never reused


class Event(Enum):
    __hash__ = object.__hash__

    INIT_DONE = "init_done"  # the runtime asked for its first invocation
    INIT_FAILED = "init_failed"  # the runtime reported an init error
    INVOKE = "invoke"  # an invocation was handed to the environment
    RESPONDED = "responded"  # the runtime returned a response or a function error
    TIMED_OUT = "timed_out"  # init or the invocation ran past its limit; the environment is killed
    EXITED = "exited"  # the process ended by itself (crash, exit, out of memory)
    REAPED = "reaped"  # idle too long, or memory was needed
    RETIRED = "retired"  # the function's code or configuration changed, or it was deleted
    SHUTDOWN = "shutdown"  # the engine is stopping


_ENDINGS = {Event.TIMED_OUT, Event.EXITED, Event.SHUTDOWN}

TRANSITIONS: dict[tuple[State, Event], State] = {
    (State.STARTING, Event.INIT_DONE): State.READY,
    (State.STARTING, Event.INIT_FAILED): State.DEAD,
    (State.STARTING, Event.RETIRED): State.DEAD,
    (State.READY, Event.INVOKE): State.INVOKING,
    (State.READY, Event.REAPED): State.DEAD,
    (State.READY, Event.RETIRED): State.DEAD,
    (State.INVOKING, Event.RESPONDED): State.READY,
    (State.INVOKING, Event.RETIRED): State.DRAINING,
    (State.DRAINING, Event.RESPONDED): State.DEAD,
    (State.DRAINING, Event.RETIRED): State.DRAINING,
    **{(state, event): State.DEAD
       for state in (State.STARTING, State.READY, State.INVOKING, State.DRAINING) for event in _ENDINGS},
    # Dead is absorbing: a process that exits after being killed, or a late retirement, changes nothing.
    **{(State.DEAD, event): State.DEAD for event in Event if event is not Event.INVOKE},
}


class InvalidTransition(RuntimeError):
    """An event that cannot happen in the current state: a bug in the engine, never a user error."""


def next_state(state: State, event: Event) -> State:
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise InvalidTransition(f"{event.value} in state {state.value}") from None
