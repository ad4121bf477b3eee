"""API Gateway v2 (HTTP APIs): the operation groups composed into one provider."""

from __future__ import annotations

from lamina.services.apigatewayv2.operations.apis import ApiOperations
from lamina.services.apigatewayv2.operations.authorizers import AuthorizerOperations
from lamina.services.apigatewayv2.operations.routes import RouteOperations
from lamina.services.apigatewayv2.operations.stages import StageOperations

_STORED = "stored and reported; lamina does not act on it"
_WEBSOCKET = "a WebSocket API setting (lamina serves HTTP APIs only); stored and reported"


# Create and Update of one resource take the same members.
_API = {"CredentialsArn": "quick-create integrations run without assuming a role",
        "DisableSchemaValidation": _WEBSOCKET, "RouteSelectionExpression": _WEBSOCKET,
        "ApiKeySelectionExpression": _WEBSOCKET, "Version": _STORED,
        "DisableExecuteApiEndpoint": "the invoke URL is always served; " + _STORED, "IpAddressType": _STORED}
_ROUTE = {"ApiKeyRequired": _WEBSOCKET, "ModelSelectionExpression": _WEBSOCKET, "OperationName": _STORED,
          "RequestModels": _WEBSOCKET, "RequestParameters": _WEBSOCKET,
          "RouteResponseSelectionExpression": _WEBSOCKET}
_MAPPING = "parameter mapping is not applied; " + _STORED
_INTEGRATION = {
    "ConnectionId": "VPC links are not served; " + _STORED, "ConnectionType": _STORED,
    "ContentHandlingStrategy": _WEBSOCKET,
    "CredentialsArn": "Lambda is invoked without assuming the role (its policies are not evaluated; the "
                      "function policy is then not required)",
    "Description": _STORED, "IntegrationMethod": "Lambda proxy integrations always POST; " + _STORED,
    "IntegrationSubtype": "AWS service integrations are not served; " + _STORED,
    "PassthroughBehavior": _WEBSOCKET, "RequestParameters": _MAPPING, "RequestTemplates": _WEBSOCKET,
    "ResponseParameters": _MAPPING, "TemplateSelectionExpression": _WEBSOCKET,
    "TlsConfig": "private integrations are not served; " + _STORED}
_AUTHORIZER = {"AuthorizerCredentialsArn": "Lambda authorizers run without assuming a role",
               "IdentityValidationExpression": _WEBSOCKET}


class HttpApiProvider(ApiOperations, RouteOperations, StageOperations, AuthorizerOperations):
    ignored_members = {
        "CreateApi": _API, "UpdateApi": _API,
        "CreateRoute": _ROUTE, "UpdateRoute": _ROUTE,
        "CreateIntegration": _INTEGRATION, "UpdateIntegration": _INTEGRATION,
        "CreateStage": {"ClientCertificateId": _WEBSOCKET, "Description": _STORED, "Tags": _STORED},
        "UpdateStage": {"ClientCertificateId": _WEBSOCKET, "Description": _STORED},
        "CreateAuthorizer": _AUTHORIZER, "UpdateAuthorizer": _AUTHORIZER,
        "CreateDeployment": {"Description": _STORED},
    }
