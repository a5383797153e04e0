"""W3C Web Annotation selectors: parsed, normalised and checked against the annotated file.

Accepted (https://www.w3.org/TR/annotation-model/#selectors):

- PDF region: ``FragmentSelector`` conforming to RFC 3778, ``page=N`` (from 1) with an optional
  ``viewrect=x,y,w,h`` in points from the page's top-left corner;
- PDF passage: ``TextQuoteSelector`` ``{exact, prefix, suffix}``, optionally ``refinedBy`` an RFC 3778
  ``page=N`` FragmentSelector (the W3C nesting the other way round, a page FragmentSelector refined by
  a TextQuoteSelector, is accepted too);
- image region: Media Fragments ``xywh=x,y,w,h`` (pixels, or ``xywh=percent:x,y,w,h``);
- image polygon: ``SvgSelector`` whose value is an ``<svg>`` holding one ``<polygon points=…>``;
- video and sound: Media Fragments ``t=start,end`` (seconds, npt; the end may be left out for a point).

``parse_selector`` checks the form and returns a ``Selector`` with the normalised W3C JSON;
``check_selector`` checks it against the file's media facts (page count and sizes, image size, duration)
and, for a quote, against the page text. Both raise ``SelectorError`` with the reason.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from flask_babel import gettext as _

PDF_FRAGMENT = "http://tools.ietf.org/rfc/rfc3778"
MEDIA_FRAGMENT = "http://www.w3.org/TR/media-frags/"
SVG_NS = "http://www.w3.org/2000/svg"
DEFAULT_FPS = 25.0
MAX_QUOTE = 5000
MAX_AFFIX = 200
AFFIX_KEPT = 32  # characters of context kept around a quote found on the page
MAX_POINTS = 500
MAX_SVG = 20000
TOLERANCE = 0.5  # points or pixels of slack at the edges (rounding in the browser)
TIME_TOLERANCE = 0.05  # seconds past the end still accepted (a player's last frame)


class SelectorError(ValueError):
    """A selector that is malformed or points outside the file; ``field`` names the form field concerned."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class Selector:
    type: str  # FragmentSelector, TextQuoteSelector or SvgSelector
    shape: str  # pdf_page, pdf_region, pdf_quote, image_region, image_polygon, time
    data: dict  # the normalised W3C selector, as stored
    page: int | None = None
    rect: tuple[float, float, float, float] | None = None
    percent: bool = False
    points: list[tuple[float, float]] = field(default_factory=list)
    start: float | None = None
    end: float | None = None
    exact: str | None = None
    prefix: str = ""
    suffix: str = ""


# --- numbers and times ------------------------------------------------------------------------------

def _number(text: str, what: str, field_name: str | None = None) -> float:
    try:
        value = float(text.strip())
    except (ValueError, AttributeError):
        raise SelectorError(_("%(what)s must be a number, not “%(value)s”.", what=what, value=text),
                            field_name) from None
    if not math.isfinite(value):
        raise SelectorError(_("%(what)s must be a number, not “%(value)s”.", what=what, value=text), field_name)
    return value


def _fmt(value: float, decimals: int = 2) -> str:
    """A number for a selector value: at most ``decimals`` decimals, no trailing zeros."""
    text = f"{round(value, decimals):.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def parse_npt(text: str) -> float:
    """Seconds from a Media Fragments npt time: ``12.5``, ``01:02.5`` or ``1:01:02.5``."""
    text = text.strip()
    if not re.fullmatch(r"\d+(\.\d+)?|\d+:\d{1,2}(\.\d+)?|\d+:\d{1,2}:\d{1,2}(\.\d+)?", text):
        raise SelectorError(_("“%(value)s” is not a time: use seconds (12.5) or hh:mm:ss.", value=text), "start")
    seconds = 0.0
    for part in text.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def timecode_base(fps: float | None) -> int:
    """The frames counted per second in a timecode (24 for 23.976, 30 for 29.97: non-drop-frame)."""
    return max(1, round(fps or DEFAULT_FPS))


def format_timecode(seconds: float | None, fps: float | None = None) -> str:
    """``HH:MM:SS:FF`` at the file's frame rate (non-drop-frame)."""
    if seconds is None:
        return ""
    rate = fps or DEFAULT_FPS
    base = timecode_base(rate)
    # Times are kept to the millisecond: a twentieth of a frame of slack finds the frame a time was taken from.
    frames = int(math.floor(max(seconds, 0) * rate + 0.05))
    ff = frames % base
    total_seconds = frames // base
    return f"{total_seconds // 3600:02d}:{total_seconds // 60 % 60:02d}:{total_seconds % 60:02d}:{ff:02d}"


def parse_timecode(text: str, fps: float | None = None, field_name: str = "start") -> float:
    """Seconds from ``HH:MM:SS:FF`` (at ``fps``), ``HH:MM:SS(.s)``, ``MM:SS(.s)`` or plain seconds."""
    text = (text or "").strip()
    rate = fps or DEFAULT_FPS
    match = re.fullmatch(r"(\d+):(\d{1,2}):(\d{1,2})[:;](\d{1,3})", text)
    if match:
        hours, minutes, secs, frames = (int(g) for g in match.groups())
        base = timecode_base(rate)
        if minutes > 59 or secs > 59 or frames >= base:
            raise SelectorError(_("“%(value)s” is not a valid timecode at %(fps)s frames per second.",
                                  value=text, fps=_fmt(rate)), field_name)
        return round((((hours * 60 + minutes) * 60 + secs) * base + frames) / rate, 3)
    try:
        return parse_npt(text)
    except SelectorError:
        raise SelectorError(_("“%(value)s” is not a time: use a timecode HH:MM:SS:FF or seconds.", value=text),
                            field_name) from None


# --- parsing ------------------------------------------------------------------------------------------

def parse_selector(raw) -> Selector:
    """The selector described by ``raw`` (a W3C selector object), normalised; raises SelectorError."""
    if isinstance(raw, list) and len(raw) == 1:
        raw = raw[0]
    if not isinstance(raw, dict):
        raise SelectorError(_("The selector must be one W3C selector object."))
    kind = raw.get("type")
    if kind == "FragmentSelector":
        return _fragment(raw)
    if kind == "TextQuoteSelector":
        return _quote(raw)
    if kind == "SvgSelector":
        return _svg(raw)
    raise SelectorError(_("Unsupported selector type “%(type)s”: use a FragmentSelector, a TextQuoteSelector "
                          "or an SvgSelector.", type=str(kind)))


def _pairs(value: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for part in value.split("&"):
        key, sep, item = part.partition("=")
        key = key.strip()
        if not sep or not key or key in pairs:
            raise SelectorError(_("The fragment “%(value)s” is malformed.", value=value))
        pairs[key] = item.strip()
    return pairs


def _fragment(raw: dict) -> Selector:
    value = raw.get("value")
    if not isinstance(value, str) or not value.strip():
        raise SelectorError(_("A FragmentSelector needs a value."))
    value = value.strip().lstrip("#")
    conforms = raw.get("conformsTo")
    pairs = _pairs(value)
    if conforms == PDF_FRAGMENT or (conforms is None and "page" in pairs):
        selector = _pdf_fragment(pairs)
        refined = raw.get("refinedBy")
        if refined is not None:
            if not isinstance(refined, dict) or refined.get("type") != "TextQuoteSelector" or "viewrect" in pairs:
                raise SelectorError(_("A page FragmentSelector may only be refined by a TextQuoteSelector."))
            quote = _quote({**refined, "refinedBy": None})
            return _with_page(quote, selector.page)
        return selector
    if conforms == MEDIA_FRAGMENT or (conforms is None and ("xywh" in pairs or "t" in pairs)):
        if raw.get("refinedBy") is not None:
            raise SelectorError(_("A media fragment cannot be refined."))
        return _media_fragment(pairs)
    raise SelectorError(_("Unsupported FragmentSelector: conformsTo must be %(pdf)s (PDF) or %(media)s "
                          "(images, video and sound).", pdf=PDF_FRAGMENT, media=MEDIA_FRAGMENT))


def _pdf_fragment(pairs: dict[str, str]) -> Selector:
    unknown = sorted(set(pairs) - {"page", "viewrect"})
    if unknown:
        raise SelectorError(_("Unsupported PDF fragment parameter “%(name)s”: use page=N&viewrect=x,y,w,h.",
                              name=unknown[0]))
    if "page" not in pairs:
        raise SelectorError(_("A PDF fragment needs a page number (page=N)."), "page")
    if not re.fullmatch(r"\d{1,6}", pairs["page"]) or int(pairs["page"]) < 1:
        raise SelectorError(_("The page must be a whole number from 1, not “%(value)s”.", value=pairs["page"]),
                            "page")
    page = int(pairs["page"])
    if "viewrect" not in pairs:
        return Selector("FragmentSelector", "pdf_page",
                        {"type": "FragmentSelector", "conformsTo": PDF_FRAGMENT, "value": f"page={page}"}, page=page)
    rect = _rect(pairs["viewrect"], "viewrect")
    value = f"page={page}&viewrect={','.join(_fmt(v) for v in rect)}"
    return Selector("FragmentSelector", "pdf_region",
                    {"type": "FragmentSelector", "conformsTo": PDF_FRAGMENT, "value": value}, page=page, rect=rect)


def _rect(text: str, name: str) -> tuple[float, float, float, float]:
    parts = text.split(",")
    if len(parts) != 4:
        raise SelectorError(_("%(name)s needs four numbers: x,y,width,height.", name=name), "x")
    x, y, w, h = (_number(p, name, f) for p, f in zip(parts, ("x", "y", "w", "h"), strict=True))
    if x < 0 or y < 0:
        raise SelectorError(_("The region must start inside the file (x and y from 0)."), "x")
    if w <= 0 or h <= 0:
        raise SelectorError(_("The region must have a width and a height greater than 0."), "w")
    return x, y, w, h


def _media_fragment(pairs: dict[str, str]) -> Selector:
    if set(pairs) == {"xywh"}:
        text = pairs["xywh"]
        unit, sep, rest = text.partition(":")
        percent = False
        if sep:
            if unit not in ("pixel", "percent"):
                raise SelectorError(_("Unsupported xywh unit “%(unit)s”: use pixel or percent.", unit=unit))
            percent, text = unit == "percent", rest
        rect = _rect(text, "xywh")
        if percent and (rect[0] + rect[2] > 100 + 1e-6 or rect[1] + rect[3] > 100 + 1e-6):
            raise SelectorError(_("The region is off the image: percentages go up to 100."), "x")
        value = "xywh=" + ("percent:" if percent else "") + ",".join(_fmt(v) for v in rect)
        return Selector("FragmentSelector", "image_region",
                        {"type": "FragmentSelector", "conformsTo": MEDIA_FRAGMENT, "value": value},
                        rect=rect, percent=percent)
    if set(pairs) == {"t"}:
        text = pairs["t"]
        if text.startswith("npt:"):
            text = text[4:]
        elif re.match(r"[a-z]+[a-z0-9-]*:", text):
            raise SelectorError(_("Only npt times are supported (t=start,end in seconds)."), "start")
        first, comma, second = text.partition(",")
        start = parse_npt(first) if first.strip() else 0.0
        end = None
        if comma:
            if not second.strip():
                raise SelectorError(_("The end time is missing after the comma."), "end")
            try:
                end = parse_npt(second)
            except SelectorError as exc:
                raise SelectorError(str(exc), "end") from None
            if end <= start:
                raise SelectorError(_("The end must come after the start."), "end")
        value = f"t={_fmt(start, 3)}" + (f",{_fmt(end, 3)}" if end is not None else "")
        return Selector("FragmentSelector", "time",
                        {"type": "FragmentSelector", "conformsTo": MEDIA_FRAGMENT, "value": value},
                        start=round(start, 3), end=round(end, 3) if end is not None else None)
    raise SelectorError(_("Use one media fragment: xywh=x,y,w,h for an image region or t=start,end for a time "
                          "range."))


def _text_field(raw: dict, name: str, limit: int) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SelectorError(_("“%(name)s” must be text.", name=name), "quote")
    if len(value) > limit:
        raise SelectorError(_("“%(name)s” is too long (at most %(limit)d characters).", name=name, limit=limit),
                            "quote")
    return value


def _quote(raw: dict) -> Selector:
    exact = _text_field(raw, "exact", MAX_QUOTE)
    if not exact.strip():
        raise SelectorError(_("Quote the passage: the exact text is empty."), "quote")
    prefix = _text_field(raw, "prefix", MAX_AFFIX)
    suffix = _text_field(raw, "suffix", MAX_AFFIX)
    selector = Selector("TextQuoteSelector", "pdf_quote", {}, exact=exact, prefix=prefix, suffix=suffix)
    refined = raw.get("refinedBy")
    if refined is not None:
        if not isinstance(refined, dict) or refined.get("type") != "FragmentSelector":
            raise SelectorError(_("A TextQuoteSelector may only be refined by a page FragmentSelector."), "page")
        page_selector = _fragment(refined)
        if page_selector.shape != "pdf_page":
            raise SelectorError(_("A TextQuoteSelector may only be refined by a page FragmentSelector "
                                  "(page=N)."), "page")
        return _with_page(selector, page_selector.page)
    return _with_page(selector, None)


def _with_page(selector: Selector, page: int | None) -> Selector:
    data = {"type": "TextQuoteSelector", "exact": selector.exact, "prefix": selector.prefix,
            "suffix": selector.suffix}
    if page is not None:
        data["refinedBy"] = {"type": "FragmentSelector", "conformsTo": PDF_FRAGMENT, "value": f"page={page}"}
    return replace(selector, page=page, data=data)


def _svg(raw: dict) -> Selector:
    value = raw.get("value")
    if not isinstance(value, str) or not value.strip():
        raise SelectorError(_("An SvgSelector needs an <svg> value."), "points")
    if len(value) > MAX_SVG:
        raise SelectorError(_("The SVG is too long."), "points")
    if re.search(r"<!(DOCTYPE|ENTITY)", value, re.I):
        raise SelectorError(_("The SVG must not declare a DOCTYPE or entities."), "points")
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(value.strip().encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        raise SelectorError(_("The SVG is not well-formed XML."), "points") from None
    if etree.QName(root).localname != "svg" or etree.QName(root).namespace not in (None, SVG_NS):
        raise SelectorError(_("The SvgSelector value must be an <svg> element."), "points")
    children = [child for child in root if isinstance(child.tag, str)]
    if len(root) != len(children) or len(children) != 1 or etree.QName(children[0]).localname != "polygon" \
            or etree.QName(children[0]).namespace not in (None, SVG_NS):
        raise SelectorError(_("The SVG must hold exactly one <polygon> and nothing else."), "points")
    for element in (root, children[0]):
        for name in element.attrib:
            local = etree.QName(name).localname.lower()
            if local.startswith("on") or "href" in local:
                raise SelectorError(_("The SVG must not carry scripts or links."), "points")
        if (element.text or "").strip() or (element.tail or "").strip() and element is not root:
            raise SelectorError(_("The SVG must hold exactly one <polygon> and nothing else."), "points")
    return polygon_selector(children[0].get("points") or "")


def parse_points(text: str) -> list[tuple[float, float]]:
    """``x,y x,y …`` (commas or spaces) as a list of points; raises SelectorError."""
    numbers = [n for n in re.split(r"[\s,]+", (text or "").strip()) if n]
    if len(numbers) % 2:
        raise SelectorError(_("The polygon's points must come in pairs x,y."), "points")
    values = [_number(n, _("A polygon point"), "points") for n in numbers]
    points = list(zip(values[0::2], values[1::2], strict=True))
    if len(points) < 3:
        raise SelectorError(_("A polygon needs at least 3 points."), "points")
    if len(points) > MAX_POINTS:
        raise SelectorError(_("A polygon may have at most %(limit)d points.", limit=MAX_POINTS), "points")
    return points


def polygon_selector(points_text: str) -> Selector:
    points = parse_points(points_text)
    if any(x < 0 or y < 0 for x, y in points):
        raise SelectorError(_("The polygon must lie on the image (coordinates from 0)."), "points")
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    if max(xs) - min(xs) <= 0 or max(ys) - min(ys) <= 0:
        raise SelectorError(_("The polygon must enclose an area."), "points")
    normalised = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points)
    value = f'<svg xmlns="{SVG_NS}"><polygon points="{normalised}"/></svg>'
    return Selector("SvgSelector", "image_polygon", {"type": "SvgSelector", "value": value}, points=points,
                    rect=(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))


# --- checking against the file ------------------------------------------------------------------------

SHAPES_BY_KIND = {
    "pdf": {"pdf_page", "pdf_region", "pdf_quote"},
    "image": {"image_region", "image_polygon"},
    "video": {"time"},
    "audio": {"time"},
}


def check_selector(selector: Selector, kind: str | None, info: dict | None,
                   page_text: Callable[[int], str | None] | None = None) -> Selector:
    """``selector`` checked against the file (kind ``pdf``/``image``/``video``/``audio``, its media facts);
    a quote is looked up in the page text and returned with its page, prefix and suffix. Raises SelectorError.
    """
    info = info or {}
    if kind not in SHAPES_BY_KIND:
        raise SelectorError(_("This type of file cannot be annotated."))
    if selector.shape not in SHAPES_BY_KIND[kind]:
        expected = {
            "pdf": _("a PDF is annotated with a page region (page=N&viewrect=…) or a text quote"),
            "image": _("an image is annotated with a region (xywh=…) or a polygon (SvgSelector)"),
            "video": _("a film is annotated with a time range (t=start,end)"),
            "audio": _("a sound file is annotated with a time range (t=start,end)"),
        }[kind]
        raise SelectorError(_("This selector does not fit the file: %(expected)s.", expected=expected))
    if kind == "pdf":
        return _check_pdf(selector, info, page_text)
    if kind == "image":
        _check_image(selector, info)
        return selector
    _check_time(selector, info)
    return selector


def _check_pdf(selector: Selector, info: dict, page_text) -> Selector:
    pages = info.get("pages")
    if selector.page is not None and pages is not None and selector.page > pages:
        raise SelectorError(_("Page %(page)d does not exist: this PDF has %(count)d pages.",
                              page=selector.page, count=pages), "page")
    if selector.shape == "pdf_region":
        sizes = info.get("page_sizes") or []
        if selector.page <= len(sizes):
            width, height = sizes[selector.page - 1]
            x, y, w, h = selector.rect
            if x + w > width + TOLERANCE or y + h > height + TOLERANCE:
                raise SelectorError(_("The region is off the page: page %(page)d measures %(width)s × %(height)s "
                                      "points.", page=selector.page, width=_fmt(width), height=_fmt(height)), "x")
    if selector.shape == "pdf_quote":
        return _find_quote(selector, pages, page_text)
    return selector


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _find_quote(selector: Selector, pages: int | None, page_text) -> Selector:
    if page_text is None:
        return selector
    exact = _collapse(selector.exact)
    prefix, suffix = _collapse(selector.prefix), _collapse(selector.suffix)
    candidates = [selector.page] if selector.page is not None else range(1, (pages or 0) + 1)
    seen_without_context = False
    for number in candidates:
        text = page_text(number)
        if text is None:
            continue
        text = _collapse(text)
        position = text.find(exact)
        while position >= 0:
            before, after = text[:position], text[position + len(exact):]
            if before.rstrip().endswith(prefix.strip()) and after.lstrip().startswith(suffix.strip()):
                found = replace(selector, exact=exact, prefix=before[-AFFIX_KEPT:], suffix=after[:AFFIX_KEPT])
                return _with_page(found, number)
            seen_without_context = True
            position = text.find(exact, position + 1)
    if seen_without_context:
        raise SelectorError(_("The quoted text is in the document, but not with this prefix and suffix."), "quote")
    if selector.page is not None:
        raise SelectorError(_("The quoted text is not on page %(page)d.", page=selector.page), "quote")
    raise SelectorError(_("The quoted text is not in this document."), "quote")


def _check_image(selector: Selector, info: dict) -> None:
    width, height = info.get("width"), info.get("height")
    if selector.percent or not width or not height:
        return
    if selector.shape == "image_region":
        x, y, w, h = selector.rect
        if x + w > width + TOLERANCE or y + h > height + TOLERANCE:
            raise SelectorError(_("The region is off the image: it measures %(width)d × %(height)d pixels.",
                                  width=width, height=height), "x")
    else:
        if any(x > width + TOLERANCE or y > height + TOLERANCE for x, y in selector.points):
            raise SelectorError(_("The polygon is off the image: it measures %(width)d × %(height)d pixels.",
                                  width=width, height=height), "points")


def _check_time(selector: Selector, info: dict) -> None:
    duration = info.get("duration")
    if duration is None:
        return
    fps = info.get("fps")
    if selector.start > duration + TIME_TOLERANCE:
        raise SelectorError(_("The start is past the end of the file, which lasts %(duration)s.",
                              duration=format_timecode(duration, fps)), "start")
    if selector.end is not None and selector.end > duration + TIME_TOLERANCE:
        raise SelectorError(_("The end is past the end of the file, which lasts %(duration)s.",
                              duration=format_timecode(duration, fps)), "end")


# --- describing -----------------------------------------------------------------------------------------

def region_of(data: dict) -> tuple[float, float, float, float] | None:
    """The (x, y, w, h) region of a stored selector (None for a quote, a whole page or a time range)."""
    try:
        parsed = parse_selector(data)
    except SelectorError:
        return None
    return parsed.rect


def points_of(data: dict) -> list[tuple[float, float]]:
    try:
        return parse_selector(data).points
    except SelectorError:
        return []


# --- the form's fields as a selector --------------------------------------------------------------------

def selector_from_form(kind: str | None, selection: str | None, fields: dict, fps: float | None = None) -> dict:
    """The W3C selector described by the annotation form's fields (the keyboard's way to point at a place).

    ``fields``: ``page``, ``x``, ``y``, ``w``, ``h`` (numbers or None), ``points``, ``quote``, ``prefix``,
    ``suffix``, ``start``, ``end`` (text). Raises SelectorError naming the field to correct.
    """
    def number(name: str) -> float | None:
        value = fields.get(name)
        return None if value in (None, "") else float(value)

    if kind == "pdf":
        page = fields.get("page")
        if selection == "passage":
            quote = (fields.get("quote") or "").strip()
            if not quote:
                raise SelectorError(_("Quote the passage you comment on."), "quote")
            raw = {"type": "TextQuoteSelector", "exact": quote, "prefix": fields.get("prefix") or "",
                   "suffix": fields.get("suffix") or ""}
            if page:
                raw["refinedBy"] = {"type": "FragmentSelector", "conformsTo": PDF_FRAGMENT, "value": f"page={page}"}
            return raw
        if not page:
            raise SelectorError(_("Give the page number."), "page")
        rect = [number(n) for n in ("x", "y", "w", "h")]
        value = f"page={page}"
        if any(v is not None for v in rect):
            if any(v is None for v in rect):
                missing = ("x", "y", "w", "h")[[v is None for v in rect].index(True)]
                raise SelectorError(_("Give all four numbers of the region (x, y, width, height), or none of "
                                      "them to comment on the whole page."), missing)
            value += "&viewrect=" + ",".join(_fmt(v) for v in rect)
        return {"type": "FragmentSelector", "conformsTo": PDF_FRAGMENT, "value": value}
    if kind == "image":
        if selection == "polygon":
            return {"type": "SvgSelector", "value": polygon_selector(fields.get("points") or "").data["value"]}
        rect = [number(n) for n in ("x", "y", "w", "h")]
        if any(v is None for v in rect):
            missing = ("x", "y", "w", "h")[[v is None for v in rect].index(True)]
            raise SelectorError(_("Give the region's four numbers: x, y, width and height in pixels."), missing)
        return {"type": "FragmentSelector", "conformsTo": MEDIA_FRAGMENT,
                "value": "xywh=" + ",".join(_fmt(v) for v in rect)}
    if kind in ("video", "audio"):
        start_text = (fields.get("start") or "").strip()
        if not start_text:
            raise SelectorError(_("Give the start time."), "start")
        start = parse_timecode(start_text, fps, "start")
        end_text = (fields.get("end") or "").strip()
        value = f"t={_fmt(start, 3)}"
        if end_text:
            end = parse_timecode(end_text, fps, "end")
            if end <= start:
                raise SelectorError(_("The end must come after the start."), "end")
            value += f",{_fmt(end, 3)}"
        return {"type": "FragmentSelector", "conformsTo": MEDIA_FRAGMENT, "value": value}
    raise SelectorError(_("This type of file cannot be annotated."))
