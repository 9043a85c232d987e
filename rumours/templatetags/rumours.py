"""Formatting helpers for Benchwatch's templates; no queries and no decisions here."""

from django import template

register = template.Library()


@register.filter
def pressed(current: str | None, value: str) -> str:
    """Return "true" or "false" for aria-pressed: is value the fan's current choice?"""
    return "true" if current == value else "false"


@register.filter
def bar_step(value: int | float | None) -> int:
    """Return value clamped to 0-100 and rounded to the nearest 5, for a bar-fill-N class.

    The bar's width comes from one CSS class per step, not an inline style,
    which the Content-Security-Policy forbids.
    """
    try:
        number = float(value or 0)
    except (TypeError, ValueError):
        number = 0.0
    return int(max(0.0, min(100.0, number)) / 5 + 0.5) * 5
