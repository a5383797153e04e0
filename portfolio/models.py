"""Every model, imported in one place so that Alembic and the app see the whole schema."""
from .accounts.models import ApiToken, LoginAttempt, User, UserRole  # noqa: F401
from .audit.models import AuditEntry  # noqa: F401
from .enrolments.models import Assignment, Cohort, Enrolment  # noqa: F401
from .referential.models import Bloc, Certification, CertificationRoute, Competence  # noqa: F401
