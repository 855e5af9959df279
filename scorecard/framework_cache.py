"""The framework's texts and rules of one PI, kept in each process's memory.

Every PI page, save and suggestion needs the PI's criteria, level rules and evidence categories:
three queries that return the same rows until someone imports or edits the framework. They are
kept here per process, keyed by the framework's `imported_at`, which the signal handlers below
move forward on any change to a framework's dimensions, PIs, criteria, rules or categories (admin
edits included; `import_framework` saves the framework itself). A process that reads a newer
`imported_at` (it comes with the PI row's `select_related`) loads the PI again; old keys are
dropped then, so the memory stays one framework's worth.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import prefetch_related_objects
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from .models import Criterion, Dimension, EvidenceCategory, Framework, Indicator, LevelRule

PREFETCHED = ("criteria", "rules", "evidence_categories")
_cache: dict[tuple[int, datetime], dict[str, Any]] = {}


def attach_framework_rows(
    indicators: Indicator | Iterable[Indicator], framework: Framework
) -> None:
    """Give each PI its criteria, rules and categories as if prefetched, from the cache; the
    PIs not cached yet are loaded together (one query per relation)."""
    if isinstance(indicators, Indicator):
        indicators = [indicators]
    missing = []
    for indicator in indicators:
        prefetched = _cache.get((indicator.pk, framework.imported_at))
        if prefetched is None:
            missing.append(indicator)
        else:
            # A shallow copy: the querysets hold their fetched rows and are only read.
            indicator._prefetched_objects_cache = dict(prefetched)
    if not missing:
        return
    prefetch_related_objects(missing, *PREFETCHED)
    loaded = {indicator.pk for indicator in missing}
    for key in [k for k in _cache if k[0] in loaded]:
        del _cache[key]  # an older version of the framework
    for indicator in missing:
        _cache[(indicator.pk, framework.imported_at)] = dict(indicator._prefetched_objects_cache)


def clear() -> None:
    _cache.clear()


@receiver([post_save, post_delete], sender=Criterion)
@receiver([post_save, post_delete], sender=LevelRule)
@receiver([post_save, post_delete], sender=Indicator)
@receiver([post_save, post_delete], sender=Dimension)
@receiver([post_save, post_delete], sender=EvidenceCategory)
def _framework_changed(sender: type, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Criterion | LevelRule):
        framework_id = Indicator.objects.filter(pk=instance.indicator_id).values("framework_id")[:1]
    else:
        framework_id = instance.framework_id
    Framework.objects.filter(pk=framework_id).update(imported_at=timezone.now())
