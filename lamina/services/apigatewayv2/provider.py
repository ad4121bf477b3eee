"""API Gateway v2 (HTTP APIs): the operation groups composed into one provider."""

from __future__ import annotations

from lamina.services.apigatewayv2.operations.apis import ApiOperations
from lamina.services.apigatewayv2.operations.authorizers import AuthorizerOperations
from lamina.services.apigatewayv2.operations.routes import RouteOperations
from lamina.services.apigatewayv2.operations.stages import StageOperations

_STORED = "stored and reported; lamina does not act on it"
_WEBSOCKET = "a WebSocket API setting (lamina serves HTTP APIs only); stored and reported"


class HttpApiProvider(ApiOperations, RouteOperations, StageOperations, AuthorizerOperations):
    ignored_members = {
        "CreateApi": {"CredentialsArn": "quick-create integrations run without assuming a role",
                      "DisableSchemaValidation": _WEBSOCKET, "RouteSelectionExpression": _WEBSOCKET,
                      "ApiKeySelectionExpression": _WEBSOCKET, "Version": _STORED,
                      "DisableExecuteApiEndpoint": "the invoke URL is always served; " + _STORED,
                      "IpAddressType": _STORED},
        "UpdateApi": {"CredentialsArn": "quick-create integrations run without assuming a role",
                      "DisableSchemaValidation": _WEBSOCKET, "RouteSelectionExpression": _WEBSOCKET,
                      "ApiKeySelectionExpression": _WEBSOCKET, "Version": _STORED,
                      "DisableExecuteApiEndpoint": "the invoke URL is always served; " + _STORED,
                      "IpAddressType": _STORED},
        "CreateRoute": {"ApiKeyRequired": _WEBSOCKET, "ModelSelectionExpression": _WEBSOCKET,
                        "OperationName": _STORED, "RequestModels": _WEBSOCKET,
                        "RequestParameters": _WEBSOCKET, "RouteResponseSelectionExpression": _WEBSOCKET},
        "UpdateRoute": {"ApiKeyRequired": _WEBSOCKET, "ModelSelectionExpression": _WEBSOCKET,
                        "OperationName": _STORED, "RequestModels": _WEBSOCKET,
                        "RequestParameters": _WEBSOCKET, "RouteResponseSelectionExpression": _WEBSOCKET},
        "CreateIntegration": {
            "ConnectionId": "VPC links are not served; " + _STORED, "ConnectionType": _STORED,
            "ContentHandlingStrategy": _WEBSOCKET, "CredentialsArn": "Lambda is invoked without assuming the role (its policies are not evaluated; the function policy is then not required)",
            "Description": _STORED, "IntegrationMethod": "Lambda proxy integrations always POST; " + _STORED,
            "IntegrationSubtype": "AWS service integrations are not served; " + _STORED,
            "PassthroughBehavior": _WEBSOCKET,
            "RequestParameters": "parameter mapping is not applied; " + _STORED,
            "RequestTemplates": _WEBSOCKET, "ResponseParameters": "parameter mapping is not applied; " + _STORED,
            "TemplateSelectionExpression": _WEBSOCKET, "TlsConfig": "private integrations are not served; " + _STORED},
        "UpdateIntegration": {
            "ConnectionId": "VPC links are not served; " + _STORED, "ConnectionType": _STORED,
            "ContentHandlingStrategy": _WEBSOCKET, "CredentialsArn": "Lambda is invoked without assuming the role (its policies are not evaluated; the function policy is then not required)",
            "Description": _STORED, "IntegrationMethod": "Lambda proxy integrations always POST; " + _STORED,
            "IntegrationSubtype": "AWS service integrations are not served; " + _STORED,
            "PassthroughBehavior": _WEBSOCKET,
            "RequestParameters": "parameter mapping is not applied; " + _STORED,
            "RequestTemplates": _WEBSOCKET, "ResponseParameters": "parameter mapping is not applied; " + _STORED,
            "TemplateSelectionExpression": _WEBSOCKET, "TlsConfig": "private integrations are not served; " + _STORED},
        "CreateStage": {"ClientCertificateId": _WEBSOCKET, "Description": _STORED,
                        "Tags": _STORED},
        "UpdateStage": {"ClientCertificateId": _WEBSOCKET, "Description": _STORED},
        "CreateAuthorizer": {"AuthorizerCredentialsArn": "Lambda authorizers run without assuming a role",
                             "IdentityValidationExpression": _WEBSOCKET},
        "UpdateAuthorizer": {"AuthorizerCredentialsArn": "Lambda authorizers run without assuming a role",
                             "IdentityValidationExpression": _WEBSOCKET},
        "CreateDeployment": {"Description": _STORED},
    }
