"""A reply's Markdown as HTML the chat page can show: rendered by markdown-it, then cleaned by nh3.

Models write Markdown (``**bold**``, lists, code fences). The page shows a reply as plain text
while it streams, then as this HTML once it is done, and in the history. Two locks keep the
model's words from ever running in the browser: markdown-it renders no raw HTML (a ``<script>``
in the text stays text) and no ``javascript:`` link, and nh3 then keeps only the tags and
attributes listed here, with links that open in a new tab, telling the site nothing. The page's
Content-Security-Policy, which allows no inline script, is the third.
"""

import nh3
from markdown_it import MarkdownIt

MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")
TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote", "a",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
# No style attribute: the page's policy refuses inline styles, and a table's alignment is not worth a hole in it.
ATTRIBUTES = {"a": {"href", "title"}, "code": {"class"}, "ol": {"start"}}


def reply_html(markdown: str) -> str:
    return nh3.clean(
        MARKDOWN.render(markdown),
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    ).strip()
