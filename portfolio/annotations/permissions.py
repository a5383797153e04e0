"""Who may annotate a deliverable, and who sees, edits and deletes an annotation.

Whoever may see the deliverable may open its files' annotations, and sees those ``services.is_visible``
allows. Only an assessor assigned to the enrolment annotates (not the candidate, not an admin who is
not their assessor); only the author edits or deletes an annotation.
"""
from __future__ import annotations

from ..enrolments.permissions import is_assigned
from ..evidence.models import Deliverable
from ..policy import can, rule
from .models import Annotation


@rule("annotate", Deliverable, admin_bypass=False)
def annotate_deliverable(user, deliverable: Deliverable) -> bool:
    return deliverable.enrolment.user_id != user.id and is_assigned(user, deliverable.enrolment)


@rule("view", Annotation)
def view_annotation(user, annotation: Annotation) -> bool:
    from .services import annotation_visible_to

    return can(user, "view", annotation.deliverable) and annotation_visible_to(user, annotation)


@rule("edit", Annotation, admin_bypass=False)
def edit_annotation(user, annotation: Annotation) -> bool:
    return annotation.author_id == user.id and can(user, "annotate", annotation.deliverable)
