"""The request handlers of the chain, each one step: find the service, authenticate, parse,
authorize, dispatch, serialize."""

from __future__ import annotations

import inspect
import logging
from typing import Any, Awaitable, Callable

from botocore import xform_name

from lamina.gateway.auth import Authenticator
from lamina.gateway.auth_errors import auth_error
from lamina.gateway.context import RequestContext
from lamina.gateway.request_compression import inflate
from lamina.gateway.services import ServiceRegistry
from lamina.gateway.sigv4 import SignatureProblem, read_signature
from lamina.protocol.errors import NotImplementedByLamina, RequestTooLargeError, ServiceError, ValidationError
from lamina.protocol.validate import format_problems, validate
from lamina.services.context import CallContext

log = logging.getLogger("lamina.gateway")

# A step of the chain. Steps that never wait return None instead of a coroutine: the chain runs six steps
# per request, and a coroutine made only to be awaited at once is a measurable share of a small request.
Handler = Callable[[RequestContext], Awaitable[None] | None]


class UnknownService(ServiceError):
    code = "UnknownServiceException"
    status = 400


class ResolveService:
    """Which service and protocol: from the signature's credential scope, X-Amz-Target or path."""

    def __init__(self, registry: ServiceRegistry, default_region: str, max_request_bytes: int) -> None:
        self.registry = registry
        self.default_region = default_region
        self.max_request_bytes = max_request_bytes

    def __call__(self, ctx: RequestContext) -> None:
        try:
            ctx.signature = read_signature(ctx.request)
        except SignatureProblem as problem:
            ctx.signature = None
            ctx.endpoint = self.registry.resolve(ctx.request, None)
            if ctx.endpoint is not None:
                ctx.protocol = ctx.endpoint.protocol_for(ctx.request)
            raise auth_error(ctx.protocol.name if ctx.protocol else "json", problem.kind, problem.message)
        endpoint = self.registry.resolve(ctx.request, ctx.signature)
        ctx.region = ctx.signature.region if ctx.signature else self.default_region
        if endpoint is None:
            if ctx.signature is None:
                raise auth_error("json", "missing", "Missing Authentication Token")
            raise NotImplementedByLamina(f"lamina does not serve the service {ctx.signature.service!r}")
        ctx.endpoint = endpoint
        ctx.protocol = endpoint.protocol_for(ctx.request)
        if ctx.request.oversize:
            raise RequestTooLargeError("Request must be smaller than the server's limit of "
                                       f"{self.max_request_bytes} bytes")


class Authenticate:
    def __init__(self, authenticator: Authenticator) -> None:
        self.authenticator = authenticator

    async def __call__(self, ctx: RequestContext) -> None:
        try:
            ctx.principal = await self.authenticator.authenticate(ctx.request, ctx.signature)
        except SignatureProblem as problem:
            assert ctx.protocol is not None
            raise auth_error(ctx.protocol.name, problem.kind, problem.message) from None


class ParseRequest:
    """Read the operation and its input with the model; check the model's constraints."""

    def __call__(self, ctx: RequestContext) -> None:
        assert ctx.protocol is not None and ctx.endpoint is not None
        inflate(ctx.request)
        ctx.operation, ctx.params = ctx.protocol.parse(ctx.request)
        problems = validate(ctx.operation.input_shape, ctx.params, ctx.endpoint.provider.unchecked_enums)
        if problems:
            raise ValidationError(format_problems(problems), code=ctx.endpoint.codes.validation)


class Authorize:
    """The IAM hook: every authenticated request is checked here before its provider runs."""

    def __init__(self) -> None:
        self.checks: list[Handler] = []

    def __call__(self, ctx: RequestContext) -> Awaitable[None] | None:
        checks = self.checks
        if len(checks) == 1:  # IAM's, the usual case: its coroutine is the step's
            return checks[0](ctx)
        return self._each(ctx) if checks else None

    async def _each(self, ctx: RequestContext) -> None:
        for check in self.checks:
            await check(ctx)


class Dispatch:
    """Call the provider's method for the operation, after saying what lamina does not do with its input."""

    def __init__(self) -> None:
        self._warned: set[tuple[str, str, str]] = set()
        # (service, operation) -> (provider method or None, "service:Operation", unsupported, ignored members):
        # read from the provider once, not on every request.
        self._plans: dict[tuple[str, str], tuple[Callable[..., Any] | None, str, dict[str, str], dict[str, str]]] = {}

    def _plan(self, ctx: RequestContext) -> tuple[Callable[..., Any] | None, str, dict[str, str], dict[str, str]]:
        assert ctx.endpoint is not None and ctx.operation is not None
        endpoint, operation = ctx.endpoint, ctx.operation.name
        key = (endpoint.name, operation)
        plan = self._plans.get(key)
        if plan is None:  # one Dispatch per node, whose endpoints keep their providers
            provider = endpoint.provider
            plan = self._plans[key] = (
                getattr(provider, xform_name(operation), None),
                f"{endpoint.model.signing_name or endpoint.name}:{operation}",
                provider.unsupported_members.get(operation, {}), provider.ignored_members.get(operation, {}))
        return plan

    def _check_members(self, ctx: RequestContext, action: str, unsupported: dict[str, str],
                       ignored: dict[str, str]) -> None:
        assert ctx.endpoint is not None and ctx.operation is not None
        params = ctx.params or {}
        for member, why in unsupported.items():
            if params.get(member) is not None:
                raise NotImplementedByLamina(f"lamina does not implement {action} with {member}: {why}")
        for member, why in ignored.items():
            key = (ctx.endpoint.name, ctx.operation.name, member)
            if params.get(member) is not None and key not in self._warned:
                self._warned.add(key)
                log.warning("lamina accepts but does not act on %s member %s (%s)", action, member, why)

    async def __call__(self, ctx: RequestContext) -> None:
        assert ctx.endpoint is not None and ctx.operation is not None and ctx.principal is not None
        method, action, unsupported, ignored = self._plan(ctx)
        if method is None:
            raise NotImplementedByLamina(f"lamina does not implement {action} yet")
        if unsupported or ignored:
            self._check_members(ctx, action, unsupported, ignored)
        call = CallContext(
            service=ctx.endpoint.name, operation=ctx.operation.name, region=ctx.region,
            account_id=ctx.principal.account_id or ctx.account_id, request_id=ctx.request_id,
            principal=ctx.principal, base_url=ctx.base_url, source_ip=ctx.request.client_ip)
        result = method(call, ctx.params or {})
        if inspect.isawaitable(result):
            result = await result
        ctx.result = result


class SerializeResponse:
    def __call__(self, ctx: RequestContext) -> None:
        assert ctx.protocol is not None and ctx.operation is not None
        ctx.response = ctx.protocol.serialize_result(ctx.operation, ctx.result, ctx.request_id)
