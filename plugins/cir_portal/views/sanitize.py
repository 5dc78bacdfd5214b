"""Record bodies are untrusted: what of their HTML a published page keeps.

Front matter is always escaped (markup.esc). A body is Markdown, and Markdown passes raw
HTML through: ``<script>``, ``<img onerror=...>``, ``<iframe src=javascript:...>``,
``[x](javascript:...)`` links, or ``{ onclick=... }`` attribute lists would run in every
reader's browser. Unless portal.yml says ``publish.trusted_html: true`` (an organisation
that reviews every body), bodies keep only a safe subset: headings, paragraphs, lists,
tables, code, quotes, images and links with http(s), mailto or relative addresses,
``details``/``summary``, admonitions (classes), and nothing that runs or styles.

Two routes, one allowlist:

* MkDocs: :func:`clean_html` runs the Rust Ammonia sanitiser (PyPI ``nh3``) on the HTML
  Markdown made of the body, which is exact whatever Markdown extension produced it.
* ``cir render`` hands Markdown to another engine, which renders it itself, so
  :func:`clean_markdown` neutralises the body's Markdown: a raw tag is kept only when it
  and every attribute are on the same allowlist (otherwise its ``<`` becomes ``&lt;`` and
  it shows as text), link and image addresses with another scheme become ``#``, and
  attribute lists that set anything but safe attributes are escaped. Code spans are left
  alone (every Markdown shows them as text); fenced code is not, since not every engine
  knows fences (a disallowed tag in a fence then shows as ``&lt;tag>``).
"""

from __future__ import annotations

import html
import re

import nh3

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd",
    "li", "mark", "ol", "p", "pre", "q", "s", "samp", "section", "small", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
})
GLOBAL_ATTRIBUTES = frozenset({"class", "id", "title", "lang", "dir"})
ATTRIBUTES: dict[str, set[str]] = {
    "*": set(GLOBAL_ATTRIBUTES),
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"},
    "details": {"open"},
    "time": {"datetime"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
URL_ATTRIBUTES = frozenset({"href", "src", "cite"})


def clean_html(body_html: str) -> str:
    """The safe subset of a rendered body's HTML (scripts and styles dropped with their content)."""
    return nh3.clean(body_html, tags=set(TAGS), attributes={k: set(v) for k, v in ATTRIBUTES.items()},
                     url_schemes=set(URL_SCHEMES), link_rel=None, strip_comments=True)


# --- Markdown (for `cir render`) -------------------------------------------------------------------

_ATTR = r"""\s+[^\s"'>/=`<]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?"""
_TAG = re.compile(rf"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:{_ATTR})*)\s*/?>")
_ONE_ATTR = re.compile(r"""([^\s"'>/=`<]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
_AUTOLINK = re.compile(r"<(?:https?://[^\s<>]*|mailto:[^\s<>]*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)>", re.I)
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
#: an inline link or image destination: ](dest "title") or ](<dest>)
_INLINE_DEST = re.compile(r"\]\(\s*(<[^>\n]*>|(?:[^\s()]|\([^\s()]*\))+)")
#: a reference definition: [label]: dest
_REF_DEST = re.compile(r"^( {0,3}\[[^\]\n]+\]:\s*)(<[^>\n]*>|\S+)", re.M)
#: an attribute list ({: #id .class key=value }), as Python-Markdown's attr_list reads one
_ATTR_LIST = re.compile(r"\{:?[ ]*([^}\n ][^}\n]*)[ ]*\}")
_ATTR_LIST_KEY = re.compile(r"""([^\s="'{}]+)\s*=""")
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]+")


def safe_url(url: str) -> bool:
    """Whether a link or image address is relative or uses an allowed scheme (after decoding
    entities and dropping the whitespace and control characters browsers ignore)."""
    text = _CONTROL.sub("", html.unescape(url.strip().strip("<>")))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", text)
    return match is None or match.group(1).lower() in URL_SCHEMES


def _tag_ok(match: re.Match[str]) -> bool:
    name = match.group(2).lower()
    if name not in TAGS:
        return False
    allowed = GLOBAL_ATTRIBUTES | ATTRIBUTES.get(name, set())
    for attr in _ONE_ATTR.finditer(match.group(3)):
        key = attr.group(1).lower()
        if key not in allowed:
            return False
        if key in URL_ATTRIBUTES and not safe_url((attr.group(2) or "").strip("\"'")):
            return False
    return True


def _clean_html_in(text: str) -> str:
    """``text`` (Markdown outside code) with every raw tag that is not allowed shown as text."""
    out: list[str] = []
    pos = 0
    for start in _TAG_START.finditer(text):
        at = start.start()
        if at < pos:
            continue
        auto = _AUTOLINK.match(text, at)
        if auto:
            out.append(text[pos:auto.end()])
            pos = auto.end()
            continue
        tag = _TAG.match(text, at)
        if tag and _tag_ok(tag):
            out.append(text[pos:tag.end()])
            pos = tag.end()
            continue
        out.append(text[pos:at] + "&lt;")
        pos = at + 1
    out.append(text[pos:])
    return "".join(out)


def _clean_links(text: str) -> str:
    def inline(m: re.Match[str]) -> str:
        return m.group(0) if safe_url(m.group(1)) else "](#"

    def ref(m: re.Match[str]) -> str:
        return m.group(0) if safe_url(m.group(2)) else m.group(1) + "#"

    def attr_list(m: re.Match[str]) -> str:
        keys = {k.lower() for k in _ATTR_LIST_KEY.findall(m.group(1))}
        return m.group(0) if keys <= GLOBAL_ATTRIBUTES | {"alt", "width", "height"} else "\\" + m.group(0)

    text = _INLINE_DEST.sub(inline, text)
    text = _REF_DEST.sub(ref, text)
    return _ATTR_LIST.sub(attr_list, text)


#: a code span on one line (one that spans lines may be raw HTML to an engine that reads blocks first)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1)[^\n])+?\1")


def _clean_prose(text: str) -> str:
    """Markdown with its code spans kept as they are and everything else cleaned."""
    out: list[str] = []
    pos = 0
    for span in _CODE_SPAN.finditer(text):
        out.append(_clean_links(_clean_html_in(text[pos:span.start()])))
        out.append(span.group(0))
        pos = span.end()
    out.append(_clean_links(_clean_html_in(text[pos:])))
    return "".join(out)


def clean_markdown(markdown: str) -> str:
    """A body's Markdown with everything that could run or load from elsewhere made inert.

    Fenced code is cleaned like the rest: an engine without fenced-code support (plain
    Python-Markdown) reads the lines between ``` as Markdown, raw HTML included.
    """
    return _clean_prose(markdown)
