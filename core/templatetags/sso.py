"""{% sso_login as sso %}: single sign-on for the log-in page, when it is configured."""

from django import template

from core import oidc

register = template.Library()


@register.simple_tag
def sso_login() -> dict[str, str] | None:
    """None when single sign-on is off; else the provider's name (empty for the generic
    wording of the button)."""
    if not oidc.enabled():
        return None
    return {"provider": oidc.provider_name()}
