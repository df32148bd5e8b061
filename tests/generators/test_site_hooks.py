"""The MkDocs hooks, on the HTML Material writes."""

from generators.site_hooks import (
    COLOR_SCHEME_META_GUARD,
    ROOT_COLOR_SCHEME_SCRIPT,
    expand,
    keep_color_scheme_meta_out,
    load_theme_scripts_after_paint,
    name_search_dialog,
    root_color_scheme_follows_palette,
    with_copy_buttons,
    with_theme_scripts_after_paint,
    with_wrapped_table_rules,
    with_wrapped_tables,
    without_unused_mkdocstrings_css,
)

MATERIAL_TAIL = (
    '<script id="__config" type="application/json">{}</script>\n'
    '<script src="../assets/javascripts/bundle.a5f9d56c.min.js"></script>\n'
    '<script src="../javascripts/keyboard-scroll.js" defer></script>\n'
)


def test_search_dialog_gets_a_name_once():
    html = '<div role="dialog"></div><div role="dialog"></div>'
    assert name_search_dialog(html) == (
        '<div role="dialog" aria-label="Search"></div><div role="dialog"></div>'
    )


def test_a_family_index_becomes_a_section_with_its_pages():
    nav = [{"Home": "index.md"}, {"Work": [{"Case studies": "cases/index.md"}]}]
    families = {"cases/index.md": [{"Churn": "cases/churn.md"}]}
    assert expand(nav, families) == [
        {"Home": "index.md"},
        {"Work": [{"Case studies": ["cases/index.md", {"Churn": "cases/churn.md"}]}]},
    ]


MKDOCSTRINGS_HEAD = (
    '<link rel="stylesheet" href="../assets/stylesheets/main.57a0d79d.min.css">\n'
    '    <link rel="stylesheet" href="../assets/_mkdocstrings.css">\n'
    '    <link rel="stylesheet" href="../stylesheets/site.css">\n'
)


def test_mkdocstrings_stylesheet_is_kept_only_where_an_api_reference_is():
    plain = without_unused_mkdocstrings_css(MKDOCSTRINGS_HEAD + "<p>prose</p>")
    assert "_mkdocstrings.css" not in plain
    assert "main.57a0d79d.min.css" in plain and "site.css" in plain
    api = MKDOCSTRINGS_HEAD + '<div class="doc doc-object doc-module"></div>'
    assert without_unused_mkdocstrings_css(api) == api


def test_the_color_scheme_guard_runs_just_before_the_bundle_once():
    html = keep_color_scheme_meta_out(MATERIAL_TAIL)
    assert html.index(COLOR_SCHEME_META_GUARD) < html.index("bundle.a5f9d56c.min.js")
    assert html.replace(COLOR_SCHEME_META_GUARD, "", 1) == MATERIAL_TAIL
    assert keep_color_scheme_meta_out(html) == html
    assert keep_color_scheme_meta_out("<p>no bundle</p>") == "<p>no bundle</p>"


def test_the_theme_scripts_load_in_order_after_the_first_paint():
    html = load_theme_scripts_after_paint(MATERIAL_TAIL)
    assert "<script src=" not in html
    assert (
        '["../assets/javascripts/bundle.a5f9d56c.min.js","../javascripts/keyboard-scroll.js"]'
        in html
    )
    assert 'dispatchEvent(new Event("DOMContentLoaded"))' in html
    assert html.startswith('<script id="__config" type="application/json">{}</script>')
    assert load_theme_scripts_after_paint(html) == html  # nothing left to replace


def test_the_404_page_and_every_page_get_the_same_load_order():
    page = '<div role="dialog"></div>\n' + MATERIAL_TAIL
    html = with_theme_scripts_after_paint(page)
    assert 'role="dialog" aria-label="Search"' in html
    assert html.index(COLOR_SCHEME_META_GUARD) < html.index("bundle.a5f9d56c.min.js")
    assert "<script src=" not in html


HIGHLIGHTED = (
    '<div class="highlight"><pre><span></span><code><a id="__codelineno-0-1"></a>x = 1\n'
    "</code></pre></div>"
)


def test_every_code_block_gets_the_copy_button_material_would_give_it():
    html = with_copy_buttons(
        HIGHLIGHTED + '<p><code>inline</code></p><pre><code class="x">y</code></pre>'
    )
    assert html.count('<nav class="md-code__nav">') == 2
    assert (
        '<pre><span></span><nav class="md-code__nav"><button class="md-code__button" '
        'title="Copy to clipboard" data-clipboard-target="#__code_copy_0" data-md-type="copy">'
        '</button></nav><code id="__code_copy_0"><a id="__codelineno-0-1">'
    ) in html
    assert (
        '<pre><nav class="md-code__nav">' in html and '<code class="x" id="__code_copy_1">' in html
    )
    assert "<p><code>inline</code></p>" in html  # inline code is not a block
    assert with_copy_buttons(html) == html  # buttons already there: left alone


def test_a_code_block_keeps_its_own_id_and_a_diagram_gets_no_button():
    html = with_copy_buttons(
        '<pre><code id="mine">a</code></pre><pre class="mermaid"><code>b</code></pre>'
    )
    assert 'data-clipboard-target="#mine"' in html and html.count("md-code__nav") == 1


def test_the_root_colour_scheme_script_comes_first_in_the_body_once():
    page = '<head></head><body dir="ltr" data-md-color-scheme="default"><p>x</p></body>'
    html = root_color_scheme_follows_palette(page)
    assert html.startswith(
        '<head></head><body dir="ltr" data-md-color-scheme="default">' + ROOT_COLOR_SCHEME_SCRIPT
    )
    assert root_color_scheme_follows_palette(html) == html
    assert root_color_scheme_follows_palette("<p>no body</p>") == "<p>no body</p>"


def test_a_data_table_comes_wrapped_as_material_would_wrap_it():
    table = "<table>\n<thead>\n<tr><th>a</th></tr>\n</thead>\n</table>"
    html = with_wrapped_tables(f'<p>x</p>{table}<table class="query-columns"></table>')
    assert html == (
        '<p>x</p><div class="md-typeset__scrollwrap"><div class="md-typeset__table">'
        '<table class="data-table">\n<thead>\n<tr><th>a</th></tr>\n</thead>\n</table>'
        '</div></div><table class="query-columns"></table>'
    )
    assert with_wrapped_tables(html) == html
    nested = "<table><tr><td><table><tr><td>1</td></tr></table></td></tr></table>"
    assert with_wrapped_tables(nested) == nested  # left to Material's bundle


def test_material_table_rules_also_match_the_wrapped_tables():
    css = ".md-typeset table:not([class]){font-size:.64rem}.md-typeset table:not([class]) th{x:y}"
    assert with_wrapped_table_rules(css) == (
        ".md-typeset table:is(:not([class]),.data-table){font-size:.64rem}"
        ".md-typeset table:is(:not([class]),.data-table) th{x:y}"
    )
    assert with_wrapped_table_rules(with_wrapped_table_rules(css)) == with_wrapped_table_rules(css)
