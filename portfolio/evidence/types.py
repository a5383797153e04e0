"""Deliverable types (the contract's codes), their labels and the file types each accepts.

The media type of an upload is decided from its content (see ``portfolio.files.detect``), then
checked against the allowlist of the deliverable's type.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

PDF = {"application/pdf"}
IMAGES = {"image/png", "image/jpeg", "image/webp", "image/gif", "image/tiff"}
OFFICE = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    "application/msword",
}
SHEETS = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.ms-excel",
    "text/csv",
}
SLIDES = {
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.presentation",
}
TEXT = {"text/plain", "text/markdown"}
SCREENPLAY = {"application/x-final-draft", "text/x-fountain"}
VIDEO = {"video/mp4", "video/quicktime", "video/webm", "video/x-matroska"}
AUDIO = {"audio/mpeg", "audio/wav", "audio/x-wav", "audio/flac", "audio/ogg", "audio/mp4", "audio/aac"}
ARCHIVE = {"application/zip"}

DOCUMENTS = PDF | OFFICE | TEXT

DELIVERABLE_TYPES: dict[str, dict] = {
    "moodboard": {"label": _l("Moodboard"), "accepts": PDF | IMAGES | SLIDES},
    "synopsis": {"label": _l("Synopsis"), "accepts": DOCUMENTS},
    "treatment": {"label": _l("Treatment"), "accepts": DOCUMENTS},
    "series_bible": {"label": _l("Series bible"), "accepts": DOCUMENTS | SLIDES | IMAGES},
    "screenplay": {"label": _l("Dialogue continuity (screenplay)"), "accepts": PDF | SCREENPLAY | OFFICE | TEXT},
    "technical_breakdown": {"label": _l("Technical breakdown (découpage)"), "accepts": DOCUMENTS | SHEETS},
    "storyboard": {"label": _l("Storyboard"), "accepts": PDF | IMAGES | SLIDES},
    "production_dossier": {"label": _l("Production dossier"), "accepts": DOCUMENTS | SHEETS | SLIDES | IMAGES},
    "budget": {"label": _l("Budget (devis)"), "accepts": PDF | SHEETS | OFFICE},
    "financing_plan": {"label": _l("Financing plan"), "accepts": PDF | SHEETS | OFFICE},
    "rights_estimate": {"label": _l("Rights estimate"), "accepts": PDF | SHEETS | OFFICE},
    "carbon_plan": {"label": _l("Carbon-footprint plan"), "accepts": PDF | SHEETS | OFFICE},
    "distribution_dossier": {"label": _l("Distribution dossier"), "accepts": DOCUMENTS | SHEETS | SLIDES | IMAGES},
    "media_plan": {"label": _l("Media plan"), "accepts": DOCUMENTS | SHEETS | SLIDES},
    "release_plan": {"label": _l("Release retro-planning"), "accepts": DOCUMENTS | SHEETS},
    "line_up": {"label": _l("Line-up"), "accepts": DOCUMENTS | SHEETS | SLIDES},
    "internship_report": {"label": _l("Internship report"), "accepts": DOCUMENTS},
    "thesis": {"label": _l("Research thesis"), "accepts": DOCUMENTS},
    "coproduction_dossier": {"label": _l("European co-production dossier (in English)"),
                             "accepts": DOCUMENTS | SHEETS | SLIDES},
    "film": {"label": _l("Film or video"), "accepts": VIDEO},
    "sound": {"label": _l("Sound"), "accepts": AUDIO},
    "proof": {"label": _l("Proof"), "accepts": DOCUMENTS | IMAGES | SHEETS},
    "other": {"label": _l("Other"), "accepts": DOCUMENTS | IMAGES | SHEETS | SLIDES | VIDEO | AUDIO | SCREENPLAY},
}

# Proofs of a VAE dossier, internship agreements, language certificates.
PROOF_MEDIA_TYPES = PDF | IMAGES | OFFICE


def accepted_media_types(deliverable_type: str) -> set[str]:
    return DELIVERABLE_TYPES[deliverable_type]["accepts"]


def type_label(code: str):
    entry = DELIVERABLE_TYPES.get(code)
    return entry["label"] if entry else code


STATUS_LABELS = {
    "draft": _l("draft"),
    "submitted": _l("submitted"),
    "revising": _l("new version in progress"),
}


def status_label(code: str):
    return STATUS_LABELS.get(code, code)


FORMAT_FAMILIES = (
    (PDF, _l("PDF")),
    (IMAGES, _l("images (PNG, JPEG, WebP, GIF, TIFF)")),
    (OFFICE, _l("text documents (Word, OpenDocument)")),
    (TEXT, _l("plain text or Markdown")),
    (SHEETS, _l("spreadsheets (Excel, OpenDocument, CSV)")),
    (SLIDES, _l("slides (PowerPoint, OpenDocument)")),
    (SCREENPLAY, _l("screenplays (Final Draft, Fountain)")),
    (VIDEO, _l("video (MP4, QuickTime, WebM, Matroska)")),
    (AUDIO, _l("audio (MP3, WAV, FLAC, Ogg, AAC)")),
)


def accepted_formats(deliverable_type: str) -> list:
    """Readable names of the file formats a deliverable type accepts."""
    accepts = accepted_media_types(deliverable_type)
    return [label for family, label in FORMAT_FAMILIES if family & accepts]
