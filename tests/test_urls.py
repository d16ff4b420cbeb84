"""Canonical URLs: the forms of one link that newsarc treats as the same story."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import newsarc.urls as urls
from newsarc.urls import canonical_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.ft.com/content/c735", "ft.com/content/c735"),
        ("https://amp.ft.com/content/c735", "ft.com/content/c735"),
        ("https://amp-ft-com.cdn.ampproject.org/c/s/amp.ft.com/content/c735", "ft.com/content/c735"),
        ("https://techcrunch.com/2021/11/23/sensetime-ipo/amp/", "techcrunch.com/2021/11/23/sensetime-ipo"),
        ("https://www.wsj.com/amp/articles/x-1163", "wsj.com/articles/x-1163"),
        ("HTTP://WWW.Example.COM/Path/?utm_source=x&id=3#top", "example.com/Path?id=3"),
        ("https://example.com:8080/a/", "example.com:8080/a"),
        ("//example.com/a", "example.com/a"),
        ("/assets/images/a.jpg", "/assets/images/a.jpg"),
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("http://a:b/", "http://a:b/"),
        ("", None),
    ],
)
def test_canonical_forms(url: str, expected: str | None) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "parameter", ["mid", "ocid", "fbclid", "gclid", "mc_cid", "mc_eid", "ref", "cmpid", "MID"])
def test_tracking_parameters_are_folded_and_others_kept(parameter: str) -> None:
    story = "https://www.dailymail.co.uk/news/article-9920349/Breach.html"
    canonical = "dailymail.co.uk/news/article-9920349/Breach.html"
    assert canonical_url(f"{story}?{parameter}=1") == canonical_url(story) == canonical
    assert canonical_url(f"{story}?id=7&{parameter}=1") == canonical + "?id=7"


_URL_PARTS = st.builds(
    lambda scheme, prefix, host, path, slash: f"{scheme}://{prefix}{host}{path}{slash}",
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from(["", "www.", "amp.", "m.", "WWW."]),
    st.from_regex(r"[a-zA-Z0-9-]{1,8}(\.[a-zA-Z0-9-]{1,8}){0,2}\.(com|org|co\.uk)", fullmatch=True),
    st.lists(st.from_regex(r"[a-zA-Z0-9_%.~-]{0,8}", fullmatch=True), max_size=4).map(
        lambda parts: "".join("/" + part for part in parts)),
    st.sampled_from(["", "/", "//"]),
)


@given(_URL_PARTS)
def test_the_fast_path_agrees_with_full_parsing(url: str) -> None:
    fast = canonical_url(url)
    original = urls._PLAIN_URL
    try:
        urls._PLAIN_URL = re.compile(r"(?!)")  # never matches: every link takes the full route
        slow = canonical_url(url)
    finally:
        urls._PLAIN_URL = original
    assert fast == slow
