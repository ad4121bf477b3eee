"""API Gateway V2 (HTTP and WebSocket APIs): actions and resources derived as for REST APIs."""

from __future__ import annotations

from lamina.iam.actions.apigateway import operation_access
from lamina.iam.actions.table import ServiceActions

SERVICE = "apigatewayv2"

TABLE = ServiceActions(service=SERVICE, prefix="apigateway", derive=operation_access(SERVICE))
