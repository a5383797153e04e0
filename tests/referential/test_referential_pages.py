"""The referential pages: certifications, one certification with its blocs, one bloc with its competences."""
from __future__ import annotations

import html
from pathlib import Path

import pytest

from portfolio.referential.services import builtin_fiche

V4 = Path(__file__).resolve().parents[1] / "data" / "fc_export_v4.xml"


@pytest.fixture
def reader(make_user, login_as, db_session):
    """A signed-in candidate reading in English, so the assertions do not depend on the French catalog."""
    user = make_user("candidate")
    user.locale = "en"
    db_session.commit()
    return login_as(user)


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return html.unescape(response.get_data(as_text=True))


def test_pages_need_a_signed_in_user(client):
    for url in ("/certifications/", "/certifications/RNCP41241", "/certifications/RNCP41241/blocs/BC03"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location


def test_index_lists_the_current_certifications(reader):
    text = page(reader, "/certifications/")
    assert "RNCP41241" in text and builtin_fiche()["title"] in text
    assert 'href="/certifications/RNCP41241"' in text


def test_certification_page_lists_blocs_routes_and_the_prerequisite(reader):
    fiche = builtin_fiche()
    text = page(reader, "/certifications/RNCP41241")

    assert f"RNCP41241 · {fiche['title']}" in text
    for bloc in fiche["blocs"]:
        assert f'href="/certifications/RNCP41241/blocs/{bloc["code"]}"' in text
        assert bloc["title"] in text
    assert "CEFR B2" in text
    assert "at least 16 weeks" in text
    assert fiche["routes"][0]["jury_composition"] in text


def test_certification_codes_are_case_insensitive(reader):
    assert "RNCP41241 ·" in page(reader, "/certifications/rncp41241")


def test_bloc_page_shows_competences_evaluation_methods_and_prerequisite(reader):
    bc03 = builtin_fiche()["blocs"][2]
    text = page(reader, "/certifications/RNCP41241/blocs/BC03")

    assert f"RNCP41241BC03 · {bc03['title']}" in text
    for k, label in enumerate(bc03["competences"], start=1):
        assert f'<li id="BC03.{k}"><strong>BC03.{k}</strong> {label}</li>' in text
    assert bc03["evaluation_methods"] in text
    assert f"CEFR B2: {bc03['prerequisites'][0]['text']}" in text


def test_bloc_page_accepts_the_full_bloc_code_and_shows_an_option(reader):
    text = page(reader, "/certifications/RNCP41241/blocs/rncp41241bc07")
    assert "RNCP41241BC07 ·" in text and "BC07.8" in text


@pytest.mark.parametrize("url", [
    "/certifications/RNCP00000",
    "/certifications/RNCP00000/blocs/BC01",
    "/certifications/RNCP41241/blocs/BC99",
    "/certifications/RNCP41241/v99",
])
def test_unknown_codes_are_404(reader, url):
    page(reader, url, status=404)


def test_an_imported_version_is_shown_with_the_earlier_one_still_reachable(reader, db_session):
    from portfolio.referential.xml_import import import_xml

    import_xml(str(V4))
    db_session.commit()

    current = page(reader, "/certifications/RNCP41241")
    assert 'href="/certifications/RNCP41241/v1"' in current and 'aria-current="page">v2' in current
    earlier = page(reader, "/certifications/RNCP41241/v1")
    assert "earlier version" in earlier
    inactive = page(reader, "/certifications/")
    assert "RNCP38742" in inactive and "inactive" in inactive
    # The imported BC03 carries the prerequisite read from its evaluation methods.
    assert "CEFR B2: Le niveau de langue B2 du CECRL" in page(reader, "/certifications/RNCP41241/blocs/BC03")
