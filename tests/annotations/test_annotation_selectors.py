"""Selectors: parsed and normalised, then checked against the file's media facts and page text."""
from __future__ import annotations

import pytest

from portfolio.annotations.selectors import (
    SelectorError,
    check_selector,
    format_timecode,
    parse_selector,
    parse_timecode,
    selector_from_form,
)

PDF = "http://tools.ietf.org/rfc/rfc3778"
MEDIA = "http://www.w3.org/TR/media-frags/"
PDF_INFO = {"kind": "pdf", "pages": 12, "page_sizes": [[595.0, 842.0]] * 12}
IMAGE_INFO = {"kind": "image", "width": 400, "height": 300}
VIDEO_INFO = {"kind": "video", "duration": 10.0, "fps": 25.0}
PAGES = {1: "Le synopsis du film\r\nUne histoire de memoire", 2: "La lumiere revient\r\nLe film revient"}


@pytest.fixture(autouse=True)
def english(app):
    """The reasons are read in English (French is the default locale)."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


def fragment(value, conforms=PDF):
    return {"type": "FragmentSelector", "conformsTo": conforms, "value": value}


def checked(raw, kind, info, pages=PAGES):
    return check_selector(parse_selector(raw), kind, info, pages.get)


def refused(raw, kind, info, pages=PAGES) -> SelectorError:
    with pytest.raises(SelectorError) as caught:
        checked(raw, kind, info, pages)
    return caught.value


# --- PDF -------------------------------------------------------------------------------------------------

def test_a_pdf_region_is_parsed_and_normalised(app):
    selector = checked(fragment("page=3&viewrect=10.004,20,100.5,50"), "pdf", PDF_INFO)
    assert (selector.type, selector.shape, selector.page) == ("FragmentSelector", "pdf_region", 3)
    assert selector.rect == (10.004, 20.0, 100.5, 50.0)
    assert selector.data == fragment("page=3&viewrect=10,20,100.5,50")


def test_a_whole_page_needs_no_viewrect(app):
    selector = checked(fragment("page=12"), "pdf", PDF_INFO)
    assert (selector.shape, selector.page, selector.rect) == ("pdf_page", 12, None)


def test_page_40_of_a_12_page_pdf_is_refused_with_the_reason(app):
    error = refused(fragment("page=40&viewrect=0,0,10,10"), "pdf", PDF_INFO)
    assert "40" in str(error) and "12" in str(error)
    assert error.field == "page"


@pytest.mark.parametrize("value, field", [
    ("page=0", "page"), ("page=-1", "page"), ("page=two", "page"), ("viewrect=0,0,1,1", "page"),
    ("page=1&viewrect=0,0,0,10", "w"), ("page=1&viewrect=-1,0,10,10", "x"), ("page=1&viewrect=1,2,3", "x"),
    ("page=1&viewrect=a,0,10,10", "x"), ("page=1&viewrect=0,0,nan,10", "w"),
])
def test_malformed_pdf_fragments_are_refused(app, value, field):
    assert refused(fragment(value), "pdf", PDF_INFO).field == field


def test_unsupported_pdf_parameters_and_types_are_refused(app):
    assert "zoom" in str(refused(fragment("page=1&zoom=200"), "pdf", PDF_INFO))
    assert "Polygon" in str(refused({"type": "Polygon"}, "pdf", PDF_INFO))
    assert refused(fragment("page=1", conforms="urn:other"), "pdf", PDF_INFO)
    assert refused("page=1", "pdf", PDF_INFO)


def test_a_region_off_the_page_is_refused(app):
    error = refused(fragment("page=1&viewrect=500,800,100,50"), "pdf", PDF_INFO)
    assert "595" in str(error) and "842" in str(error)
    # Half a point of rounding at the edge is accepted.
    assert checked(fragment("page=1&viewrect=495,792,100.4,50.3"), "pdf", PDF_INFO)


def test_a_quote_on_its_page_is_found_and_given_its_context(app):
    raw = {"type": "TextQuoteSelector", "exact": "histoire  de\nmemoire",
           "refinedBy": fragment("page=1")}
    selector = checked(raw, "pdf", PDF_INFO)
    assert selector.page == 1
    assert selector.data["exact"] == "histoire de memoire"
    assert selector.data["prefix"].endswith("Une ") and selector.data["suffix"] == ""
    assert selector.data["refinedBy"] == fragment("page=1")


def test_a_quote_without_a_page_is_looked_up_in_the_whole_document(app):
    selector = checked({"type": "TextQuoteSelector", "exact": "lumiere revient"}, "pdf", PDF_INFO)
    assert selector.page == 2


def test_prefix_and_suffix_choose_between_repeated_passages(app):
    raw = {"type": "TextQuoteSelector", "exact": "revient", "prefix": "Le film ", "refinedBy": fragment("page=2")}
    selector = checked(raw, "pdf", PDF_INFO)
    assert selector.data["prefix"].endswith("Le film ")


def test_the_w3c_nesting_page_refined_by_quote_is_accepted(app):
    raw = {**fragment("page=2"), "refinedBy": {"type": "TextQuoteSelector", "exact": "Le film"}}
    selector = checked(raw, "pdf", PDF_INFO)
    assert (selector.type, selector.page, selector.exact) == ("TextQuoteSelector", 2, "Le film")


def test_a_quote_not_on_the_page_is_refused(app):
    error = refused({"type": "TextQuoteSelector", "exact": "Le synopsis", "refinedBy": fragment("page=2")},
                    "pdf", PDF_INFO)
    assert "page 2" in str(error) and error.field == "quote"
    assert "not in this document" in str(refused({"type": "TextQuoteSelector", "exact": "absent"}, "pdf",
                                                 PDF_INFO))
    wrong_context = {"type": "TextQuoteSelector", "exact": "revient", "prefix": "Autre ",
                     "refinedBy": fragment("page=2")}
    assert "prefix" in str(refused(wrong_context, "pdf", PDF_INFO))
    assert refused({"type": "TextQuoteSelector", "exact": "  "}, "pdf", PDF_INFO).field == "quote"


def test_a_selector_of_another_kind_of_file_is_refused(app):
    assert "PDF" in str(refused(fragment("xywh=0,0,10,10", MEDIA), "pdf", PDF_INFO))
    assert "film" in str(refused(fragment("page=1"), "video", VIDEO_INFO))
    assert "cannot be annotated" in str(refused(fragment("page=1"), None, {}))


# --- images ---------------------------------------------------------------------------------------------------

def test_an_image_region_in_pixels_or_percent(app):
    selector = checked(fragment("xywh=10,20,100,50", MEDIA), "image", IMAGE_INFO)
    assert (selector.shape, selector.rect, selector.percent) == ("image_region", (10, 20, 100, 50), False)
    assert checked(fragment("xywh=pixel:10,20,100,50", MEDIA), "image", IMAGE_INFO).data["value"] == \
        "xywh=10,20,100,50"
    percent = checked(fragment("xywh=percent:50,50,50,50", MEDIA), "image", IMAGE_INFO)
    assert percent.percent and percent.data["value"] == "xywh=percent:50,50,50,50"


def test_a_region_off_the_image_is_refused(app):
    error = refused(fragment("xywh=350,10,100,50", MEDIA), "image", IMAGE_INFO)
    assert "400 × 300" in str(error)
    assert refused(fragment("xywh=percent:60,0,50,10", MEDIA), "image", IMAGE_INFO)
    assert refused(fragment("xywh=em:1,1,1,1", MEDIA), "image", IMAGE_INFO)


def svg(points, extra=""):
    return {"type": "SvgSelector",
            "value": f'<svg xmlns="http://www.w3.org/2000/svg"><polygon points="{points}"{extra}/></svg>'}


def test_a_polygon_is_parsed_normalised_and_bounded(app):
    selector = checked(svg("10,10 200,10.5  120,150"), "image", IMAGE_INFO)
    assert selector.shape == "image_polygon"
    assert selector.points == [(10, 10), (200, 10.5), (120, 150)]
    assert selector.rect == (10, 10, 190, 140)
    assert selector.data["value"] == ('<svg xmlns="http://www.w3.org/2000/svg"><polygon '
                                      'points="10,10 200,10.5 120,150"/></svg>')
    assert "400 × 300" in str(refused(svg("10,10 500,10 120,150"), "image", IMAGE_INFO))


@pytest.mark.parametrize("raw", [
    svg("10,10 20,20"),  # two points
    svg("10,10 20,20 30"),  # odd
    svg("10,10 20,10 30,10"),  # no area
    svg("10,10 200,10 120,150", ' onclick="alert(1)"'),
    {"type": "SvgSelector", "value": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
                                     '<polygon points="10,10 200,10 120,150"/></svg>'},
    {"type": "SvgSelector", "value": '<svg><polygon points="1,1 9,1 5,5"/><polygon points="1,1 9,1 5,5"/></svg>'},
    {"type": "SvgSelector", "value": '<!DOCTYPE svg [<!ENTITY x "y">]><svg><polygon points="&x;"/></svg>'},
    {"type": "SvgSelector", "value": "<svg><polygon points='1,1 9,1 5,5'>"},
    {"type": "SvgSelector", "value": '<html><polygon points="1,1 9,1 5,5"/></html>'},
    {"type": "SvgSelector", "value": '<svg><a href="javascript:x"><polygon points="1,1 9,1 5,5"/></a></svg>'},
])
def test_bad_or_hostile_polygons_are_refused(app, raw):
    assert refused(raw, "image", IMAGE_INFO).field == "points"


# --- video and sound ------------------------------------------------------------------------------------------

def test_a_time_range_in_seconds_or_npt_clock(app):
    selector = checked(fragment("t=npt:00:00:02.5,7", MEDIA), "video", VIDEO_INFO)
    assert (selector.shape, selector.start, selector.end) == ("time", 2.5, 7.0)
    assert selector.data["value"] == "t=2.5,7"
    point = checked(fragment("t=4", MEDIA), "audio", {"duration": 5.0})
    assert (point.start, point.end) == (4.0, None)
    assert checked(fragment("t=,3", MEDIA), "video", VIDEO_INFO).start == 0.0


def test_a_time_past_the_end_is_refused(app):
    error = refused(fragment("t=5,12", MEDIA), "video", VIDEO_INFO)
    assert error.field == "end" and "00:00:10:00" in str(error)
    assert refused(fragment("t=11", MEDIA), "video", VIDEO_INFO).field == "start"
    # Unknown duration: not guessed, accepted.
    assert checked(fragment("t=500,600", MEDIA), "video", {"kind": "video"}).end == 600


@pytest.mark.parametrize("value", ["t=7,2", "t=3,3", "t=smpte:00:00:01:00", "t=abc", "t=1,", "t=1&xywh=0,0,1,1"])
def test_bad_time_ranges_are_refused(app, value):
    assert refused(fragment(value, MEDIA), "video", VIDEO_INFO)


# --- timecodes and the form --------------------------------------------------------------------------------------

@pytest.mark.parametrize("seconds, fps, expected", [
    (0, 25, "00:00:00:00"), (5.0, 25, "00:00:05:00"), (3723.48, 25, "01:02:03:12"),
    (2.002, 23.976, "00:00:02:00"), (1 / 60 * 2, 60, "00:00:00:02"), (10.0, None, "00:00:10:00"),
])
def test_timecodes_at_the_files_frame_rate(seconds, fps, expected):
    assert format_timecode(seconds, fps) == expected


@pytest.mark.parametrize("fps", [23.976, 24, 25, 29.97, 50, 60])
def test_a_timecode_survives_the_round_trip_through_stored_seconds(app, fps):
    for frame in range(0, 400, 7):
        tc = format_timecode(frame / fps, fps)
        selector = checked(fragment(f"t={parse_timecode(tc, fps)}", MEDIA), "video", {"fps": fps})
        assert format_timecode(selector.start, fps) == tc


def test_timecodes_are_checked(app):
    assert parse_timecode("00:01:00:12", 25) == 60.48
    assert parse_timecode("75.5", 25) == 75.5
    assert parse_timecode("01:15", 25) == 75
    with pytest.raises(SelectorError):
        parse_timecode("00:00:01:25", 25)  # frame 25 does not exist at 25 fps
    with pytest.raises(SelectorError):
        parse_timecode("soon", 25)


def test_the_keyboard_form_describes_every_kind_of_selector(app):
    assert selector_from_form("pdf", "region", {"page": 2, "x": 1, "y": 2, "w": 3, "h": 4}) == \
        fragment("page=2&viewrect=1,2,3,4")
    assert selector_from_form("pdf", "region", {"page": 2}) == fragment("page=2")
    quote = selector_from_form("pdf", "passage", {"page": 1, "quote": " Le film ", "prefix": "a", "suffix": ""})
    assert quote == {"type": "TextQuoteSelector", "exact": "Le film", "prefix": "a", "suffix": "",
                     "refinedBy": fragment("page=1")}
    assert selector_from_form("image", "region", {"x": 1, "y": 2, "w": 3, "h": 4}) == fragment("xywh=1,2,3,4", MEDIA)
    assert "polygon" in selector_from_form("image", "polygon", {"points": "1,1 9,1 5,5"})["value"]
    assert selector_from_form("video", "region", {"start": "00:00:02:00", "end": "00:00:04:12"}, 25) == \
        fragment("t=2,4.48", MEDIA)
    for kind, selection, fields, field in [
        ("pdf", "region", {"x": 1}, "page"), ("pdf", "region", {"page": 1, "x": 1}, "y"),
        ("pdf", "passage", {"page": 1}, "quote"), ("image", "region", {"x": 1, "y": 1, "w": 1}, "h"),
        ("video", "region", {}, "start"), ("video", "region", {"start": "5", "end": "00:00:01:00"}, "end"),
        ("audio", "region", {"start": "xx"}, "start"),
    ]:
        with pytest.raises(SelectorError) as caught:
            selector_from_form(kind, selection, fields, 25)
        assert caught.value.field == field, (kind, fields)
