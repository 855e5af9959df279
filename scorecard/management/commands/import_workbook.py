from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils import translation

from scorecard import workbook_import
from scorecard.permissions import get_assessment_for_user
from scorecard.workbook import MAX_BYTES, WorkbookRefused


def _short(text: str, width: int = 100) -> str:
    line = " ⏎ ".join(text.splitlines())
    return line if len(line) <= width else line[: width - 1] + "…"


class Command(BaseCommand):
    help = (
        "Check an assessment workbook filled in offline, print every change it makes, and apply "
        "them in one transaction as USERNAME (with that user's permissions). Conflicts (work saved "
        "on the platform since the download) are left as they are unless named with "
        "--use-workbook."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The .xlsx workbook.")
        parser.add_argument("--user", required=True, help="Whose changes these are (username).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and print the changes; save nothing."
        )
        parser.add_argument(
            "--use-workbook",
            action="append",
            default=[],
            metavar="KEY",
            help='A conflict to apply all the same: "pi:2.2", "ap:17", "process" or "iat".',
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="The language of the messages.",
        )

    def handle(
        self,
        *args: object,
        path: Path,
        user: str,
        dry_run: bool,
        use_workbook: list[str],
        language: str,
        **options: object,
    ) -> None:
        person = User.objects.filter(username=user).first()
        if person is None:
            raise CommandError(f"No user {user!r}.")
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"{path} is larger than {MAX_BYTES // (1024 * 1024)} MB.")
        data = path.read_bytes()
        with translation.override(language):
            try:
                assessment = get_assessment_for_user(
                    person, pk=workbook_import.workbook_assessment_id(data), write=True
                )
                if dry_run:
                    plan = workbook_import.plan_upload(
                        assessment=assessment, data=data, use_workbook=use_workbook
                    )
                else:
                    plan = workbook_import.apply_upload(
                        assessment=assessment, by=person, data=data, use_workbook=use_workbook
                    )
            except WorkbookRefused as refused:
                raise CommandError("\n".join(["Nothing was saved.", *refused.messages])) from None
            except Http404:
                raise CommandError(f"{user} cannot see the workbook's assessment.") from None
            except PermissionDenied:
                raise CommandError(f"{user} may not change the workbook's assessment.") from None
            self._report(plan, dry_run=dry_run)

    def _report(self, plan: workbook_import.ImportPlan, *, dry_run: bool) -> None:
        assessment = plan.assessment
        self.stdout.write(f"{assessment.country_team.code} {assessment.year}")
        if not plan.has_changes:
            self.stdout.write("No changes: the workbook matches the assessment.")
        for item in plan.items:
            flags = []
            if item.new:
                flags.append("new")
            if item.conflict:
                flags.append(
                    "conflict, workbook's version chosen"
                    if item.chosen
                    else f"conflict, left as it is (--use-workbook {item.key} to apply it)"
                )
            if item.becomes_reassessed:
                flags.append("becomes reassessed this year")
            suffix = f" [{'; '.join(flags)}]" if flags else ""
            self.stdout.write(f"{item.label} ({item.key}){suffix}")
            for change in item.changes:
                self.stdout.write(
                    f"  {change.label}: {_short(change.before)} → {_short(change.after)}"
                )
        for note in plan.notes:
            self.stdout.write(f"Note: {note}")
        applied = len(plan.applied_items)
        left = len(plan.items) - applied
        if dry_run:
            self.stdout.write(f"Dry run: nothing was saved ({applied} changes would be).")
        elif plan.has_changes:
            self.stdout.write(
                self.style.SUCCESS(f"Saved {applied} changes; {left} conflicts left as they are.")
            )
