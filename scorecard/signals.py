"""What the scorecard announces to the apps that build on it (they import scorecard; scorecard
imports none of them).

`assessment_transitioned` is sent by the workflow inside its transaction, after the state has
changed, with `assessment`, `action` (a key of workflow.TRANSITIONS) and `by` (the user). A
receiver that raises rolls the transition back. The reports app freezes the "as submitted" and
"as approved" PDFs when it hears one (reports/receivers.py).
"""

from django.dispatch import Signal

assessment_transitioned = Signal()
