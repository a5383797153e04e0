"""The referential pages: certifications, one certification with its blocs, one bloc with its competences."""
from __future__ import annotations

from pathlib import Path

import lxml.html
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


def page(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, url
    return lxml.html.fromstring(response.get_data(as_text=True))


def text(node) -> str:
    """What a reader sees of an element: its text, whitespace collapsed."""
    return " ".join(node.text_content().split())


def hrefs(doc) -> set[str]:
    return {a.get("href") for a in doc.iter("a")}


def test_pages_need_a_signed_in_user(client):
    for url in ("/certifications/", "/certifications/RNCP41241", "/certifications/RNCP41241/blocs/BC03"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location


def test_index_lists_the_current_certifications(reader):
    doc = page(reader, "/certifications/")
    assert builtin_fiche()["title"] in text(doc.find(".//main"))
    assert "/certifications/RNCP41241" in hrefs(doc)


def test_certification_page_lists_blocs_routes_and_the_prerequisite(reader):
    fiche = builtin_fiche()
    doc = page(reader, "/certifications/RNCP41241")
    main = text(doc.find(".//main"))

    assert text(doc.find(".//h1")) == f"RNCP41241 · {fiche['title']}"
    for bloc in fiche["blocs"]:
        assert f"/certifications/RNCP41241/blocs/{bloc['code']}" in hrefs(doc)
        assert bloc["title"] in main
    bc03_row = next(tr for tr in doc.iter("tr") if "/certifications/RNCP41241/blocs/BC03" in hrefs(tr))
    assert "CEFR B2" in text(bc03_row)
    assert "at least 16 weeks" in main
    assert fiche["routes"][0]["jury_composition"] in main


def test_certification_codes_are_case_insensitive(reader):
    assert text(page(reader, "/certifications/rncp41241").find(".//h1")).startswith("RNCP41241 ·")


def test_bloc_page_shows_competences_evaluation_methods_and_prerequisite(reader):
    bc03 = builtin_fiche()["blocs"][2]
    doc = page(reader, "/certifications/RNCP41241/blocs/BC03")
    main = text(doc.find(".//main"))

    assert text(doc.find(".//h1")) == f"RNCP41241BC03 · {bc03['title']}"
    for k, label in enumerate(bc03["competences"], start=1):
        assert text(doc.get_element_by_id(f"BC03.{k}")) == f"BC03.{k} {label}"
    assert bc03["evaluation_methods"] in main
    assert f"CEFR B2: {bc03['prerequisites'][0]['text']}" in main


def test_bloc_page_accepts_the_full_bloc_code_and_shows_an_option(reader):
    doc = page(reader, "/certifications/RNCP41241/blocs/rncp41241bc07")
    assert text(doc.find(".//h1")).startswith("RNCP41241BC07 ·")
    assert text(doc.get_element_by_id("BC07.8")).startswith("BC07.8 Manager la postproduction")


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
    assert "/certifications/RNCP41241/v1" in hrefs(current)
    assert [text(a) for a in current.xpath('//a[@aria-current="page"]') if text(a).startswith("v")] == ["v2"]
    assert "earlier version" in text(page(reader, "/certifications/RNCP41241/v1").find(".//main"))
    index = page(reader, "/certifications/")
    row = next(tr for tr in index.iter("tr") if "/certifications/RNCP38742" in hrefs(tr))
    assert "inactive" in text(row)
    # The imported BC03 carries the prerequisite read from its evaluation methods.
    bc03 = text(page(reader, "/certifications/RNCP41241/blocs/BC03").find(".//main"))
    assert "CEFR B2: Le niveau de langue B2 du CECRL" in bc03
