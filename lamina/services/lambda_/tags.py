"""Tag rules Lambda applies (https://docs.aws.amazon.com/lambda/latest/dg/configuration-tags.html)."""

from __future__ import annotations

from lamina.services.lambda_.errors import InvalidParameterValueException

MAX_TAGS = 50


def checked(tags: dict[str, str]) -> dict[str, str]:
    if len(tags) > MAX_TAGS:
        raise InvalidParameterValueException(f"Number of tags exceeds resource tag limit of {MAX_TAGS}.")
    for key in tags:
        if key.lower().startswith("aws:"):
            raise InvalidParameterValueException(f"Tag keys starting with 'aws:' are reserved: {key}")
    return dict(tags)
