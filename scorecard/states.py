"""Which assessment states allow what: read by permissions, selectors, the workflow and the
dashboards alike, so none of them has to import another for its lists."""

from __future__ import annotations

from .models import Assessment

Status = Assessment.Status
# The team holds the assessment: ratings, findings, evidence and the action plan can change.
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
# Reviewers see work while it is with UN Women or decided by them (submitted, in review,
# returned, approved); drafts and work awaiting the UNCT's endorsement stay the team's.
REVIEWER_VISIBLE = frozenset({Status.SUBMITTED, Status.IN_REVIEW, Status.RETURNED, Status.APPROVED})
