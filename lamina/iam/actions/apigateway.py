"""API Gateway's management APIs (REST APIs, and HTTP/WebSocket APIs in ``apigatewayv2``).

Their IAM actions are HTTP verbs and their resources the API's own paths:
``apigateway:GET`` on ``arn:aws:apigateway:<region>::/restapis/<id>``
(https://docs.aws.amazon.com/apigateway/latest/developerguide/security_iam_service-with-iam.html,
https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonapigatewaymanagement.html),
derived here from each operation's method and request URI in the model.
"""

from __future__ import annotations

import functools
import re

from lamina.iam.actions.table import Op, Params, ServiceActions, Where
from lamina.protocol.models import load_service_model

SERVICE = "apigateway"
_LABEL = re.compile(r"\{([^}+]+)\+?\}")


def operation_access(service: str):  # type: ignore[no-untyped-def]
    @functools.cache
    def derive(operation: str) -> Op:
        model = load_service_model(service).operation_model(operation)
        method, uri = model.http["method"], model.http["requestUri"].split("?", 1)[0]
        labels = {}
        if model.input_shape is not None:
            for member, shape in model.input_shape.members.items():
                if shape.serialization.get("location") == "uri":
                    labels[shape.serialization.get("name", member)] = member

        def resource(params: Params, where: Where) -> str:
            path = _LABEL.sub(lambda m: str(params.get(labels.get(m[1], m[1]), m[0])), uri)
            return f"arn:{where.partition}:apigateway:{where.region}::{path}"
        return Op(method, resource=resource)
    return derive


TABLE = ServiceActions(service=SERVICE, prefix="apigateway", derive=operation_access(SERVICE))
