"""Forms for accounts: the password reset request, an invitation, accepting one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Membership


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form (no mail for an unknown, inactive or password-less account, and the same
    answer either way), with its mail sent like every other: after the commit by the mail task,
    in the user's own language, its link on SITE_URL (services.send_password_reset)."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        services.send_password_reset(
            user=context["user"], uidb64=context["uid"], token=context["token"]
        )


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(label=_("Role"))
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=settings.LANGUAGES,
        help_text=_("The e-mail is written in it, and the new account starts in it."),
    )

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Membership.Role(r).label) for r in roles]


class AcceptInvitationForm(auth_forms.UserCreationForm):
    """The invited person's account: a username, their name and a password (the password
    validators apply, compared with their name and the invitation's e-mail too)."""

    class Meta(auth_forms.UserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name")

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.email = email
        self.fields["first_name"].required = True
