"""The MkDocs hooks, on the HTML Material writes."""

from generators.site_hooks import (
    COLOR_SCHEME_META_GUARD,
    defer_theme_bundle,
    expand,
    keep_color_scheme_meta_out,
    load_theme_scripts_after_paint,
    name_search_dialog,
    without_unused_mkdocstrings_css,
)

MATERIAL_TAIL = (
    '<script id="__config" type="application/json">{}</script>\n'
    '<script src="../assets/javascripts/bundle.a5f9d56c.min.js"></script>\n'
    '<script src="../javascripts/keyboard-scroll.js" defer></script>\n'
)


def test_the_theme_bundle_is_deferred_and_nothing_else_changes():
    html = defer_theme_bundle(MATERIAL_TAIL)
    assert '<script defer src="../assets/javascripts/bundle.a5f9d56c.min.js">' in html
    assert html.replace(" defer src=", " src=", 1) == MATERIAL_TAIL
    assert defer_theme_bundle(html) == html  # already deferred: left alone


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
    html = load_theme_scripts_after_paint(defer_theme_bundle(MATERIAL_TAIL))
    assert "<script src=" not in html and "<script defer src=" not in html
    assert (
        '["../assets/javascripts/bundle.a5f9d56c.min.js","../javascripts/keyboard-scroll.js"]'
        in html
    )
    assert 'dispatchEvent(new Event("DOMContentLoaded"))' in html
    assert html.startswith('<script id="__config" type="application/json">{}</script>')
    assert load_theme_scripts_after_paint(html) == html  # nothing left to replace
