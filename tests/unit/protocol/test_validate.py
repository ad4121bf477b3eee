"""Constraint violations are reported in AWS's words, with lowerCamelCase member paths."""

from __future__ import annotations

from lamina.protocol.models import load_service_model
from lamina.protocol.validate import format_problems, validate

LAMBDA = load_service_model("lambda")


def _input(operation: str):  # type: ignore[no-untyped-def]
    return LAMBDA.operation_model(operation).input_shape


def test_valid_input_has_no_problems() -> None:
    params = {"FunctionName": "f", "Role": "arn:aws:iam::000000000000:role/r", "Code": {"ZipFile": b"x"},
              "Runtime": "python3.12", "Handler": "app.handler", "MemorySize": 256}
    assert validate(_input("CreateFunction"), params) == []


def test_missing_required_members_and_ranges_in_one_message() -> None:
    params = {"FunctionName": "f", "Code": {"ZipFile": b"x"}, "MemorySize": 64}
    problems = validate(_input("CreateFunction"), params)
    assert "Value null at 'role' failed to satisfy constraint: Member must not be null" in problems
    assert ("Value '64' at 'memorySize' failed to satisfy constraint: "
            "Member must have value greater than or equal to 128") in problems
    assert format_problems(problems).startswith("2 validation errors detected: ")


def test_enum_and_pattern() -> None:
    problems = validate(_input("CreateFunction"), {
        "FunctionName": "bad name!", "Role": "arn:aws:iam::000000000000:role/r", "Code": {},
        "Runtime": "cobol85"})
    assert any(p.startswith("Value 'cobol85' at 'runtime' failed to satisfy constraint: "
                            "Member must satisfy enum value set: [") for p in problems)
    assert any(p.startswith("Value 'bad name!' at 'functionName' failed to satisfy constraint: "
                            "Member must satisfy regular expression pattern") for p in problems)


def test_nested_paths() -> None:
    problems = validate(_input("CreateFunction"), {
        "FunctionName": "f", "Role": "arn:aws:iam::000000000000:role/r", "Code": {},
        "EphemeralStorage": {}})
    assert "Value null at 'ephemeralStorage.size' failed to satisfy constraint: Member must not be null" in problems
