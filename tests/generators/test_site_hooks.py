"""The MkDocs hooks, on the HTML Material writes."""

from generators.site_hooks import defer_theme_bundle, expand, name_search_dialog

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
