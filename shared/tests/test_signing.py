"""Event signatures (shared.signing) and their keys' settings: what each check refuses."""

from __future__ import annotations

import dataclasses
import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from shared import events, signing
from shared.events import PRODUCERS, SUBSCRIPTIONS, Event
from shared.settings import environment
from shared.testing.events import dev_signed, example_data


def _event(event_type: str = events.POST_CREATED) -> Event:
    return Event(type=event_type, source=PRODUCERS[event_type], data=example_data(event_type))


def _keys() -> dict[str, str]:
    return {service: signing.new_signing_key() for service in signing.SIGNERS}


def test_every_event_type_has_one_producer():
    assert set(PRODUCERS) == set(events.EVENT_TYPES) == set(SUBSCRIPTIONS)
    assert signing.SIGNERS == ("comments", "moderation", "posts")


@pytest.mark.parametrize("event_type", events.EVENT_TYPES)
def test_a_signed_event_checks_after_a_json_round_trip(event_type):
    private = _keys()
    public = {service: signing.public_key_of(key) for service, key in private.items()}
    event = _event(event_type)
    event = dataclasses.replace(
        event, signature=signing.signature_of(event, signing_key=private[event.source])
    )

    again = Event.from_message(json.loads(json.dumps(event.as_message())))

    signing.check_signature(again, verify_keys=public)


def test_a_signature_covers_every_field():
    private = _keys()
    public = {service: signing.public_key_of(key) for service, key in private.items()}
    event = _event()
    event = dataclasses.replace(
        event, signature=signing.signature_of(event, signing_key=private["posts"])
    )
    for change in (
        {"id": "00000000-0000-0000-0000-000000000001"},
        {"data": {**event.data, "title": "other"}},
        {"occurred_at": "2020-01-01T00:00:00+00:00"},
        {"version": 2},
    ):
        with pytest.raises(signing.ForgedEvent, match="does not match the key of posts"):
            signing.check_signature(dataclasses.replace(event, **change), verify_keys=public)


def test_the_source_must_be_the_producer_of_the_type():
    forged = dataclasses.replace(dev_signed(_event()), source="comments")

    with pytest.raises(signing.ForgedEvent, match="a PostCreated comes from posts, not 'comments'"):
        signing.check_signature(forged, verify_keys=signing.dev_verify_keys())


def test_an_unsigned_event_is_refused():
    with pytest.raises(signing.ForgedEvent, match="is not signed"):
        signing.check_signature(_event(), verify_keys=signing.dev_verify_keys())


def test_the_key_of_the_producer_must_be_known():
    keys = {k: v for k, v in signing.dev_verify_keys().items() if k != "posts"}

    with pytest.raises(signing.ForgedEvent, match="no public key of posts"):
        signing.check_signature(dev_signed(_event()), verify_keys=keys)


def test_verify_keys_read_back():
    keys = signing.dev_verify_keys()

    assert signing.parse_verify_keys(signing.format_verify_keys(keys)) == keys
    with pytest.raises(signing.UnreadableKey, match="not <service>:<public key>"):
        signing.parse_verify_keys("posts")
    with pytest.raises(signing.UnreadableKey, match="the key of posts: 3 bytes"):
        signing.parse_verify_keys("posts:abcd")


# -- settings ---------------------------------------------------------------------------
@pytest.fixture
def production(monkeypatch):
    monkeypatch.setenv("DJANGO_ENV", "production")


def test_development_defaults_to_the_development_keys(monkeypatch):
    monkeypatch.delenv(signing.SIGNING_KEY_ENV, raising=False)
    monkeypatch.delenv(signing.VERIFY_KEYS_ENV, raising=False)

    assert environment.event_signing_key("posts") == signing.dev_signing_key("posts")
    assert environment.event_verify_keys() == signing.dev_verify_keys()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "needs EVENT_SIGNING_KEY to be set to posts's own key"),
        (signing.dev_signing_key("posts"), "needs EVENT_SIGNING_KEY to be set"),
        ("replace-me-with-a-key", "EVENT_SIGNING_KEY is a placeholder"),
        ("abcd", "EVENT_SIGNING_KEY cannot be read: 3 bytes, not 32"),
    ],
)
def test_production_refuses_a_signing_key(production, monkeypatch, value, message):
    monkeypatch.setenv(signing.SIGNING_KEY_ENV, value)

    with pytest.raises(ImproperlyConfigured, match=message):
        environment.event_signing_key("posts")


def test_production_takes_its_own_keys(production, monkeypatch):
    private = _keys()
    public = {service: signing.public_key_of(key) for service, key in private.items()}
    monkeypatch.setenv(signing.SIGNING_KEY_ENV, private["posts"])
    monkeypatch.setenv(signing.VERIFY_KEYS_ENV, signing.format_verify_keys(public))

    assert environment.event_signing_key("posts") == private["posts"]
    assert environment.event_verify_keys() == public


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "needs EVENT_VERIFY_KEYS"),
        (signing.format_verify_keys(signing.dev_verify_keys()), "holds a development key"),
        ("posts:replace-me", "EVENT_VERIFY_KEYS is a placeholder"),
        ("posts:" + signing.public_key_of(signing.new_signing_key()), "lacks the key of comments"),
    ],
)
def test_production_refuses_verify_keys(production, monkeypatch, value, message):
    monkeypatch.setenv(signing.VERIFY_KEYS_ENV, value)

    with pytest.raises(ImproperlyConfigured, match=message):
        environment.event_verify_keys()


def test_the_key_command_prints_a_set_that_production_takes(capsys):
    signing.main()

    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("#")]
    assert len(lines) == len(signing.SIGNERS) + 1
    verify = signing.parse_verify_keys(lines[-1].partition("=")[2])
    for service, line in zip(signing.SIGNERS, lines, strict=False):
        assert signing.public_key_of(line.partition("=")[2]) == verify[service]
