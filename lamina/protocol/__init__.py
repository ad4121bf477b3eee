"""Model-driven AWS wire protocols: one parser and one serializer per protocol family.

botocore's service models are the specification; nothing here knows a single
operation by name.
"""
