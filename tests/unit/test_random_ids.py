import uuid

from lamina.random_ids import random_uuid


def test_random_uuids_are_version_4_rfc_4122_uuids_in_canonical_text():
    for _ in range(2000):
        text = random_uuid()
        parsed = uuid.UUID(text)
        assert str(parsed) == text  # canonical: lower case, 8-4-4-4-12
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122


def test_random_uuids_use_every_variant_digit_and_do_not_repeat():
    ids = [random_uuid() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    assert {text[19] for text in ids} == set("89ab")
