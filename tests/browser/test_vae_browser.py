"""A VAE candidate's proof dossier in Chromium: Nadia records an experience, adds a PDF proof, maps the
experience to two competences with their justifications and fills part of her self-positioning; she reads
each result on the dossier's pages. Every page audited by axe."""
from __future__ import annotations

import re

import pytest
from browser_samples import pdf_with_text

pytestmark = pytest.mark.browser

NADIA = "nadia.vae@dhec.example.org"


def _english(page) -> None:
    if page.locator("html").get_attribute("lang") != "en":
        with page.expect_navigation():
            page.locator("form.lang-switch button[value=en]").click()


def _competence_row(page, code: str):
    return page.locator(".competence-choice").filter(
        has=page.locator("label strong", has_text=re.compile(rf"^{re.escape(code)}$")))


def test_vae_candidate_records_an_experience_with_a_proof_and_positions_herself(page, live_server, log_in, audit,
                                                                               click_and_wait):
    log_in(page, NADIA)
    _english(page)
    audit(page)

    # From the dashboard to her enrolment, her evidence, and the proof dossier.
    click_and_wait(page, page.locator("main article.card h3 a").first)
    enrolment_id = int(re.search(r"/enrolments/(\d+)", page.url).group(1))
    audit(page)
    click_and_wait(page, page.locator("main a.button", has_text="My evidence"))
    audit(page)
    click_and_wait(page, page.locator("#vae-dossier-link"))
    assert page.url.endswith(f"/enrolments/{enrolment_id}/vae")
    assert page.get_by_role("heading", level=1).inner_text() == "VAE proof dossier of Nadia Haddad"
    assert "No admissibility decision has been recorded yet." in page.locator("#admissibility-status").inner_text()
    audit(page)

    # An experience; a first try without the time worked is refused with a clear message.
    click_and_wait(page, page.get_by_role("link", name="Add an experience"))
    audit(page)
    page.get_by_label("Organisation").fill("Les Films du Lendemain")
    page.get_by_label("Job title").fill("Chargée de production")
    page.get_by_label("Start date").fill("2019-09-01")
    page.get_by_label("End date (leave empty if ongoing)").fill("2023-06-30")
    page.get_by_label("Activities").fill("Budgets et plans de financement de trois longs métrages.\n"
                                         "Suivi des contrats de coproduction.")
    click_and_wait(page, page.get_by_role("button", name="Save the experience"))
    assert "Give the hours worked or the share of full time." in page.locator("#form-errors").inner_text()
    audit(page)
    page.get_by_label("Share of full time, in percent (optional)").fill("80")
    click_and_wait(page, page.get_by_role("button", name="Save the experience"))
    assert page.get_by_role("heading", level=1).inner_text() == "Chargée de production, Les Films du Lendemain"
    facts = page.locator("dl.facts").inner_text()
    assert "80% of full time" in facts and "2019" in facts and "2023" in facts
    assert "Suivi des contrats de coproduction." in page.locator("main").inner_text()
    audit(page)
    experience_url = page.url

    # A proof with a PDF file.
    click_and_wait(page, page.get_by_role("link", name="Add a proof"))
    audit(page)
    page.get_by_label("Kind of proof").select_option("employer_attestation")
    page.get_by_label("Title").fill("Attestation des Films du Lendemain, 2019-2023")
    page.get_by_label("Files (optional)").set_input_files({
        "name": "attestation.pdf", "mimeType": "application/pdf",
        "buffer": pdf_with_text(["Attestation d'emploi de Nadia Haddad"])})
    click_and_wait(page, page.get_by_role("button", name="Add the proof"))
    assert page.url == experience_url
    assert page.locator(".alert--success").inner_text().strip() == "The proof has been added."
    proof_row = page.locator("section[aria-labelledby=proofs-title] tbody tr")
    assert proof_row.count() == 1
    assert "Attestation des Films du Lendemain, 2019-2023" in proof_row.inner_text()
    assert "Employer attestation" in proof_row.inner_text()
    pdf_link = proof_row.get_by_role("link", name="attestation.pdf")
    response = page.request.get(pdf_link.get_attribute("href"))
    assert response.status == 200 and response.body().startswith(b"%PDF-")
    audit(page)

    # Two competences, each with its justification.
    click_and_wait(page, page.get_by_role("link", name="Choose the competences"))
    audit(page)
    justifications = {"BC01.1": "J'ai établi les budgets de trois longs métrages.",
                      "BC01.2": "J'ai monté les plans de financement avec les coproducteurs."}
    for code, text in justifications.items():
        _competence_row(page, code).locator("input[type=checkbox]").check()
        page.get_by_label(f"How this experience shows {code} (optional)", exact=True).fill(text)
    click_and_wait(page, page.get_by_role("button", name="Save the competences"))
    assert page.url == experience_url
    shown = page.locator("ul.competences li")
    assert shown.count() == 2
    for code, text in justifications.items():
        item = shown.filter(has=page.locator("strong", has_text=re.compile(rf"^{re.escape(code)}$")))
        assert text in item.inner_text()
    audit(page)

    # Part of the self-positioning.
    page.goto(f"/enrolments/{enrolment_id}/vae/positioning")
    audit(page)
    groups = page.locator("fieldset.positioning")
    assert groups.count() > 3
    groups.nth(0).get_by_label("Yes", exact=True).check()
    groups.nth(1).get_by_label("Partly", exact=True).check()
    groups.nth(2).get_by_label("No", exact=True).check()
    groups.nth(1).locator("textarea").fill("Seulement sur des courts métrages.")
    unanswered = groups.count() - 3
    click_and_wait(page, page.get_by_role("button", name="Save my self-positioning"))
    assert page.locator(".alert--success").inner_text().strip() == "Your self-positioning has been saved."
    groups = page.locator("fieldset.positioning")
    assert groups.nth(0).get_by_label("Yes", exact=True).is_checked()
    assert groups.nth(1).get_by_label("Partly", exact=True).is_checked()
    assert groups.nth(2).get_by_label("No", exact=True).is_checked()
    assert groups.nth(3).get_by_label("Not answered", exact=True).is_checked()
    assert groups.nth(1).locator("textarea").input_value() == "Seulement sur des courts métrages."
    audit(page)

    # The dossier sums it up.
    click_and_wait(page, page.locator("nav[aria-label='VAE dossier sections'] a", has_text="Proof dossier"))
    row = page.locator("section[aria-labelledby=experiences-title] tbody tr")
    assert row.count() == 1
    cells = row.locator("td").all_inner_texts()
    assert "Chargée de production, Les Films du Lendemain" in row.locator("th").inner_text()
    assert cells[1] == "80% of full time" and cells[2] == "1" and cells[3] == "2"
    coverage = page.locator("section[aria-labelledby=coverage-title] p").first.inner_text()
    assert coverage.startswith("2 of the ")
    stats = page.locator("section[aria-labelledby=positioning-title] ul.stats").inner_text()
    assert re.search(r"1\s+yes", stats) and re.search(r"1\s+partly", stats) and re.search(r"1\s+no\b", stats)
    assert re.search(rf"{unanswered}\s+not answered", stats)
    audit(page)
