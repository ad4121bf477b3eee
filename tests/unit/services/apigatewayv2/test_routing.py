"""Route selection: the most specific route key wins
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html)."""

from __future__ import annotations

from lamina.services.apigatewayv2.authorizers import policy_allows
from lamina.services.apigatewayv2.routing import Router, valid_route_key

KEYS = ["GET /pets", "GET /pets/{id}", "GET /pets/dog", "ANY /pets/{id}", "GET /{proxy+}",
        "POST /files/{path+}", "$default"]
ROUTER = Router([{"RouteKey": key} for key in KEYS])


def _route(method: str, path: str) -> tuple[str, dict[str, str]]:
    match = ROUTER.match(method, path)
    assert match is not None
    return match.route["RouteKey"], match.path_parameters


def test_precedence() -> None:
    assert _route("GET", "/pets/dog") == ("GET /pets/dog", {})
    assert _route("GET", "/pets/7") == ("GET /pets/{id}", {"id": "7"})
    assert _route("PUT", "/pets/7") == ("ANY /pets/{id}", {"id": "7"})
    assert _route("GET", "/pets") == ("GET /pets", {})
    assert _route("GET", "/a/b/c") == ("GET /{proxy+}", {"proxy": "a/b/c"})
    assert _route("POST", "/files/x%2Fy/z") == ("POST /files/{path+}", {"path": "x/y/z"})
    assert _route("DELETE", "/anything") == ("$default", {})


def test_greedy_needs_a_segment_and_no_default_means_no_match() -> None:
    router = Router([{"RouteKey": "POST /files/{path+}"}])
    assert router.match("POST", "/files") is None and router.match("POST", "/files/") is None


def test_route_key_validation() -> None:
    assert valid_route_key("GET /a/{b}") and valid_route_key("$default")
    assert not valid_route_key("GET /{proxy+}/tail") and not valid_route_key("/no-method")


def test_policy_documents() -> None:
    arn = "arn:aws:execute-api:us-east-1:000000000000:abc/$default/GET/pets"
    allow = {"Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
                            "Resource": "arn:aws:execute-api:us-east-1:000000000000:abc/*/GET/*"}]}
    assert policy_allows(allow, arn)
    deny = {"Statement": allow["Statement"] + [{"Effect": "Deny", "Action": "*", "Resource": arn}]}
    assert not policy_allows(deny, arn)
    assert not policy_allows({"Statement": []}, arn) and not policy_allows(None, arn)
