"""API shapes of the Knowledge Hub. Output serializers only read; input serializers only parse
(types, lengths, choices): the rules and their messages are the services' (hub/services.py), as
on the pages.

What an item shows of its team follows the page: an item published anonymously has no team, no
region and no ratings for anyone outside it (`Practice.shown_team`). Its team's members, the
UN Women reviewers of its region and administrators ("insiders", `context["insider"]`, a
predicate of the user and the item) see the team, the ratings and the history.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import ProhibitSurrogateCharactersValidator

from core.limits import field_limit
from core.models import CountryTeam, Region
from scorecard.models import Indicator, Rating

from .models import Practice, PracticeEvent, PracticeLink

# The largest id a bigint primary key holds (as scorecard.api.MAX_ID): SQLite cannot even bind a
# larger number to a query.
MAX_ID = 2**63 - 1
# Enough for every PI of a framework, few enough that one query resolves them.
MAX_INDICATORS = 50
MAX_LINKS = 20
YEAR_MIN, YEAR_MAX = 1990, 2100


# Named schema components: "status", "kind" and "action" are also the names of other choice sets
# in the API.
@extend_schema_field(
    serializers.ChoiceField(choices=Practice.Status.choices), component_name="PracticeStatusEnum"
)
class PracticeStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Practice.Status.choices, **kwargs)


@extend_schema_field(
    serializers.ChoiceField(choices=Practice.Kind.choices), component_name="PracticeKindEnum"
)
class PracticeKindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Practice.Kind.choices, **kwargs)


@extend_schema_field(
    serializers.ChoiceField(choices=PracticeEvent.Action.choices),
    component_name="PracticeEventActionEnum",
)
class PracticeActionField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=PracticeEvent.Action.choices, **kwargs)


@extend_schema_field(
    serializers.ChoiceField(choices=settings.LANGUAGES), component_name="PracticeLanguageEnum"
)
class LanguageField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=settings.LANGUAGES, **kwargs)


def _insider(serializer: serializers.Serializer, practice: Practice) -> bool:
    """Whether the reader sees the item as its team does (team, ratings, history); the view
    puts the predicate in the context, and a serializer without one shows the public item."""
    check: Callable[[Practice], bool] | None = serializer.context.get("insider")
    return check is not None and check(practice)


def file_url(practice_id: int, file_id: int) -> str | None:
    """The page's download of the hub's copy (its gate is the item's), once the pages exist."""
    try:
        return reverse("hub:file", args=[practice_id, file_id])
    except NoReverseMatch:
        return None


class TeamSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code")

    class Meta:
        model = CountryTeam
        fields = ["code", "name", "region"]


class PracticeIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    rating = serializers.ChoiceField(
        choices=Rating.choices,
        allow_null=True,
        help_text=_(
            "The team's rating of the PI when the item was proposed; null when it had none or "
            "the item is published without the team's name."
        ),
    )


class PracticeFileSerializer(serializers.Serializer):
    name = serializers.CharField()
    size = serializers.IntegerField(help_text=_("In bytes."))
    content_type = serializers.CharField()
    url = serializers.CharField(
        allow_null=True, help_text=_("The download (a page of the site, with the same gate).")
    )


class LinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = PracticeLink
        fields = ["url", "title"]


class PracticeEventSerializer(serializers.ModelSerializer):
    action = PracticeActionField()
    from_status = serializers.SerializerMethodField()
    to_status = PracticeStatusField()

    class Meta:
        model = PracticeEvent
        fields = ["action", "from_status", "to_status", "by_name", "at", "reason"]

    @extend_schema_field(serializers.ChoiceField(choices=Practice.Status.choices, allow_null=True))
    def get_from_status(self, obj: PracticeEvent) -> str | None:
        return obj.from_status or None


class PracticeSerializer(serializers.ModelSerializer):
    """An item of the hub, as the reader may see it."""

    kind = PracticeKindField()
    status = PracticeStatusField()
    language = LanguageField()
    indicators = serializers.SerializerMethodField()
    dimension = serializers.IntegerField(
        source="dimension.number",
        default=None,
        allow_null=True,
        help_text=_("The dimension's number in its framework."),
    )
    team = serializers.SerializerMethodField(
        help_text=_("Null when the item is published without the team's name.")
    )
    files = serializers.SerializerMethodField()
    links = LinkSerializer(many=True, read_only=True)

    class Meta:
        model = Practice
        fields = [
            "id",
            "kind",
            "status",
            "title",
            "summary",
            "what_done",
            "result",
            "language",
            "year",
            "indicators",
            "dimension",
            "team",
            "anonymous",
            "featured",
            "published_at",
            "files",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(PracticeIndicatorSerializer(many=True))
    def get_indicators(self, obj: Practice) -> list[dict[str, Any]]:
        ratings = not obj.anonymous or _insider(self, obj)
        # .all(): the selectors' prefetch, already in PI order.
        return [
            {"code": link.indicator.code, "rating": (link.rating or None) if ratings else None}
            for link in obj.indicator_links.all()
        ]

    @extend_schema_field(TeamSerializer(allow_null=True))
    def get_team(self, obj: Practice) -> dict[str, Any] | None:
        team = obj.country_team if _insider(self, obj) else obj.shown_team
        return TeamSerializer(team).data if team is not None else None

    @extend_schema_field(PracticeFileSerializer(many=True))
    def get_files(self, obj: Practice) -> list[dict[str, Any]]:
        return [
            {
                "name": copy.original_name,
                "size": copy.size,
                "content_type": copy.content_type,
                "url": file_url(obj.pk, copy.pk),
            }
            for copy in obj.files.all()
        ]


class HighlightSerializer(serializers.Serializer):
    title = serializers.CharField(help_text=_("HTML: the text escaped, the matches in <mark>."))
    summary = serializers.CharField(help_text=_("HTML: the text escaped, the matches in <mark>."))


class PracticeResultSerializer(PracticeSerializer):
    """A search result: the item and, for a query, its title and summary highlighted."""

    highlight = serializers.SerializerMethodField(help_text=_("Null when there is no query."))

    class Meta(PracticeSerializer.Meta):
        fields = [*PracticeSerializer.Meta.fields, "highlight"]
        read_only_fields = fields

    @extend_schema_field(HighlightSerializer(allow_null=True))
    def get_highlight(self, obj: Practice) -> dict[str, str] | None:
        marked = self.context.get("highlights", {}).get(obj.pk)
        return {"title": marked[0], "summary": marked[1]} if marked else None


class TeamPracticeSerializer(PracticeSerializer):
    """An item on its way: in the team's own list and the reviewers' queue."""

    class Meta(PracticeSerializer.Meta):
        fields = [*PracticeSerializer.Meta.fields, "created_at", "agreed_at"]
        read_only_fields = fields


class PracticeDetailSerializer(TeamPracticeSerializer):
    """One item, with its history for its team, the reviewers of its region and administrators."""

    history = serializers.SerializerMethodField(
        help_text=_(
            "Every step; null unless you are of its team, a reviewer of its region or an "
            "administrator."
        )
    )

    class Meta(TeamPracticeSerializer.Meta):
        fields = [*TeamPracticeSerializer.Meta.fields, "history"]
        read_only_fields = fields

    @extend_schema_field(PracticeEventSerializer(many=True, allow_null=True))
    def get_history(self, obj: Practice) -> list[dict[str, Any]] | None:
        if not _insider(self, obj):
            return None
        return PracticeEventSerializer(obj.events.all(), many=True).data


# --- Input ---------------------------------------------------------------------------------


class QueryTextField(serializers.CharField):
    """Any text is a query: control characters (NUL included) are the search's to drop
    (hub.search.query_text), not a 400."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(
                validator, ProhibitNullCharactersValidator | ProhibitSurrogateCharactersValidator
            )
        ]


class SearchQuerySerializer(serializers.Serializer):
    """The query string of the hub's list: the search and the filters of the Hub page."""

    q = QueryTextField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text=_(
            "Words to find in titles, summaries and the text of the files, in any of the six "
            "languages; quotes, OR and a minus sign work as in a web search."
        ),
    )
    indicator = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20,
        help_text=_("A PI: its code in the current framework (e.g. 2.2), or its id."),
    )
    dimension = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        max_value=32767,
        help_text=_("A dimension's number in the current framework."),
    )
    region = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=field_limit(Region, "code"),
        help_text=_("A region: its code, or its id."),
    )
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The language the items are written in."),
    )
    year = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=32767
    )
    rating = serializers.ChoiceField(
        choices=Rating.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The team's rating of the PI (of `indicator` if given, else of any PI)."),
    )


class TeamScopeSerializer(serializers.Serializer):
    status = PracticeStatusField(
        required=False, allow_blank=True, default="", help_text=_("Only the items at this step.")
    )


class LinkInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=field_limit(PracticeLink, "url"))
    title = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=field_limit(PracticeLink, "title"),
    )


def _text(name: str, *, required: bool = True) -> serializers.CharField:
    limit = field_limit(Practice, name)
    if required:
        return serializers.CharField(max_length=limit)
    return serializers.CharField(required=False, allow_blank=True, default="", max_length=limit)


class PracticeInputSerializer(serializers.Serializer):
    """A good practice, as the page's form has it. Files are added on the page, not here."""

    country_team = serializers.CharField(
        max_length=field_limit(CountryTeam, "code"),
        help_text=_("Your country team's ISO code, e.g. KAZ."),
    )
    title = _text("title")
    summary = _text("summary")
    what_done = _text("what_done", required=False)
    result = _text("result", required=False)
    indicators = serializers.ListField(
        child=serializers.CharField(max_length=field_limit(Indicator, "code")),
        required=False,
        default=list,
        max_length=MAX_INDICATORS,
        help_text=_(
            "The codes of the PIs it serves (e.g. 2.2), in the framework of the team's latest "
            "assessment."
        ),
    )
    dimension = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        max_value=32767,
        help_text=_(
            "The number of the dimension it serves, in the framework of the team's latest "
            "assessment."
        ),
    )
    year = serializers.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX)
    language = LanguageField(help_text=_("The language the item is written in."))
    anonymous = serializers.BooleanField(
        required=False, default=False, help_text=_("Publish without the team's name.")
    )
    links = serializers.ListField(
        child=LinkInputSerializer(), required=False, default=list, max_length=MAX_LINKS
    )


class EvidenceProposalSerializer(serializers.Serializer):
    evidence = serializers.IntegerField(
        min_value=0, max_value=MAX_ID, help_text=_("The id of one of your team's evidence items.")
    )
    summary = _text("summary")
    language = LanguageField(help_text=_("The language the item is written in."))
    title = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=field_limit(Practice, "title"),
        help_text=_("Empty: the evidence's own title."),
    )
    anonymous = serializers.BooleanField(
        required=False, default=False, help_text=_("Publish without the team's name.")
    )


class StepReasonSerializer(serializers.Serializer):
    """Why: required to refuse, optional to withdraw or retire."""

    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=field_limit(PracticeEvent, "reason"),
    )
