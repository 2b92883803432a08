"""A reply's Markdown as HTML: what renders, and nothing that could run in the page."""

import pytest

from Conversation_API.multi_user_app.rendering import reply_html


def test_markdown_renders_to_the_tags_the_page_shows():
    markdown = (
        "# Title\n\n**bold**, *it*, ~~no~~ and `x`\n\n1. one\n2. two\n\n> said\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )

    assert reply_html(markdown) == (
        "<h1>Title</h1>\n<p><strong>bold</strong>, <em>it</em>, <s>no</s> and <code>x</code></p>\n"
        "<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n<blockquote>\n<p>said</p>\n</blockquote>\n"
        "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n"
        "</tr>\n</tbody>\n</table>"
    )


def test_a_code_fence_keeps_its_language_and_its_text_as_text():
    assert reply_html("```html\n<b>hi</b>\n```") == (
        '<pre><code class="language-html">&lt;b&gt;hi&lt;/b&gt;\n</code></pre>'
    )


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ('<img src=x onerror="alert(1)">', '<p>&lt;img src=x onerror="alert(1)"&gt;</p>'),
        ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>"),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>[x](data:text/html;base64,PHNjcmlwdD4=)</p>"),
        ("![pic](https://example.org/p.png)", "<p></p>"),  # no image is fetched from anywhere
        (
            '[a page](https://example.org/ "title")',
            '<p><a href="https://example.org/" title="title" target="_blank" rel="noopener noreferrer nofollow">'
            "a page</a></p>",
        ),
    ],
    ids=["script", "img-onerror", "javascript-link", "data-link", "image", "link"],
)
def test_nothing_that_runs_or_loads_reaches_the_page_and_links_open_apart(markdown, html):
    assert reply_html(markdown) == html
