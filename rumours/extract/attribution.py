"""Who an article says broke the story, and which known outlet or reporter that is.

Transfer news travels: an aggregator's piece "secondo quanto riportato da
Sky Sport" is Sky's claim, not the aggregator's, and reliability scoring
must know the difference. Credits are found with each language's phrases
("come rivela Di Marzio", "according to The Athletic", "via Fabrizio
Romano", "según Marca", "Dutch outlet De Telegraaf reports") followed or
preceded by a capitalised name.

Matching a credited name to a Source is read-only (analysis never writes);
credited_source_for() is what the ingestion pipeline calls when it stores
evidence, and it creates a Source(kind="none") for an outlet or journalist
seen for the first time, so their track record starts with this claim.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import lru_cache

from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils.text import slugify

from ..models import Source
from .document import Document
from .normalize import fold, fold_word

SOURCE_CACHE_SECONDS = 60.0
# Words that join the parts of an outlet's name ("Gazzetta dello Sport").
_CONNECTORS = frozenset(
    "di dello della del de da do dos das of the y and & la le du des van der".split()
)
_LEADING_ARTICLES = (
    "the ",
    "la ",
    "il ",
    "lo ",
    "l'",
    "el ",
    "los ",
    "las ",
    "le ",
    "les ",
    "o ",
    "a ",
    "der ",
    "die ",
    "das ",
)
_ARTICLES_BEFORE_NAMES = ("il ", "la ", "lo ", "i ", "the ", "el ", "los ", "las ", "o ", "a ")
_NAME_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿĀ-žŁłŚśŻżŹźĆćŃńŠšŽžČčŘřĐđ0-9][\w'’.&-]*")
# Words that make a credited name an outlet rather than a person.
_OUTLET_WORDS = frozenset(
    """
    sport sports sportiva sportivo news gazzetta gazette corriere tribune post times mail mirror
    express sun record mundo marca kicker bild equipe parisien journal zeitung herald guardian
    independent observer standard nazione repubblica stampa messaggero giornale secolo eco arena
    tuttosport tv radio football calcio futbol futebol athletic espn bbc sky rai mediaset dazn
    canal onda cadena cope ser relevo bola jogo telegraaf telegraph daily weekly press agency
    agenzia ansa reuters afp ap media network channel site website blog podcast mercato
    calciomercato transfermarkt diario diari vanguardia pais abc voz correio globo rmc foot
    magazine review online digital fm l'equipe ole clarin
    """.split()
)


@dataclass(frozen=True)
class Credit:
    """A name an article credits for its news, and the sentence that does."""

    name: str
    sentence: int


def _clean(name: str) -> str:
    return name.strip(" ,.;:'\"«»“”()[]")


def _read_name_forward(text: str, start: int) -> str:
    """Read a capitalised name starting at start, through connectors ("Gazzetta dello Sport")."""
    words: list[str] = []
    position = start
    while len(words) < 6:
        while position < len(text) and text[position] == " ":
            position += 1
        match = _NAME_WORD.match(text, position)
        if not match:
            break
        word = match.group(0)
        bare = word.rstrip(".,;:")
        if bare[:1].isupper() or bare[:2] in ("l'", "d'") and bare[2:3].isupper():
            words.append(bare)
        elif bare.lower() in _CONNECTORS and words:
            words.append(bare)
        else:
            break
        position = match.start() + len(bare)
        if bare != word or (position < len(text) and text[position] in ",;:.!?"):
            break
    while words and words[-1] in _CONNECTORS:
        words.pop()
    return " ".join(words)


def _read_name_backward(text: str, end: int) -> str:
    """Read a capitalised name ending at end ("De Telegraaf reports")."""
    words: list[str] = []
    position = end
    while len(words) < 5:
        while position > 0 and text[position - 1] == " ":
            position -= 1
        begin = position
        while (
            begin > 0 and not text[begin - 1].isspace() and text[begin - 1] not in ',;:.!?()«»"“”'
        ):
            begin -= 1
        word = text[begin:position]
        if not word:
            break
        if word[:1].isupper():
            words.insert(0, word)
        elif word.lower() in _CONNECTORS and words:
            words.insert(0, word)
        else:
            break
        position = begin
    while words and words[0] in _CONNECTORS:
        words.pop(0)  # Only lowercase joiners: "De Telegraaf" keeps its "De".
    return " ".join(words)


def find_credits(document: Document, excluded_spans: list[tuple[int, int]]) -> list[Credit]:
    """Return every credit the article gives, in text order.

    excluded_spans (spans of the text naming coaches or clubs) are not
    credits: "secondo Conte" is a coach's opinion, not a scoop.
    """
    text = document.text
    phrases = document.lexicon.phrases
    credits: list[Credit] = []

    def excluded(position: int) -> bool:
        return any(start <= position < end for start, end in excluded_spans)

    for match_start, match_end in _longest(document.hits(phrases, "credit_before")):
        position = document.original_span(match_start, match_end)[1]
        # Skip an article before the name ("come rivela la Gazzetta").
        segment = text[position : position + 8]
        following = segment.lstrip()
        for article in _ARTICLES_BEFORE_NAMES:
            # Only a lowercase article is not part of the name: "la Gazzetta",
            # but "The Athletic", "La Nación".
            if following.startswith(article):
                position += len(segment) - len(following) + len(article)
                break
        name = _clean(_read_name_forward(text, position))
        name_start = text.find(name, position) if name else -1
        if name and not excluded(name_start):
            credits.append(Credit(name, document.sentence_at(match_start)))
    for match_start, match_end in _longest(document.hits(phrases, "credit_after")):
        original_start = document.original_span(match_start, match_end)[0]
        name = _clean(_read_name_backward(text, original_start))
        if name and not excluded(text.rfind(name, 0, original_start)):
            credits.append(Credit(name, document.sentence_at(match_start)))
    credits.sort(key=lambda credit: credit.sentence)
    return [credit for credit in credits if _plausible(credit.name)]


def _longest(hits) -> list[tuple[int, int]]:
    """Spans of phrase hits, dropping those inside a longer one ("secondo" in
    "secondo quanto riportato da")."""
    spans = sorted(((start, end) for start, end, _ in hits), key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end))
    return kept


def _plausible(name: str) -> bool:
    words = name.split()
    return 0 < len(words) <= 6 and len(name) >= 2 and not name.isdigit()


def looks_like_person(name: str) -> bool:
    """Guess whether a credited name is a journalist rather than an outlet."""
    words = _clean(name).split()
    if not 2 <= len(words) <= 4:
        return False
    folded = [fold(word) for word in words]
    if any(word in _OUTLET_WORDS for word in folded):
        return False
    if folded[0] in ("the", "la", "il", "el", "le", "l'"):
        return False
    capitalised = [word for word in words if word[:1].isupper()]
    return len(capitalised) >= 2 and not any(word.isupper() and len(word) > 1 for word in words)


# ---------------------------------------------------------------- sources

_cache: dict[str, object] = {"sources": None, "loaded_at": 0.0}
# Sources credited_source_for created in a transaction not yet committed:
# if it rolls back, the cache must not hand them out (see match_credited_source).
_unconfirmed: set[int] = set()


def _sources() -> list[tuple[Source, set[str]]]:
    """Known sources with the folded keys they can be named by (cached for a minute)."""
    now = time.monotonic()
    if _cache["sources"] is None or now - _cache["loaded_at"] > SOURCE_CACHE_SECONDS:
        entries = []
        for source in Source.objects.all():
            keys = {_strip_article(fold(source.name)), fold(source.slug.replace("-", " "))}
            if source.domain:
                domain = fold(source.domain)
                keys.update({domain, domain.split(".")[0]})
            entries.append((source, {key for key in keys if key}))
        _cache["sources"] = entries
        _cache["loaded_at"] = now
    return _cache["sources"]  # type: ignore[return-value]


def forget_sources(**_signal) -> None:
    """Drop the cached list (after a Source is added, changed or deleted anywhere)."""
    _cache["sources"] = None


# A moderator's edit in the admin must not wait a minute to be seen.
post_save.connect(forget_sources, sender=Source, dispatch_uid="attribution-forget-on-save")
post_delete.connect(forget_sources, sender=Source, dispatch_uid="attribution-forget-on-delete")


def _strip_article(folded: str) -> str:
    for article in _LEADING_ARTICLES:
        if folded.startswith(article) and len(folded) > len(article) + 1:
            return folded[len(article) :]
    return folded


def match_credited_source(name: str) -> Source | None:
    """Return the known outlet or reporter a credited name refers to, if one fits (cached)."""
    entries = _sources()
    memo = _cache.setdefault("matches", {})
    if memo.get("for") is not entries:
        memo.clear()
        memo["for"] = entries
    key = fold_word(name or "")
    if key not in memo:
        memo[key] = _match_source(name, entries)
    source = memo[key]
    if source is not None and source.pk in _unconfirmed:
        # Created in a transaction that may have rolled back since: trust
        # only what the database still has. Other cached rows are committed.
        if not Source.objects.filter(pk=source.pk).exists():
            _unconfirmed.discard(source.pk)
            forget_sources()  # Stale: the next article reads the table afresh.
            return None
    return source


@lru_cache(maxsize=8192)
def _whole_words(text: str) -> re.Pattern:
    """A pattern finding text as whole words; compiled once per text.

    With a hundred outlets and more, their names' patterns overflow re's
    own small cache and were compiled again for every credited name.
    """
    return re.compile(rf"(?<!\w){re.escape(text)}(?!\w)")


def _match_source(name: str, entries) -> Source | None:
    """Return the known outlet or reporter a credited name refers to, if one fits.

    Exact matches on name, slug or domain come first ("Marca", "marca.com");
    then a unique source whose name contains the credited words or is
    contained in them ("Sky Sport" → Sky Sport Italia, "Di Marzio" →
    Gianluca Di Marzio).
    """
    query = _strip_article(fold(_clean(name or "")))
    if len(query) < 2:
        return None
    for source, keys in entries:
        if query in keys:
            return source
    if len(query) < 4:
        return None
    pattern = _whole_words(query)
    containing = [source for source, keys in entries if any(pattern.search(key) for key in keys)]
    if len(containing) == 1:
        return containing[0]
    contained = [
        source
        for source, keys in entries
        if any(len(key) >= 4 and _whole_words(key).search(query) for key in keys)
    ]
    if len(contained) == 1:
        return contained[0]
    return None


def credited_source_for(name: str) -> Source:
    """Return the Source for a credited name, creating one (kind "none") if it is new."""
    source = match_credited_source(name)
    if source is not None:
        return source
    clean = _clean(name)[:120] or "Unknown"
    base = slugify(clean)[:100] or "source"
    slug, suffix = base, 2
    while True:
        existing = Source.objects.filter(slug=slug).first()
        if existing is None:
            try:
                with transaction.atomic():
                    source = Source.objects.create(
                        name=clean,
                        slug=slug,
                        kind=Source.Kind.NONE,
                        tier=3,
                        is_person=looks_like_person(clean),
                    )
            except IntegrityError:
                continue  # Another worker took the slug a moment ago: look again.
            forget_sources()
            if connection.in_atomic_block:
                _unconfirmed.add(source.pk)
                transaction.on_commit(lambda pk=source.pk: _unconfirmed.discard(pk))
            return source
        if fold(existing.name) == fold(clean):
            return existing
        slug, suffix = f"{base}-{suffix}", suffix + 1
