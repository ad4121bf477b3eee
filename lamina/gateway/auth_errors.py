"""The error each protocol family answers when a signature cannot be accepted.

The codes differ between families: JSON services say
``InvalidSignatureException`` / ``UnrecognizedClientException``, query
services ``SignatureDoesNotMatch`` / ``InvalidClientTokenId``, S3 its own
(https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
"""

from __future__ import annotations

from lamina.protocol.errors import CommonServiceError

# kind -> (code, HTTP status, message or None to use the problem's own message)
_JSON = {
    "missing": ("MissingAuthenticationTokenException", 403, "Missing Authentication Token"),
    "malformed": ("IncompleteSignatureException", 400, None),
    "unknown_key": ("UnrecognizedClientException", 403, "The security token included in the request is invalid."),
    "mismatch": ("InvalidSignatureException", 403, None),
    "expired": ("InvalidSignatureException", 403, None),
    "payload_mismatch": ("InvalidSignatureException", 403, None),
    "inactive_key": ("UnrecognizedClientException", 403, "The security token included in the request is invalid."),
    "expired_token": ("ExpiredTokenException", 403, "The security token included in the request is expired"),
}
_QUERY = {
    "missing": ("MissingAuthenticationToken", 403, "Request is missing Authentication Token"),
    "malformed": ("IncompleteSignature", 400, None),
    "unknown_key": ("InvalidClientTokenId", 403, "The security token included in the request is invalid."),
    "mismatch": ("SignatureDoesNotMatch", 403, None),
    "expired": ("SignatureDoesNotMatch", 403, None),
    "payload_mismatch": ("SignatureDoesNotMatch", 403, None),
    "inactive_key": ("InvalidClientTokenId", 403, "The security token included in the request is invalid."),
    "expired_token": ("ExpiredToken", 403, "The security token included in the request is expired"),
}
_S3 = {
    "missing": ("AccessDenied", 403, "Access Denied"),
    "malformed": ("AuthorizationHeaderMalformed", 400, None),
    "unknown_key": ("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records."),
    "mismatch": ("SignatureDoesNotMatch", 403, None),
    "expired": ("RequestTimeTooSkewed", 403, "The difference between the request time and the current time is too large."),
    "payload_mismatch": ("XAmzContentSHA256Mismatch", 400, None),
    "inactive_key": ("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records."),
    "expired_token": ("ExpiredToken", 400, "The provided token has expired."),
    "invalid_content_sha256": ("InvalidArgument", 400, None),
    "incomplete_body": ("IncompleteBody", 400, None),
    "malformed_body": ("InvalidRequest", 400, None),
}
_BY_FAMILY = {"json": _JSON, "rest-json": _JSON, "smithy-rpc-v2-cbor": _JSON, "query": _QUERY, "rest-xml": _S3}


class AuthError(CommonServiceError):
    code = "AccessDeniedException"
    status = 403


def auth_error(family: str, kind: str, message: str = "") -> AuthError:
    table = _BY_FAMILY.get(family, _JSON)
    code, status, fixed = table.get(kind, table["mismatch"])
    if kind == "expired" and family == "rest-xml" and message == "Request has expired":
        code, status, fixed = "AccessDenied", 403, "Request has expired"
    return AuthError(fixed or message, code=code, status=status)
