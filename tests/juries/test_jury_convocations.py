"""Convocations: a mail per member and candidate with a parseable RFC 5545 calendar event."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from portfolio import mail
from portfolio.juries import services
from portfolio.juries.convocations import ics_calendar, send_convocations


def parse_ics(data: bytes) -> list[dict[str, tuple[dict, str]]]:
    """Every VEVENT of a calendar: ``{NAME: (params, value)}``, after unfolding (RFC 5545, 3.1)."""
    text = data.decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", ""), "lines must end with CRLF"
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75, f"line longer than 75 octets: {line!r}"
    lines = re.sub(r"\r\n[ \t]", "", text).split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    events, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name_params, _, value = line.partition(":")
            name, *params = name_params.split(";")
            current[name] = (dict(p.split("=", 1) for p in params), value)
    return events


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def _ics_of(message) -> bytes:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1 and parts[0].get_filename() == "convocation.ics"
    return parts[0].get_payload(decode=True)


@pytest.fixture(autouse=True)
def empty_outbox():
    mail.outbox.clear()
    yield
    mail.outbox.clear()


def test_the_calendar_is_folded_and_escaped():
    location = "École DHEC, salle Agnès Varda; bâtiment B, 14 rue de l'Exemple, 75011 Paris — entrée côté cour"
    data = ics_calendar(uid="x@y", start=date(2026, 6, 12), summary="Jury, RNCP41241", location=location,
                        description="Line one\nLine two", stamp=datetime(2026, 5, 1, 8, 0, tzinfo=UTC))
    (event,) = parse_ics(data)
    assert unescape(event["LOCATION"][1]) == location
    assert unescape(event["SUMMARY"][1]) == "Jury, RNCP41241"
    assert unescape(event["DESCRIPTION"][1]) == "Line one\nLine two"
    assert event["DTSTART"] == ({"VALUE": "DATE"}, "20260612") and event["DTEND"][1] == "20260613"
    assert event["DTSTAMP"][1] == "20260501T080000Z"


def test_opening_a_training_session_convenes_members_and_candidates(training_jury):
    training_jury.president.locale = "en"  # each mail is in its recipient's language
    send_convocations(training_jury.session)
    by_recipient = {m["To"]: m for m in mail.outbox}
    expected = {u.email for u in (training_jury.president, training_jury.secretary, training_jury.member,
                                  training_jury.candidate)}
    assert set(by_recipient) == expected
    uids = set()
    for message in mail.outbox:
        (event,) = parse_ics(_ics_of(message))
        assert {"UID", "DTSTAMP", "DTSTART", "SUMMARY", "LOCATION"} <= set(event)
        assert event["DTSTART"] == ({"VALUE": "DATE"}, "20260612")
        assert unescape(event["LOCATION"][1]) == "DHEC, 14 rue Example, Paris"
        assert "RNCP41241" in unescape(event["SUMMARY"][1])
        uids.add(event["UID"][1])
    assert len(uids) == 4  # one event per person
    body = by_recipient[training_jury.president.email].get_body(("plain",)).get_content()
    assert "Paule Présidente" in body and "You are convened as president" in body


def test_vae_candidates_get_their_defence_slot(make_juror, make_session, make_enrolment, make_user):
    slot = datetime(2026, 6, 12, 7, 30, tzinfo=UTC)
    candidate = make_user("candidate", name="Victor VAE")
    vae = make_enrolment(candidate=candidate, route="vae", option="production-distribution")
    president = make_juror()
    session = make_session("vae", members=[(president, "president", {"is_academic": True}),
                                           (make_juror(), "member", {"is_professional": True})],
                           candidates=[(vae, slot)])
    services.open_session(session)
    send_convocations(session)
    message = next(m for m in mail.outbox if m["To"] == candidate.email)
    (event,) = parse_ics(_ics_of(message))
    assert event["DTSTART"] == ({}, "20260612T073000Z") and event["DTEND"] == ({}, "20260612T083000Z")
    assert "VAE" in unescape(event["SUMMARY"][1])
    to_president = next(m for m in mail.outbox if m["To"] == president.email)
    assert "Victor VAE" in to_president.get_body(("plain",)).get_content()


def test_a_slot_is_for_vae_candidates_only(training_jury, make_session, make_enrolment):
    draft = make_session("training")
    with pytest.raises(services.InvalidRequest):
        services.add_candidate(draft, make_enrolment(), slot_at=datetime(2026, 6, 12, 9, tzinfo=UTC))
