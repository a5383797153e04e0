"""Who sees which annotation: the author's draft marking, blind double marking, the candidate after release."""
from __future__ import annotations

from annotation_samples import pdf_region, release

from portfolio.annotations import services
from portfolio.extensions import db


def ids(user, world, attachment=None) -> set[int]:
    return {a.id for a in services.visible_annotations(user, world.deliverable, attachment)}


def api_ids(client, world, headers) -> set[int]:
    response = client.get(f"/api/v1/deliverables/{world.deliverable.id}/annotations", headers=headers)
    assert response.status_code == 200
    return {int(a["id"].rsplit("/", 1)[1]) for a in response.get_json()}


def test_the_candidate_sees_only_annotations_of_released_markings(client, world, annotate, api_token):
    first = annotate(world.first, world.pdf, pdf_region(1), "Released note")
    second = annotate(world.second, world.pdf, pdf_region(2), "Draft note")
    headers = api_token(world.candidate)
    assert api_ids(client, world, headers) == set()
    release(world.version, world.first)
    assert api_ids(client, world, headers) == {first.id}
    assert ids(world.candidate, world) == {first.id}
    # Its author and admins see every annotation; so does the other assessor once released (single marking).
    assert ids(world.second, world) == {first.id, second.id}
    assert ids(world.first, world) == {first.id}
    assert ids(world.admin, world) == {first.id, second.id}
    assert client.get(f"/api/v1/annotations/{second.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/annotations/{first.id}", headers=headers).status_code == 200


def test_double_marking_is_blind_until_both_markings_are_released(client, make_world, api_token):
    world = make_world(markers=2)
    from portfolio.annotations.services import create_annotation

    first = create_annotation(world.deliverable, world.pdf, author=world.first, selector=pdf_region(1), body="A")
    second = create_annotation(world.deliverable, world.pdf, author=world.second, selector=pdf_region(2), body="B")
    db.session.commit()
    assert ids(world.first, world) == {first.id}
    assert ids(world.second, world) == {second.id}
    release(world.version, world.first)
    # One released marking: still blind to the other assessor and to the candidate.
    assert ids(world.second, world) == {second.id}
    assert ids(world.candidate, world) == set()
    assert client.get(f"/api/v1/annotations/{first.id}", headers=api_token(world.second)).status_code == 404
    release(world.version, world.second)
    for user in (world.first, world.second, world.candidate, world.admin):
        assert ids(user, world) == {first.id, second.id}, user
    assert api_ids(client, world, api_token(world.candidate)) == {first.id, second.id}


def test_per_file_lists_follow_reading_order(world, annotate):
    later = annotate(world.first, world.pdf, pdf_region(2))
    earlier = annotate(world.first, world.pdf, pdf_region(1))
    film_late = annotate(world.first, world.mp4, {"type": "FragmentSelector",
                                                  "conformsTo": "http://www.w3.org/TR/media-frags/", "value": "t=8"})
    film_early = annotate(world.first, world.mp4, {"type": "FragmentSelector",
                                                   "conformsTo": "http://www.w3.org/TR/media-frags/", "value": "t=1,2"})
    assert [a.id for a in services.visible_annotations(world.first, world.deliverable, world.pdf)] == [
        earlier.id, later.id]
    assert [a.id for a in services.visible_annotations(world.first, world.deliverable, world.mp4)] == [
        film_early.id, film_late.id]
