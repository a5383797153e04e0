"""API v1 annotations: W3C Web Annotation JSON in and out, checked against the file, the policy and the
OpenAPI description."""
from __future__ import annotations

from annotation_samples import media_fragment, pdf_region
from sqlalchemy import select

from portfolio.annotations.models import Annotation
from portfolio.audit.models import AuditEntry
from portfolio.extensions import db
from portfolio.grading.models import Marking

PATH = "/deliverables/{id}/annotations"
ONE = "/annotations/{id}"


def payload(attachment, selector, text="Strong framing", competence=None, **extra):
    body = {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
            "body": {"type": "TextualBody", "value": text, "format": "text/plain"},
            "target": {"source": f"/api/v1/files/{attachment.id}/content", "selector": selector}, **extra}
    if competence is not None:
        body["competence"] = competence
    return body


def post(client, world, headers, attachment, selector, **kwargs):
    return client.post(f"/api/v1/deliverables/{world.deliverable.id}/annotations", headers=headers,
                       json=payload(attachment, selector, **kwargs))


def test_an_assessor_annotates_a_pdf_region_and_reads_it_back(client, world, api_token, check_response):
    headers = api_token(world.first)
    response = post(client, world, headers, world.pdf, pdf_region(2, "72,80,300,30"), competence="BC05.1")
    check_response(response, PATH, "post")
    assert response.status_code == 201
    created = response.get_json()
    assert created["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert created["type"] == "Annotation" and created["motivation"] == "assessing"
    assert created["body"] == {"type": "TextualBody", "value": "Strong framing", "format": "text/plain"}
    assert created["target"] == {"source": f"/api/v1/files/{world.pdf.id}/content", "selector": pdf_region(
        2, "72,80,300,30")}
    assert created["creator"] == {"id": world.first.id, "type": "Person", "name": "Alice Assessor"}
    assert created["competence"] == "BC05.1" and created["lock_version"] == 1
    assert created["id"].endswith(f"/api/v1/annotations/{created['id'].rsplit('/', 1)[1]}")
    row = db.session.get(Annotation, int(created["id"].rsplit("/", 1)[1]))
    assert (row.page, row.selector_type, row.author_id) == (2, "FragmentSelector", world.first.id)
    # The annotation belongs to the author's marking of the version, opened with it.
    marking = db.session.get(Marking, row.marking_id)
    assert (marking.version_id, marking.assessor_id, marking.released_at) == (world.version.id, world.first.id, None)

    listed = client.get(f"/api/v1/deliverables/{world.deliverable.id}/annotations", headers=headers)
    check_response(listed, PATH, "get")
    assert [a["id"] for a in listed.get_json()] == [created["id"]]
    one = client.get(created["id"].split("localhost", 1)[1], headers=headers)
    check_response(one, ONE, "get")
    assert one.get_json() == created


def test_every_kind_of_target_is_stored(client, world, api_token, check_response):
    headers = api_token(world.first)
    cases = [
        (world.pdf, {"type": "TextQuoteSelector", "exact": "histoire de memoire"}, ("TextQuoteSelector", 1)),
        (world.png, media_fragment("xywh=10,20,100,50"), ("FragmentSelector", None)),
        (world.png, {"type": "SvgSelector", "value": '<svg xmlns="http://www.w3.org/2000/svg">'
                                                       '<polygon points="10,10 200,10 120,150"/></svg>'},
         ("SvgSelector", None)),
        (world.mp4, media_fragment("t=2,4.48"), ("FragmentSelector", None)),
        (world.wav, media_fragment("t=1"), ("FragmentSelector", None)),
    ]
    for attachment, selector, (kind, page) in cases:
        response = post(client, world, headers, attachment, selector)
        check_response(response, PATH, "post")
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        assert body["target"]["selector"]["type"] == kind and body["motivation"] == "commenting"
        row = db.session.get(Annotation, int(body["id"].rsplit("/", 1)[1]))
        assert row.page == page
    quote = db.session.scalar(select(Annotation).where(Annotation.selector_type == "TextQuoteSelector"))
    assert quote.selector["refinedBy"]["value"] == "page=1" and quote.selector["prefix"].endswith("Une ")
    film = db.session.scalar(select(Annotation).where(Annotation.attachment_id == world.mp4.id))
    assert (film.start_seconds, film.end_seconds) == (2.0, 4.48)
    only_film = client.get(f"/api/v1/deliverables/{world.deliverable.id}/annotations?file={world.mp4.id}",
                           headers=headers)
    assert [a["target"]["source"] for a in only_film.get_json()] == [f"/api/v1/files/{world.mp4.id}/content"]


def test_out_of_bounds_selectors_are_422_with_the_reason(client, world, api_token, check_response):
    headers = api_token(world.first)
    cases = [
        (world.pdf, pdf_region(40), "40"),
        (world.pdf, pdf_region(1, "500,800,200,100"), "595"),
        (world.pdf, {"type": "TextQuoteSelector", "exact": "absent passage"}, "not in this document"),
        (world.png, media_fragment("xywh=350,250,100,100"), "400 × 300"),
        (world.mp4, media_fragment("t=8,12"), "00:00:10:00"),
        (world.wav, media_fragment("t=4"), "00:00:03:00"),
        (world.mp4, pdf_region(1), "t=start,end"),
        (world.pdf, {"type": "RangeSelector"}, "RangeSelector"),
    ]
    for attachment, selector, reason in cases:
        response = post(client, world, headers, attachment, selector)
        check_response(response, PATH, "post")
        assert response.status_code == 422, (selector, response.get_json())
        assert response.mimetype == "application/problem+json"
        assert reason in response.get_json()["detail"], response.get_json()["detail"]
    assert db.session.scalar(select(Annotation.id)) is None


def test_bad_sources_competences_and_bodies_are_422(client, world, api_token, make_world, check_response):
    headers = api_token(world.first)
    other = make_world()
    for source in ("/files/1", "http://elsewhere/api/v1/files/x/content", 12, None):
        body = payload(world.pdf, pdf_region(1))
        body["target"]["source"] = source
        response = client.post(f"/api/v1/deliverables/{world.deliverable.id}/annotations", headers=headers, json=body)
        assert response.status_code == 422, source
    # A file of another deliverable, or none at all.
    assert post(client, world, headers, other.pdf, pdf_region(1)).status_code == 422
    body = payload(world.pdf, pdf_region(1))
    body["target"]["source"] = "/api/v1/files/999999999/content"
    assert client.post(f"/api/v1/deliverables/{world.deliverable.id}/annotations", headers=headers,
                       json=body).status_code == 422
    for competence in ("BC99.1", "RNCP00000BC01.1", 12):
        response = post(client, world, headers, world.pdf, pdf_region(1), competence=competence)
        check_response(response, PATH, "post")
        assert response.status_code == 422, competence
    assert post(client, world, headers, world.pdf, pdf_region(1), text="   ").status_code == 422
    assert post(client, world, headers, world.pdf, pdf_region(1), motivation="liking").status_code == 422
    assert client.post(f"/api/v1/deliverables/{world.deliverable.id}/annotations", headers=headers,
                       data="not json", content_type="application/json").status_code == 400
    # The full competence code and a W3C bodyValue are accepted.
    body = payload(world.pdf, pdf_region(1), competence="RNCP41241BC01.1")
    body.pop("body")
    body["bodyValue"] = "Short form"
    response = client.post(f"/api/v1/deliverables/{world.deliverable.id}/annotations", headers=headers, json=body)
    assert response.status_code == 201 and response.get_json()["competence"] == "BC01.1"


def test_a_draft_version_is_409(client, world, api_token, check_response):
    response = post(client, world, api_token(world.first), world.draft_pdf, pdf_region(1))
    check_response(response, PATH, "post")
    assert response.status_code == 409
    assert "draft" in response.get_json()["detail"]


def test_who_may_annotate(client, world, api_token, make_user):
    # The candidate and an admin who is not their assessor see the deliverable but may not annotate.
    for user in (world.candidate, world.admin):
        response = post(client, world, api_token(user), world.pdf, pdf_region(1))
        assert response.status_code == 403, user
    # An assessor of someone else does not see it at all.
    assert post(client, world, api_token(world.outsider), world.pdf, pdf_region(1)).status_code == 404
    assert client.get(f"/api/v1/deliverables/{world.deliverable.id}/annotations",
                      headers=api_token(world.outsider)).status_code == 404
    assert post(client, world, {}, world.pdf, pdf_region(1)).status_code == 401


def test_edit_with_lock_version_and_delete_by_the_author_only(client, world, api_token, check_response):
    headers = api_token(world.first)
    created = post(client, world, headers, world.pdf, pdf_region(1)).get_json()
    url = created["id"].split("localhost", 1)[1]
    changed = client.patch(url, headers=headers, json={"body": "Better framing", "competence": "BC05.2",
                                                       "lock_version": 1})
    check_response(changed, ONE, "patch")
    assert changed.status_code == 200
    assert (changed.get_json()["body"]["value"], changed.get_json()["competence"]) == ("Better framing", "BC05.2")
    assert changed.get_json()["lock_version"] == 2
    # A second save prepared on the first copy is refused, and changes nothing.
    stale = client.patch(url, headers=headers, json={"body": "Lost?", "lock_version": 1})
    check_response(stale, ONE, "patch")
    assert stale.status_code == 409
    assert client.patch(url, headers={**headers, "If-Match": '"1"'}, json={"body": "Lost?"}).status_code == 409
    assert client.get(url, headers=headers).get_json()["body"]["value"] == "Better framing"
    removed_competence = client.patch(url, headers={**headers, "If-Match": '"2"'}, json={"competence": None})
    assert removed_competence.get_json()["competence"] is None
    # The author's marking is not released: the other assessor does not see the annotation at all.
    assert client.get(url, headers=api_token(world.second)).status_code == 404
    assert client.patch(url, headers=api_token(world.admin), json={"body": "x"}).status_code == 403
    assert client.delete(url, headers=api_token(world.admin)).status_code == 403
    assert client.delete(url, headers={**headers, "If-Match": "1"}).status_code == 409
    deleted = client.delete(url, headers=headers)
    assert deleted.status_code == 204
    assert client.get(url, headers=headers).status_code == 404
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.target_type == "annotation").order_by(AuditEntry.id)).all()
    assert actions == ["annotation.create", "annotation.update", "annotation.update", "annotation.delete"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "annotation.update"))
    assert entry.before["body"] == "Strong framing"
    assert entry.after["body"] == "Better framing" and entry.actor_id == world.first.id


def test_two_concurrent_edits_the_second_is_refused(world, annotate):
    from portfolio.annotations import services
    from portfolio.annotations.services import StaleAnnotation

    annotation = annotate(world.first, world.pdf, pdf_region(1))
    services.update_annotation(annotation, actor=world.first, body="First save", expected_version=1)
    db.session.commit()
    try:
        services.update_annotation(annotation, actor=world.first, body="Second save", expected_version=1)
    except StaleAnnotation:
        db.session.rollback()
    else:  # pragma: no cover - the assertion below explains
        raise AssertionError("a stale save was accepted")
    assert db.session.get(Annotation, annotation.id).body == "First save"


def test_a_released_markings_annotations_are_final(client, world, api_token, annotate):
    from annotation_samples import release

    annotation = annotate(world.first, world.pdf, pdf_region(1))
    release(world.version, world.first)
    headers = api_token(world.first)
    url = f"/api/v1/annotations/{annotation.id}"
    assert client.patch(url, headers=headers, json={"body": "after release"}).status_code == 409
    assert client.delete(url, headers=headers).status_code == 409
    assert post(client, world, headers, world.pdf, pdf_region(2)).status_code == 409
