"""Formatting helpers for Benchwatch's templates; no queries and no decisions here."""

from django import template

register = template.Library()


@register.filter
def pressed(current: str | None, value: str) -> str:
    """Return "true" or "false" for aria-pressed: is value the fan's current choice?"""
    return "true" if current == value else "false"


@register.filter
def percent(value: int | float | None) -> str:
    """Return value clamped to 0-100 as a CSS percentage, never with a decimal comma."""
    try:
        number = float(value or 0)
    except (TypeError, ValueError):
        number = 0.0
    return f"{max(0.0, min(100.0, number)):.0f}%"
