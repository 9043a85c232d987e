"""Text → links: which coaches and clubs an article names and what it says about them.

The public interface is analyse_article() / find_links() and the Link and
Analysis they return (see links.py). They are imported lazily: models.py
imports normalize.fold from this package, so importing links.py (which
needs the models) here eagerly would be a circular import.
"""

from typing import TYPE_CHECKING

__all__ = ["Analysis", "Link", "analyse_article", "find_links"]

if TYPE_CHECKING:  # pragma: no cover
    from .links import Analysis, Link, analyse_article, find_links


def __getattr__(name: str):
    if name in __all__:
        from . import links

        return getattr(links, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
