"""Policy variables: ``${aws:username}``, ``${aws:PrincipalTag/team, 'default'}``, ``${*}``.

Variables are replaced with the request's single-valued context keys in the
resource part of ``Resource`` and in string and ARN condition values, only in
policies of Version 2012-10-17. A variable with no value (and no default)
matches nothing. ``${*}``, ``${?}`` and ``${$}`` stand for those characters
taken literally
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
"""

from __future__ import annotations

import re

from lamina.iam.context import Context
from lamina.iam.wildcards import LITERAL

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,]+?)\s*,\s*'([^']*)'\s*$")
_SPECIAL = {"*": LITERAL + "*", "?": LITERAL + "?", "$": "$"}


def has_variables(text: str) -> bool:
    return "${" in text


def _literal(value: str) -> str:
    """A request value inside a pattern: its own * and ? are not wildcards."""
    return value.replace("*", LITERAL + "*").replace("?", LITERAL + "?")


def substitute(text: str, context: Context) -> str | None:
    """The text with its variables replaced; None when one has no value in the request."""
    missing = False

    def replace(found: re.Match[str]) -> str:
        nonlocal missing
        inner = found[1]
        if inner in _SPECIAL:
            return _SPECIAL[inner]
        default = None
        with_default = _DEFAULT.match(inner)
        if with_default:
            inner, default = with_default[1], with_default[2]
        value = context.get(inner.strip().lower())
        if isinstance(value, tuple):  # multivalued keys cannot be variables
            value = None
        if value is None:
            if default is None:
                missing = True
                return ""
            value = default
        return _literal(value)

    result = _VARIABLE.sub(replace, text)
    return None if missing else result


def plain(pattern: str) -> str:
    """A substituted value compared exactly (StringEquals): without the literal markers."""
    return pattern.replace(LITERAL, "")
