"""Canonical URLs: one spelling for the many links to the same story."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

_AMP_CACHE_PATH = re.compile(r"^/[a-z]/s/(.+)$")  # cdn.ampproject.org/c/s/host/path
# Parameters that say where a reader came from, not which story: Daily Mail's `mid`, MSN's `ocid`,
# ad and newsletter click ids, `ref` and `cmpid` campaign tags.
_TRACKING_PARAMETERS = re.compile(
    r"^(utm_.*|fbclid|gclid|mc_cid|mc_eid|ocid|mid|ref|cmpid|amp)$", re.IGNORECASE)
_AMP_PATH = re.compile(r"/amp(?=/|$)")
_HOST_PREFIXES = ("www.", "amp.", "m.")
# Most links need no parsing: a lower-case host and a path, no query, port or AMP form.
_PLAIN_URL = re.compile(r"https?://([a-z0-9.-]+)(/[^?#\s]*)?\Z")


def canonical_url(url: str | None) -> str | None:
    """`host/path?query` with the scheme, `www.`/`amp.` prefixes, AMP paths, tracking
    parameters, fragments and trailing slashes removed; host lower-cased.

    Two links to the same story (the web page and its AMP or CDN copy) get the same
    canonical form, which is what duplicate detection and related-item links use.
    """
    if not url or not isinstance(url, str):
        return None
    text = url.strip()
    plain = _PLAIN_URL.match(text)
    if plain is not None:  # the common case, answered without urlsplit (which would agree)
        host, path = plain.group(1), plain.group(2) or ""
        if host.endswith(".cdn.ampproject.org"):
            match = _AMP_CACHE_PATH.match(path)
            if match:
                return canonical_url("https://" + match.group(1))
        return _without_prefix(host) + _without_amp(path)
    if "://" not in text:
        if text.startswith("//"):
            text = "https:" + text
        elif text.startswith("/"):
            return text.rstrip("/") or "/"
        else:
            text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:  # an unparseable host or port: the link as written is the best key
        return url.strip()
    path = parts.path
    if host.endswith(".cdn.ampproject.org"):
        match = _AMP_CACHE_PATH.match(path)
        if match:
            return canonical_url("https://" + match.group(1) + (f"?{parts.query}" if parts.query else ""))
    host = _without_prefix(host)
    path = _without_amp(path)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING_PARAMETERS.match(key)]
    port_text = f":{port}" if port not in (None, 80, 443) else ""
    canonical = f"{host}{port_text}{path}"
    if query:
        canonical += "?" + urlencode(query)
    return canonical


def _without_amp(path: str) -> str:
    """A path without its AMP form (`/amp/` or `.amp`) and its trailing slashes."""
    if "/amp" in path:
        path = _AMP_PATH.sub("", path, count=1)
    if path.endswith(".amp"):
        path = path[: -len(".amp")]
    return path.rstrip("/")


def _without_prefix(host: str) -> str:
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            return host[len(prefix) :]
    return host
