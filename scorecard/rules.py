"""The suggested rating: a pure function of a PI's rules, the ticked criteria and the number.

No database here. Rules come either from the ORM (selectors.indicator_rules) or straight from a
framework document (rules_from_document), so the same code serves the PI page, imports and tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .models import Rating

LEVELS_TOP_DOWN = (Rating.EXCEEDS, Rating.MEETS, Rating.APPROACHES)


@dataclass(frozen=True)
class Band:
    min: Decimal | None = None
    max: Decimal | None = None
    min_inclusive: bool = True
    max_inclusive: bool = True

    def contains(self, value: Decimal | None) -> bool:
        if value is None:
            return False
        above_min = (
            self.min is None or value > self.min or (value == self.min and self.min_inclusive)
        )
        below_max = (
            self.max is None or value < self.max or (value == self.max and self.max_inclusive)
        )
        return above_min and below_max


@dataclass(frozen=True)
class CriterionRule:
    code: str
    kind: str = "check"  # "check" or "band"
    band: Band | None = None


@dataclass(frozen=True)
class LevelRuleSpec:
    kind: str  # "all", "at_least_n", "band", "meets_plus"
    criteria: tuple[str, ...] = ()
    n: int | None = None
    band: Band | None = None


@dataclass(frozen=True)
class IndicatorRules:
    code: str
    criteria: Mapping[str, CriterionRule] = field(default_factory=dict)
    levels: Mapping[str, LevelRuleSpec] = field(default_factory=dict)


def criteria_satisfied(
    rules: IndicatorRules, ticked: Iterable[str], numeric_value: Decimal | None
) -> set[str]:
    """The criteria that hold: ticked check criteria plus band criteria the number falls in."""
    ticked = set(ticked)
    held = set()
    for code, criterion in rules.criteria.items():
        if criterion.kind == "band":
            if criterion.band is not None and criterion.band.contains(numeric_value):
                held.add(code)
        elif code in ticked:
            held.add(code)
    return held


def _level_holds(
    rules: IndicatorRules, level: str, held: set[str], numeric_value: Decimal | None
) -> bool:
    spec = rules.levels.get(level)
    if spec is None:
        return False
    if spec.kind == "all":
        return bool(spec.criteria) and all(c in held for c in spec.criteria)
    if spec.kind == "at_least_n":
        return sum(c in held for c in spec.criteria) >= (spec.n or len(spec.criteria))
    if spec.kind == "band":
        return spec.band is not None and spec.band.contains(numeric_value)
    if spec.kind == "meets_plus":
        return _level_holds(rules, Rating.MEETS, held, numeric_value) and all(
            c in held for c in spec.criteria
        )
    raise ValueError(f"Unknown rule kind {spec.kind!r} for PI {rules.code} {level}")


def suggest_rating(
    rules: IndicatorRules, ticked: Iterable[str], numeric_value: Decimal | None = None
) -> Rating:
    """The highest level whose rule holds, from Exceeds down; Missing when none does."""
    held = criteria_satisfied(rules, ticked, numeric_value)
    for level in LEVELS_TOP_DOWN:
        if _level_holds(rules, level, held, numeric_value):
            return level
    return Rating.MISSING


def _decimal(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def band_from(data: Mapping[str, Any]) -> Band:
    return Band(
        min=_decimal(data.get("min")),
        max=_decimal(data.get("max")),
        min_inclusive=data.get("min_inclusive", True),
        max_inclusive=data.get("max_inclusive", True),
    )


def indicator_rules_from_document(indicator: Mapping[str, Any]) -> IndicatorRules:
    """Rules of one PI from its entry in a framework document (docs/formats.md)."""
    criteria = {
        c["code"]: CriterionRule(
            code=c["code"],
            kind=c.get("kind", "check"),
            band=band_from(c) if c.get("kind") == "band" else None,
        )
        for c in indicator.get("criteria", [])
    }
    levels = {
        level: LevelRuleSpec(
            kind=spec["rule"],
            criteria=tuple(spec.get("criteria", ())),
            n=spec.get("n"),
            band=band_from(spec) if spec["rule"] == "band" else None,
        )
        for level, spec in indicator.get("levels", {}).items()
    }
    return IndicatorRules(code=indicator["code"], criteria=criteria, levels=levels)


def rules_from_document(document: Mapping[str, Any]) -> dict[str, IndicatorRules]:
    """PI code → rules, for every PI of a framework document."""
    return {
        indicator["code"]: indicator_rules_from_document(indicator)
        for dimension in document["dimensions"]
        for indicator in dimension["indicators"]
    }
