"""CORS answers from a Cors / CorsConfiguration."""

from __future__ import annotations

from lamina.protocol.http import HttpRequest, HttpResponse
from lamina.proxy.cors import CorsPolicy


def _request(method: str, **headers: str) -> HttpRequest:
    return HttpRequest(method, "/", "", {k.replace("_", "-"): v for k, v in headers.items()})


POLICY = CorsPolicy.of({"AllowOrigins": ["https://a.example", "https://*.b.example"], "AllowMethods": ["GET"],
                        "AllowHeaders": ["x-one"], "ExposeHeaders": ["x-out"], "MaxAge": 5,
                        "AllowCredentials": True})


def test_preflight_for_an_allowed_origin() -> None:
    request = _request("OPTIONS", origin="https://sub.b.example", access_control_request_method="GET",
                       access_control_request_headers="X-One, X-Two")
    assert CorsPolicy.is_preflight(request)
    response = POLICY.preflight(request)
    assert response.status == 204
    assert response.header("access-control-allow-origin") == "https://sub.b.example"
    assert response.header("access-control-allow-headers") == "x-one"
    assert response.header("access-control-allow-credentials") == "true"
    assert response.header("access-control-max-age") == "5"


def test_preflight_refused_for_other_origins_and_methods() -> None:
    for request in (_request("OPTIONS", origin="https://c.example", access_control_request_method="GET"),
                    _request("OPTIONS", origin="https://a.example", access_control_request_method="DELETE")):
        assert POLICY.preflight(request).header("access-control-allow-origin") is None


def test_actual_responses_get_the_origin_and_replace_the_functions_own() -> None:
    response = HttpResponse(200, [("Access-Control-Allow-Origin", "*")])
    POLICY.decorate(_request("GET", origin="https://a.example"), response)
    assert [v for k, v in response.headers if k.lower() == "access-control-allow-origin"] == ["https://a.example"]
    assert response.header("access-control-expose-headers") == "x-out"


def test_wildcard_origin_without_credentials_is_star() -> None:
    policy = CorsPolicy.of({"AllowOrigins": ["*"]})
    assert policy is not None and policy.allowed_origin("https://any.example") == "*"
