"""Who may see and record an enrolment's internships and language certificates.

Whoever may see the enrolment (the candidate, their assessors, their jury, admins) reads them; the
candidate records their own; admins record for anyone.
"""
from __future__ import annotations

from ..enrolments.models import Enrolment
from ..enrolments.permissions import view_enrolment
from ..policy import rule
from .models import Internship, LanguageCertificate


@rule("edit_records", Enrolment)
def edit_records(user, enrolment: Enrolment) -> bool:
    return enrolment.user_id == user.id


@rule("view", Internship)
def view_internship(user, internship: Internship) -> bool:
    return view_enrolment(user, internship.enrolment)


@rule("edit", Internship)
def edit_internship(user, internship: Internship) -> bool:
    return internship.enrolment.user_id == user.id


@rule("view", LanguageCertificate)
def view_language_certificate(user, certificate: LanguageCertificate) -> bool:
    return view_enrolment(user, certificate.enrolment)


@rule("edit", LanguageCertificate)
def edit_language_certificate(user, certificate: LanguageCertificate) -> bool:
    return certificate.enrolment.user_id == user.id
