"""Every model, imported in one place so that Alembic and the app see the whole schema."""
from .accommodations.models import Accommodation  # noqa: F401,E402
from .accounts.models import ApiToken, LoginAttempt, User, UserRole  # noqa: F401
from .annotations.models import Annotation  # noqa: F401,E402
from .assessments.models import Assessment, AssessmentCompetence  # noqa: F401,E402
from .audit.models import AuditEntry  # noqa: F401
from .enrolments.models import Assignment, Cohort, Enrolment  # noqa: F401
from .evidence.models import CompetenceTag, Deliverable, DeliverableVersion  # noqa: F401,E402
from .files.models import Attachment, Preview, StoredFile  # noqa: F401,E402
from .grading.models import AgreedGrade, Grade, Marking  # noqa: F401,E402
from .juries.models import (  # noqa: F401,E402
    BlocDecision,
    FollowUpSurvey,
    IssuedCredential,
    IssuedDocument,
    JuryCandidate,
    JuryConflict,
    JuryMember,
    JurySession,
)
from .records.models import Internship, LanguageCertificate  # noqa: F401,E402
from .referential.models import Bloc, Certification, CertificationRoute, Competence  # noqa: F401
from .vae.models import (  # noqa: F401,E402
    AdmissibilityDecision,
    Experience,
    ExperienceCompetence,
    ExperienceProof,
    SelfPositioning,
)
