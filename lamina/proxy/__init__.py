"""HTTP in front of functions: what function URLs and API Gateway share.

A request arrives on lamina's port for a function URL or an API's invoke URL;
these modules turn it into a Lambda proxy event (payload format 1.0 or 2.0),
turn the function's answer back into an HTTP response by the documented rules,
and answer CORS. The services that own URLs and APIs (``lambda_``,
``apigatewayv2``, ``apigateway``) decide which function runs.
"""
