"""LAMINA_NETWORK, lamina's switch for a function's own network namespace: what CreateFunction and
UpdateFunctionConfiguration accept."""

from __future__ import annotations

import pytest

from lamina.services.lambda_.configuration import check_limits, check_network
from lamina.services.lambda_.errors import InvalidParameterValueException


def _params(**variables: str) -> dict:
    return {"Environment": {"Variables": variables}}


def test_a_network_of_its_own_is_accepted_where_namespaces_are_available() -> None:
    check_limits(_params(LAMINA_NETWORK="none"))
    check_network(_params(LAMINA_NETWORK="none"), available=True)


def test_without_namespaces_a_network_of_its_own_is_refused_up_front() -> None:
    with pytest.raises(InvalidParameterValueException) as refused:
        check_network(_params(LAMINA_NETWORK="none"), available=False)
    assert "LAMINA_NETWORK=none" in refused.value.message and "isolation is off" in refused.value.message


def test_functions_without_the_setting_need_no_namespaces() -> None:
    check_network(_params(OTHER="x"), available=False)
    check_network({}, available=False)


def test_other_values_are_refused_by_name() -> None:
    with pytest.raises(InvalidParameterValueException) as refused:
        check_limits(_params(LAMINA_NETWORK="host"))
    assert "LAMINA_NETWORK" in refused.value.message and "'host'" in refused.value.message
