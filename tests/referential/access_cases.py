"""Access-matrix rows of a feature (see tests/test_access_matrix.py, which loads this module and gives
it Case, everyone, only, LOGIN, UNAUTH, SIGNED_IN and ENROLMENT_VIEWERS)."""

CASES: dict = {}
