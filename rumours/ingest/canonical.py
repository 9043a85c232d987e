"""One spelling per article address, so the same story is stored once.

Feeds and social shares point at one article through many URLs: tracking
parameters, fragments, ``:443`` ports, upper-case hosts, parameters in a
different order. Articles are upserted by URL, so every URL the pipeline
stores or compares goes through canonical_url() first.
"""

import re
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

# Parameters that identify a campaign, a click or a share, never the page.
# Lower-case; compared case-insensitively.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "igsh",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "hsctatracking",
        "mkt_tok",
        "spm",
        "scm",
        "cmpid",
        "ito",
        "icid",
        "ocid",
        "ncid",
        "s_cid",
        "xtor",
        "wt.mc_id",
        "wt_mc",
        "vero_id",
        "oly_anon_id",
        "oly_enc_id",
        "sr_share",
        "share_source",
        "rss_source",
        "__twitter_impression",
    }
)
# Whole families: utm_source, utm_medium…; Matomo's pk_*/mtm_*; comScore's ns_*.
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "ns_", "at_")

DEFAULT_PORTS = {"http": 80, "https": 443}

# Characters left unescaped when re-quoting: RFC 3986 unreserved and
# sub-delimiters, plus "%" so existing escapes survive.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = "%:@!$'()*,;/?-._~"
_PERCENT_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
# Browsers drop tabs and newlines anywhere in a URL (WHATWG URL standard).
_STRIPPED_CHARACTERS = str.maketrans("", "", "\t\n\r")


def canonical_url(url: str, base: str | None = None) -> str:
    """Return the one spelling of url under which the article is stored.

    Resolves url against base, lower-cases scheme and host, drops the
    fragment, the default port and tracking parameters, sorts the remaining
    query parameters by name and keeps the path's case. Never raises on a
    malformed URL: what can't be normalised is returned as found.
    """
    url = (url or "").translate(_STRIPPED_CHARACTERS).strip()
    if base:
        url = urljoin(base.translate(_STRIPPED_CHARACTERS).strip(), url)
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return url
    scheme = parts.scheme.lower()
    netloc = _normal_netloc(parts.netloc, scheme)
    path = _normal_path(parts.path, has_host=bool(netloc))
    query = _normal_query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def is_tracking_parameter(name: str) -> bool:
    """Tell whether a query parameter only tracks the visit."""
    name = name.strip().lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def _normal_netloc(netloc: str, scheme: str) -> str:
    userinfo, at, hostport = netloc.rpartition("@")
    host, port = hostport, ""
    # A port follows the last ":" unless that colon is inside an IPv6 literal.
    if ":" in hostport and not hostport.endswith("]"):
        host, _, port = hostport.rpartition(":")
    host = host.lower().rstrip(".")
    if port.isdigit():
        port = "" if int(port) == DEFAULT_PORTS.get(scheme) else str(int(port))
    return f"{userinfo}{at}{host}{':' + port if port else ''}"


def _normal_path(path: str, has_host: bool) -> str:
    if not path:
        return "/" if has_host else ""
    trailing_slash = path.endswith("/")
    # Resolve "." and ".." the way a browser would; normpath would also
    # collapse "//", which some CMSs give meaning to, so keep runs of "/".
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == ".":
            continue
        if segment == "..":
            if len(segments) > 1:
                segments.pop()
            continue
        segments.append(segment)
    path = "/".join(segments) or "/"
    if trailing_slash and not path.endswith("/"):
        path += "/"
    if has_host and not path.startswith("/"):
        path = "/" + path
    return _upper_escapes(quote(path, safe=_PATH_SAFE))


def _normal_query(query: str) -> str:
    pairs = []
    for item in query.split("&"):
        if not item:
            continue
        name, equals, value = item.partition("=")
        if is_tracking_parameter(unquote(name.replace("+", " "))):
            continue
        pairs.append((_requote(name), equals, _requote(value)))
    # Sort by name only: a stable sort keeps repeated names (a=2&a=1) in
    # their original order, which some sites rely on.
    pairs.sort(key=lambda pair: pair[0])
    return "&".join(f"{name}{equals}{value}" for name, equals, value in pairs)


def _requote(component: str) -> str:
    """Spell one query component consistently: "+" and "%20" both mean space."""
    return _upper_escapes(quote(unquote(component.replace("+", " ")), safe=_QUERY_SAFE))


def _upper_escapes(text: str) -> str:
    return _PERCENT_ESCAPE.sub(lambda match: match.group(0).upper(), text)
