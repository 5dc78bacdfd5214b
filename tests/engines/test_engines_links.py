"""Links that work under a sub-path: each engine's build, published below ``/some/prefix/``, has
no ``href`` or ``src`` on any page that leaves the prefix or does not answer 200.

Every HTML file of the build is fetched from the server (not only the pages links lead to),
every link resolved against the page's URL as a browser does, and each distinct target fetched.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from urllib.parse import quote, urldefrag, urljoin, urlsplit

import pytest

from cirtest.engines import PREFIX, EngineSite, pages_of
from cirtest.site import FOREIGN_SCHEMES, links_of

pytestmark = pytest.mark.slow

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _uri(url: str) -> str:
    """``url`` as a browser requests it: characters outside ASCII %-encoded (Chinese tag pages)."""
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")


def _get(url: str) -> str:
    with _OPENER.open(_uri(url), timeout=10) as answer:
        body: bytes = answer.read()
        return body.decode("utf-8")


def _status(url: str) -> int:
    try:
        with _OPENER.open(_uri(url), timeout=10) as answer:
            answer.read()
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _page_url(site: EngineSite, page: str) -> str:
    """The URL a page is read at: directory URLs for index.html."""
    return site.url + (page.removesuffix("index.html") if page.endswith("index.html") else page)


def test_no_link_leaves_the_prefix_or_breaks(served: EngineSite) -> None:
    """All links of all pages stay below the prefix (other hosts aside: the repository, the
    theme's home page) and answer 200."""
    origin = urlsplit(served.url)
    assert _status(f"{origin.scheme}://{origin.netloc}/index.html") == 404, "the server publishes more than the prefix"
    pages = sorted(pages_of(served.site))
    assert len(pages) > 100
    with ThreadPoolExecutor(max_workers=8) as pool:
        bodies = dict(zip(pages, pool.map(lambda p: _get(_page_url(served, p)), pages),
                          strict=True))
        leaving: dict[str, list[str]] = defaultdict(list)
        targets: dict[str, list[str]] = defaultdict(list)
        for page, body in bodies.items():
            for href in links_of(body):
                href = unescape(href).strip()
                if not href or href.startswith("#") or href.lower().startswith(FOREIGN_SCHEMES):
                    continue
                url = urldefrag(urljoin(_page_url(served, page), href)).url
                parts = urlsplit(url)
                if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
                    continue  # another host
                if not (parts.path + "/").startswith(PREFIX):
                    leaving[f"{href} -> {parts.path}"].append(page)
                else:
                    targets[url].append(page)
        statuses = dict(zip(targets, pool.map(_status, targets), strict=True))
    assert sum(len(v) for v in targets.values()) > 20 * len(pages), "too few links found: is links_of still finding them?"
    report = [f"{link} (on {len(on)} page(s), e.g. {on[0]})" for link, on in sorted(leaving.items())]
    assert not leaving, f"{served.engine}: {len(leaving)} link(s) leave {PREFIX}:\n" + "\n".join(report[:30])
    broken = [f"{url}: HTTP {status} (on {len(targets[url])} page(s), e.g. {targets[url][0]})"
              for url, status in sorted(statuses.items()) if status != 200]
    assert not broken, f"{served.engine}: {len(broken)} broken link(s):\n" + "\n".join(broken[:30])
