"""The framework's text in the six languages (django-modeltranslation): each field below gets a
column per language (short_title_fr, text_ar…), and reading `indicator.short_title` gives the
active language's text, or the English one where that language has none (docs/formats.md)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Criterion, Dimension, EvidenceCategory, Indicator, LevelRule


@register(Dimension)
class DimensionTranslation(TranslationOptions):
    fields = ("title",)


@register(EvidenceCategory)
class EvidenceCategoryTranslation(TranslationOptions):
    fields = ("label",)  # not `name`: the English name stays the key whatever the language


@register(Indicator)
class IndicatorTranslation(TranslationOptions):
    fields = ("short_title", "statement", "mov_hint", "numeric_label")


@register(Criterion)
class CriterionTranslation(TranslationOptions):
    fields = ("text",)


@register(LevelRule)
class LevelRuleTranslation(TranslationOptions):
    fields = ("text",)
