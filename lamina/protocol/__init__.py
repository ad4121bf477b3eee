"""Model-driven AWS wire protocols: one parser and one serializer per protocol family.

botocore's service models are the specification; nothing here knows a single
operation by name. ``registry.protocol_for(service, family)`` gives the
protocol object of a service, ``registry.request_family(service, request)``
the family an incoming request is in (CloudWatch and SQS are spoken in
several). Families: ``rest_json``, ``json_rpc``, ``query`` (with
``query_compat`` for SQS's query form), ``cbor`` (smithy-rpc-v2-cbor) and the
``rest_xml`` seam for S3.
"""
