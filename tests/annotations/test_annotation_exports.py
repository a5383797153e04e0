"""Exports: the deliverable's annotations as JSON-LD, a film's timecoded notes as CSV and as a CMX 3600 EDL."""
from __future__ import annotations

import csv
import io
import json

from annotation_samples import media_fragment, pdf_region


def test_jsonld_collection_of_the_visible_annotations(english, world, annotate):
    region = annotate(world.first, world.pdf, pdf_region(1), "Région", competence="BC05.1")
    film = annotate(world.first, world.mp4, media_fragment("t=2,4"), "Plan large")
    hidden = annotate(world.second, world.png, media_fragment("xywh=1,1,10,10"), "Draft of someone else")
    response = english(world.first).get(f"/deliverables/{world.deliverable.id}/annotations.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert "attachment;" in response.headers["Content-Disposition"]
    assert "annotations.jsonld" in response.headers["Content-Disposition"]
    document = json.loads(response.get_data(as_text=True))
    assert document["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert document["type"] == "AnnotationCollection" and document["total"] == 2
    assert document["label"] == "Les Veilleurs"
    page = document["first"]
    assert page["type"] == "AnnotationPage"
    items = {item["body"]["value"]: item for item in page["items"]}
    assert set(items) == {"Région", "Plan large"}
    item = items["Région"]
    assert item["type"] == "Annotation" and item["motivation"] == "assessing" and item["competence"] == "BC05.1"
    assert item["target"]["source"] == f"http://localhost/api/v1/files/{world.pdf.id}/content"
    assert item["target"]["selector"] == pdf_region(1)
    assert item["id"] == f"http://localhost/api/v1/annotations/{region.id}"
    assert item["creator"] == {"id": f"urn:x-portfolio:user:{world.first.id}", "type": "Person",
                               "name": "Alice Assessor"}
    assert hidden.id and film.id


def test_film_notes_as_csv(english, world, annotate):
    annotate(world.first, world.mp4, media_fragment("t=5,8.48"), "=Second note, with a comma", competence="BC05.2")
    annotate(world.first, world.mp4, media_fragment("t=1.04"), "First\nnote")
    annotate(world.first, world.pdf, pdf_region(1), "Not a film note")
    response = english(world.first).get(f"/deliverables/{world.deliverable.id}/files/{world.mp4.id}/notes.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="film - notes.csv"' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [
        ["timecode_in", "timecode_out", "author", "competence", "comment"],
        ["00:00:01:01", "00:00:01:02", "Alice Assessor", "", "First\nnote"],
        ["00:00:05:00", "00:00:08:12", "Alice Assessor", "BC05.2", "'=Second note, with a comma"],
    ]


def test_film_notes_as_an_edl_with_markers(english, world, annotate):
    annotate(world.first, world.mp4, media_fragment("t=5,8.48"), "Trop long\nà couper", competence="BC05.2")
    annotate(world.second, world.mp4, media_fragment("t=1"), "Bon départ")
    response = english(world.first).get(f"/deliverables/{world.deliverable.id}/files/{world.mp4.id}/notes.edl")
    assert response.status_code == 200
    assert 'filename="film - notes.edl"' in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).split("\r\n")
    assert lines[0] == "TITLE: Les Veilleurs - film.mp4"
    assert lines[1] == "FCM: NON-DROP FRAME"
    # The other assessor's note belongs to an unreleased marking: not in the first assessor's export.
    events = [line for line in lines if line[:3].isdigit()]
    assert events == ["001  FILMMP4  V     C        00:00:05:00 00:00:08:12 00:00:05:00 00:00:08:12"]
    assert "* LOC: 00:00:05:00 RED     Trop long à couper (Alice Assessor, BC05.2)" in lines
    assert "* FROM CLIP NAME: film.mp4" in lines


def test_edl_of_several_authors_and_a_sound_file(english, world, annotate):
    from annotation_samples import release

    annotate(world.first, world.wav, media_fragment("t=0.5,1"), "Souffle")
    annotate(world.second, world.wav, media_fragment("t=2"), "Clic")
    release(world.version, world.first)
    release(world.version, world.second)
    lines = english(world.candidate).get(
        f"/deliverables/{world.deliverable.id}/files/{world.wav.id}/notes.edl").get_data(as_text=True).split("\r\n")
    locs = [line for line in lines if line.startswith("* LOC:")]
    assert locs == ["* LOC: 00:00:00:12 RED     Souffle (Alice Assessor)",
                    "* LOC: 00:00:02:00 BLUE    Clic (Bruno Assessor)"]
    events = [line for line in lines if line[:3].isdigit()]
    assert events[1].endswith("00:00:02:00 00:00:02:01 00:00:02:00 00:00:02:01")


def test_notes_exist_for_films_and_sounds_only(english, world):
    client = english(world.first)
    assert client.get(f"/deliverables/{world.deliverable.id}/files/{world.pdf.id}/notes.csv").status_code == 404
    assert client.get(f"/deliverables/{world.deliverable.id}/files/{world.png.id}/notes.edl").status_code == 404
