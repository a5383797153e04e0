"""Who may answer a graduate's follow-up survey and manage their verifiable credentials.

The candidate answers their own survey and has their own credentials issued and downloaded; admins
(staff) record surveys for graduates and may issue a credential on a candidate's behalf. Whoever else
sees the enrolment (an assessor, a jury member of a session that examines it) is refused (403); everyone
else is answered 404. The statistics pages are for admins only (a role check in the views). Verifying a
credential is public.
"""
from __future__ import annotations

from ..enrolments.models import Enrolment
from ..policy import rule


@rule("answer_survey", Enrolment)
def answer_survey(user, enrolment: Enrolment) -> bool:
    return enrolment.user_id == user.id


@rule("manage_credentials", Enrolment)
def manage_credentials(user, enrolment: Enrolment) -> bool:
    return enrolment.user_id == user.id
