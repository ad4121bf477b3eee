"""Route authorizers of HTTP APIs: JWT (validated against the issuer's JWKS) and Lambda (REQUEST),
whose answers are cached per identity for AuthorizerResultTtlInSeconds
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html,
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html).

A missing or invalid token is 401 Unauthorized; a valid token without a required scope, or a Lambda
authorizer's refusal, 403 Forbidden; a Lambda authorizer that fails, 500.
"""

from __future__ import annotations

import fnmatch
import time
from dataclasses import dataclass
from typing import Any, Callable

import orjson
from joserfc import jwt
from joserfc.errors import JoseError

from lamina.proxy.lambda_integration import LambdaInvoker, function_arn_of
from lamina.proxy.request import ProxyRequest
from lamina.services.apigatewayv2.jwks import JwksCache, JwksUnavailable

_ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
AUTHORIZER_TIMEOUT_S = 10.0  # Lambda authorizers get at most 10 s


@dataclass(slots=True)
class Decision:
    status: int | None = None  # None: allowed; otherwise the status API Gateway answers with
    context: dict[str, Any] | None = None  # requestContext.authorizer
    error: str = ""


ALLOW = Decision()


@dataclass(slots=True)
class AuthRequest:
    """What an authorizer sees of the request: the request itself and where it landed."""

    request: ProxyRequest
    route_key: str
    route_arn: str
    stage_variables: dict[str, str]
    path_parameters: dict[str, str]
    scopes: list[str]
    # Builds the Lambda authorizer's event for payload format "1.0" or "2.0" from its identity values.
    event: Callable[[str, list[str]], dict[str, Any]]


def identity_value(source: str, auth: AuthRequest) -> str | None:
    """The value of one identity source: ``$request.header.X``, ``$request.querystring.x``,
    ``$stageVariables.x`` or ``$context.x`` (requestId, routeKey, httpMethod)."""
    request = auth.request
    if source.startswith("$request.header."):
        return request.headers.get(source[len("$request.header."):].lower()) or None
    if source.startswith("$request.querystring."):
        name = source[len("$request.querystring."):]
        values = [v for k, v in request.query_pairs if k == name]
        return ",".join(values) if values else None
    if source.startswith("$stageVariables."):
        return auth.stage_variables.get(source[len("$stageVariables."):]) or None
    context = {"$context.requestId": request.request_id, "$context.routeKey": auth.route_key,
               "$context.httpMethod": request.method}
    return context.get(source)


class Authorizers:
    def __init__(self, invoker: Callable[[], LambdaInvoker | None]) -> None:
        self.invoker = invoker
        self.jwks = JwksCache()
        self._cache: dict[tuple[str, tuple[str, ...]], tuple[float, dict[str, Any]]] = {}

    async def authorize(self, authorizer: dict[str, Any], auth: AuthRequest) -> Decision:
        if authorizer.get("AuthorizerType") == "JWT":
            return await self._jwt(authorizer, auth)
        return await self._lambda(authorizer, auth)

    def forget(self, authorizer_id: str) -> None:
        for key in [k for k in self._cache if k[0] == authorizer_id]:
            del self._cache[key]

    # JWT
    async def _jwt(self, authorizer: dict[str, Any], auth: AuthRequest) -> Decision:
        sources = authorizer.get("IdentitySource") or ["$request.header.Authorization"]
        token = identity_value(sources[0], auth)
        if not token:
            return Decision(401, error="missing token")
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        config = authorizer.get("JwtConfiguration") or {}
        issuer = config.get("Issuer") or ""
        try:
            claims = await self._verified_claims(token, issuer)
        except (JoseError, ValueError, JwksUnavailable) as error:
            return Decision(401, error=f"invalid token: {error}")
        audiences = set(config.get("Audience") or ())
        claimed = claims.get("aud")
        claimed_set = set(claimed) if isinstance(claimed, list) else {claimed, claims.get("client_id")}
        if claims.get("iss") != issuer or not audiences & claimed_set:
            return Decision(401, error="issuer or audience does not match")
        token_scopes = _scopes(claims)
        if auth.scopes and not set(auth.scopes) & set(token_scopes):
            return Decision(403, error="the token has none of the route's scopes")
        return Decision(context={"jwt": {"claims": _claim_strings(claims), "scopes": token_scopes or None}})

    async def _verified_claims(self, token: str, issuer: str) -> dict[str, Any]:
        keys = await self.jwks.keys(issuer)
        try:
            decoded = jwt.decode(token, keys, algorithms=_ASYMMETRIC)
        except JoseError:
            # A key the cached set does not hold yet: the issuer may have rotated its keys.
            decoded = jwt.decode(token, await self.jwks.keys(issuer, refresh=True), algorithms=_ASYMMETRIC)
        if "kid" not in decoded.header:
            raise ValueError("the token's header has no kid")
        jwt.JWTClaimsRegistry(exp={"essential": True}).validate(decoded.claims)
        now = time.time()
        if decoded.claims.get("iat", 0) > now + 1:
            raise ValueError("the token was issued in the future")
        return decoded.claims

    # Lambda (REQUEST)
    async def _lambda(self, authorizer: dict[str, Any], auth: AuthRequest) -> Decision:
        sources = authorizer.get("IdentitySource") or []
        values = [identity_value(source, auth) for source in sources]
        if any(v is None for v in values):
            return Decision(401, error="an identity source is missing")
        identity = [v for v in values if v is not None]
        ttl = authorizer.get("AuthorizerResultTtlInSeconds") or 0
        key = (authorizer["AuthorizerId"], tuple(identity))
        cached = self._cache.get(key) if ttl and identity else None
        if cached is not None and cached[0] > time.monotonic():
            answer = cached[1]
        else:
            answer_or_error = await self._run_authorizer(authorizer, auth, identity)
            if isinstance(answer_or_error, Decision):
                return answer_or_error
            answer = answer_or_error
            if ttl and identity:
                self._cache[key] = (time.monotonic() + ttl, answer)
        return _lambda_decision(authorizer, answer, auth.route_arn)

    async def _run_authorizer(self, authorizer: dict[str, Any], auth: AuthRequest,
                              identity: list[str]) -> dict[str, Any] | Decision:
        invoker = self.invoker()
        function = function_arn_of(authorizer.get("AuthorizerUri") or "", auth.stage_variables)
        if invoker is None or function is None:
            return Decision(500, error="the authorizer's function cannot be found")
        version = authorizer.get("AuthorizerPayloadFormatVersion") or "2.0"
        source = auth.route_arn.split("/", 1)[0] + f"/authorizers/{authorizer['AuthorizerId']}"
        outcome = await invoker.invoke(function, auth.event(version, identity), auth.request.request_id,
                                       AUTHORIZER_TIMEOUT_S, source)
        if outcome.kind != "ok":
            return Decision(500, error=f"authorizer {outcome.kind}")
        try:
            answer = orjson.loads(outcome.payload)
        except orjson.JSONDecodeError:
            return Decision(500, error="the authorizer's answer is not JSON")
        if not isinstance(answer, dict):
            return Decision(500, error="the authorizer's answer is not an object")
        return answer


def _lambda_decision(authorizer: dict[str, Any], answer: dict[str, Any], route_arn: str) -> Decision:
    context = answer.get("context") if isinstance(answer.get("context"), dict) else None
    if authorizer.get("EnableSimpleResponses"):
        allowed = answer.get("isAuthorized") is True
        return Decision(context={"lambda": context}) if allowed else Decision(403, error="not authorized")
    if not policy_allows(answer.get("policyDocument"), route_arn):
        return Decision(403, error="the policy does not allow the route")
    lambda_context = dict(context or {})
    if answer.get("principalId") is not None:
        lambda_context.setdefault("principalId", answer["principalId"])
    return Decision(context={"lambda": lambda_context})


def policy_allows(policy: Any, resource_arn: str) -> bool:
    """An IAM policy document of execute-api:Invoke statements: allowed when a statement allows the
    route's ARN and none denies it (wildcards ``*`` and ``?`` in resources and actions)."""
    if not isinstance(policy, dict):
        return False
    statements = policy.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    allowed = False
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        actions = _listed(statement.get("Action"))
        resources = _listed(statement.get("Resource"))
        if not any(fnmatch.fnmatchcase("execute-api:Invoke", a) for a in actions):
            continue
        if not any(fnmatch.fnmatchcase(resource_arn, r) for r in resources):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed


def _listed(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value or [] if isinstance(v, str)]


def _scopes(claims: dict[str, Any]) -> list[str]:
    for name in ("scope", "scp"):
        value = claims.get(name)
        if isinstance(value, str):
            return value.split()
        if isinstance(value, list):
            return [str(v) for v in value]
    return []


def _claim_strings(claims: dict[str, Any]) -> dict[str, Any]:
    """Claims as API Gateway passes them: numbers and booleans as strings."""
    return {k: (str(v).lower() if isinstance(v, bool) else str(v) if isinstance(v, (int, float)) else v)
            for k, v in claims.items()}
