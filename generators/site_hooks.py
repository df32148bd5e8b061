"""MkDocs hooks for this site.

1. `on_config`: expand nav entries whose pages are generated in families.

`mkdocs.yml` names one index page per generated family (case studies, decisions).
The generators write `docs/generated/nav.json`, mapping each such index to its child
pages; this hook turns the entry into a section holding the index and the children,
so adding a case-study file or an ADR needs no edit to `mkdocs.yml`.

   It also signs the footer with the name in `data/owner.yaml`, escaped, so the page
   credits its author in their own name rather than "the site owner".

2. `on_page_markdown`: escape the front matter's `title` and `description` of every page
   and post (generators/escape.py). MkDocs and Material put them into <title>, the nav,
   `<meta name="description" content="…">` and the search index as they are, and the RSS
   plugin puts the description into the feeds as HTML. Hooks run after the plugins, but
   this event comes before the one the RSS plugin reads pages in (`on_page_content`),
   and before any page is rendered. A value a generator already escaped (a case study's
   title) is unescaped first, so it is escaped once, never twice.

3. `on_post_page`: give Material's search dialog an accessible name (axe-core's
   aria-dialog-name rule); the stock template has `role="dialog"` without a label. And load
   Material's script bundle after the page is painted: the stock template loads it as a
   plain parser-blocking script, which Lighthouse counts as render-blocking, and even a
   deferred script runs before the browser paints the parsed page, so a page's largest
   element was painted only after the bundle's start-up (on a throttled phone, most of a
   second). A short inline script takes the place of the bundle's tag and of the deferred
   `extra_javascript` tags after it: once DOMContentLoaded has come and the page has been
   painted (the next animation frame, then a task of its own), it loads them in order, and
   replays DOMContentLoaded to the bundle when it has run, since that is the event it waits
   for before it mounts its components.

   It renders the copy button of every code block into the page, as Material's bundle
   would at start-up with `content.code.copy` (now off in mkdocs.yml): the same
   `<nav class="md-code__nav">` and button, before the block's `<code>`, which gets an id
   for the button to name. The bundle's Clipboard.js integration copies from any
   `[data-clipboard-target]` on the page, feature or not. Inserted by the bundle, the
   buttons made the browser lay the page out again after the first paint, on a page of
   many code blocks (the toolkit) the largest part of its start-up work. site.css hides
   them when JavaScript is off, where nothing would copy.

   It wraps every data table in Material's scroll wrapper (`md-typeset__scrollwrap` and
   `md-typeset__table`), which the bundle would otherwise do at start-up to each
   `table:not([class])`, and gives the table the class `data-table`, so the bundle leaves
   it alone. Moving a table into its wrapper after the first paint made Chromium restyle
   the whole article (on the toolkit page, some nine hundred elements) before the bundle's
   first read of a size. `on_post_build` makes Material's table rules match the class.

   It also adds the page's link preview (generators/link_previews.py): Open Graph and
   Twitter meta, and a 1200 x 630 preview image written into the built site;
   `on_post_template` does the same for the 404 page, and loads its bundle after the first
   paint as above.

   And it sets, from a one-line script at the top of <head>, the state of the root element
   that Material's bundle and its focus-visible polyfill would otherwise set once the page
   is painted (`no-js` -> `js`, `js-focus-visible`, `data-js-focus-visible`). Each of those
   changes made the browser restyle the whole page again, on a throttled phone a long task
   of its own after the first paint; set before the body is parsed, the bundle's own
   changes find nothing to change. A browser without JavaScript runs no script and keeps
   `no-js`, as before.

   It keeps Material's `<meta name="color-scheme">` out of the page: the palette inserts it
   at load and then sets its content, and Chromium restyles the whole page on each of those
   two changes, whatever the value (two full restyles at load, on every page; a short
   script before the bundle declines that one insertion). A one-line script at the top of
   <body> gives the root element the colour scheme the meta would have given it (dark when
   the palette is slate), before the page is parsed, and again whenever the palette changes
   (a MutationObserver on <body>'s attribute). A stylesheet rule cannot do it cheaply: with
   `:root:has(> body[data-md-color-scheme=slate])`, Chromium restyled the whole page each
   time the bundle inserted an element anywhere in it (each table's scroll wrapper).

   And it drops the link to mkdocstrings' stylesheet from every page that shows no API
   reference (no `class="doc doc-…"` element): the plugin links it from every page, where
   it is one more render-blocking request before the first paint.

4. `on_post_build`: make Material's table rules (`table:not([class])`) match the tables
   wrapped at build time too, as `table:is(:not([class]),.data-table)`: the same
   specificity, so nothing else in the cascade moves. And drop Material's "no transitions
   while the colour scheme switches" rule
   from its palette stylesheet. The bundle sets the attribute it keys on
   (`data-md-color-switching`) on <body> when it applies the palette at load and removes it
   a moment later, and a rule of the form `[attr] *` makes each of those two changes
   restyle every element of the page: two full restyles at load, on every page, for the
   sake of the theme toggle. Without it, the toggle's colour change eases in over
   Material's own transitions (a quarter of a second at most) instead of snapping.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import sys
from pathlib import Path

import yaml

# MkDocs loads this file by path; the project runs from the checkout, so `mkdocs serve`
# needs the repository root on the import path (as generators/macros.py does).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generators import link_previews
from generators.escape import text
from generators.project import Project

# Material's bundle, e.g. <script src="../assets/javascripts/bundle.a5f9d56c.min.js">
THEME_BUNDLE = re.compile(r'<script src="([^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js)">')


def expand(nav: list, families: dict[str, list[dict[str, str]]]) -> list:
    """Return `nav` with each `{title: index}` whose index is a family replaced by a
    section `{title: [index, *children]}`. Pure: no I/O."""
    out = []
    for item in nav:
        if isinstance(item, dict):
            (title, target), *_ = item.items()
            if isinstance(target, list):
                out.append({title: expand(target, families)})
            elif isinstance(target, str) and target in families:
                out.append({title: [target, *families[target]]})
            else:
                out.append(item)
        else:
            out.append(item)
    return out


OWNER_FILE = Path("data/owner.yaml")


def footer_for(name: str) -> str:
    """The footer line, in the author's name (escaped: it comes from a data file)."""
    return f"© {html.escape(name)} · every measured figure links to the run it came from"


# From the owner file, set in on_config: "Name · Role" (the previews' byline and the home
# page's title) and the headline (the home page's description).
PREVIEW_BYLINE = {"text": "", "headline": ""}


def on_config(config):
    path = Project(Path(config["docs_dir"]).parent).nav_families
    if path.exists() and config.get("nav"):
        families = json.loads(path.read_text(encoding="utf-8"))
        config["nav"] = expand(config["nav"], families)
    owner = Path(config["docs_dir"]).parent / OWNER_FILE
    if owner.exists():
        data = yaml.safe_load(owner.read_text(encoding="utf-8")) or {}
        PREVIEW_BYLINE["text"] = link_previews.byline_for(data)
        PREVIEW_BYLINE["headline"] = str((data.get("profile") or {}).get("headline") or "")
        profile = data.get("profile") or {}
        if profile.get("name"):
            config["copyright"] = footer_for(str(profile["name"]))
    return config


ESCAPED_META = ("title", "description")


def escape_meta(meta: dict) -> dict:
    """`meta` with its title and description escaped once (pure)."""
    for key in ESCAPED_META:
        if isinstance(meta.get(key), str):
            meta[key] = str(text(html.unescape(meta[key])))
    return meta


def on_page_markdown(markdown, page, config, files):
    escape_meta(page.meta)
    return markdown


# A link whose scheme runs code: Markdown from a data file (`[text](javascript:...)` in a
# case study) is turned into HTML by MkDocs after the data was escaped, so it is caught
# here, on the page's HTML. The link keeps its text and loses its target.
UNSAFE_LINK = re.compile(
    r"""\s(href|src)\s*=\s*(["'])\s*(?:javascript:|vbscript:|data:text/html)[^"']*\2""",
    re.IGNORECASE,
)


def drop_unsafe_links(html: str, where: str = "") -> str:
    """`html` with every javascript:/vbscript:/data:text/html link target removed (pure
    but for a warning naming the page on stderr)."""
    cleaned, count = UNSAFE_LINK.subn("", html)
    if count:
        print(f"warning: {where}: {count} unsafe link target(s) removed", file=sys.stderr)
    return cleaned


def on_page_content(html, page, config, files):
    return drop_unsafe_links(html, page.file.src_uri)


def name_search_dialog(html: str) -> str:
    """Add an aria-label to the first unnamed search dialog (pure)."""
    return html.replace('role="dialog"', 'role="dialog" aria-label="Search"', 1)


# The root element's state once Material's bundle and its focus-visible polyfill have run.
ROOT_STATE_SCRIPT = (
    '<script>document.documentElement.className="js js-focus-visible",'
    'document.documentElement.setAttribute("data-js-focus-visible","")</script>'
)
CHARSET_META = '<meta charset="utf-8">'


def preset_root_state(html: str) -> str:
    """Put ROOT_STATE_SCRIPT just after the page's charset declaration (pure). A page
    without one, or with the script already, is left as is."""
    if ROOT_STATE_SCRIPT in html or CHARSET_META not in html:
        return html
    return html.replace(CHARSET_META, CHARSET_META + ROOT_STATE_SCRIPT, 1)


# Material's palette stylesheet, e.g. assets/stylesheets/palette.fb2fffe2.min.css, and its
# rule `[data-md-color-switching] *,…{transition-duration:0s!important}`.
PALETTE_CSS = "assets/stylesheets/palette.*.min.css"
COLOR_SWITCHING_RULE = re.compile(r"\[data-md-color-switching\][^{}]*\{[^{}]*\}")


def without_color_switching_rule(css: str) -> str:
    """`css` without the rule(s) keyed on `data-md-color-switching` (pure)."""
    return COLOR_SWITCHING_RULE.sub("", css)


# mkdocstrings adds its stylesheet to every page; only a page with its output uses it.
MKDOCSTRINGS_CSS = re.compile(r'\s*<link rel="stylesheet" href="[^"]*assets/_mkdocstrings\.css">')
MKDOCSTRINGS_OUTPUT = 'class="doc doc-'


def without_unused_mkdocstrings_css(html: str) -> str:
    """`html` without mkdocstrings' stylesheet link unless the page shows an API reference
    (pure). The link is render-blocking: on a throttled phone one more request before the
    first paint."""
    if MKDOCSTRINGS_OUTPUT in html:
        return html
    return MKDOCSTRINGS_CSS.sub("", html, count=1)


# Material's palette adds <meta name="color-scheme"> to <head> at load and sets its content
# from the header's computed style. Chromium restyles the whole page when that meta is
# inserted and again when its content is set (a "platform colour change"), whatever its
# value: two full restyles at load, on every page. This script, run just before the
# bundle, keeps that one meta out of the document; site.css gives the root element the
# colour scheme the meta would have given it.
COLOR_SCHEME_META_GUARD = (
    "<script>(function(h){var a=h.appendChild;h.appendChild=function(n){"
    'return n.tagName==="META"&&n.name==="color-scheme"?n:a.call(h,n)}})(document.head)'
    "</script>"
)


# The root element's colour scheme, from <body>'s palette attribute: set before the page is
# parsed (just after <body>, where Material's own palette script sets that attribute from
# the stored choice) and whenever the attribute changes. Written only when it changes.
ROOT_COLOR_SCHEME_SCRIPT = (
    "<script>(function(r,b){function s(){"
    'var d=b.getAttribute("data-md-color-scheme")==="slate"?"dark":"";'
    "r.style.colorScheme!==d&&(r.style.colorScheme=d)}"
    's();new MutationObserver(s).observe(b,{attributeFilter:["data-md-color-scheme"]})'
    "})(document.documentElement,document.body)</script>"
)
BODY_TAG = re.compile(r"<body\b[^>]*>")


def root_color_scheme_follows_palette(html: str) -> str:
    """Put ROOT_COLOR_SCHEME_SCRIPT just after the page's <body> tag (pure). A page without
    one, or with the script already, is left as is."""
    if ROOT_COLOR_SCHEME_SCRIPT in html:
        return html
    return BODY_TAG.sub(lambda m: m.group(0) + ROOT_COLOR_SCHEME_SCRIPT, html, count=1)


def keep_color_scheme_meta_out(html: str) -> str:
    """Put COLOR_SCHEME_META_GUARD just before Material's script bundle (pure). A page
    without the bundle, or with the guard already, is left as is."""
    if COLOR_SCHEME_META_GUARD in html:
        return html
    return THEME_BUNDLE.sub(lambda m: COLOR_SCHEME_META_GUARD + m.group(0), html, count=1)


# Material's bundle and the deferred `extra_javascript` tags that follow it in the page.
THEME_SCRIPTS = re.compile(
    r'<script src="([^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js)"></script>'
    r'((?:\s*<script src="[^"]+" defer></script>)*)'
)
EXTRA_SCRIPT_SRC = re.compile(r'<script src="([^"]+)" defer></script>')
# Once the parsed page has been painted (the first animation frame after DOMContentLoaded,
# then a task of its own), load the scripts in order; when the bundle has run, replay
# DOMContentLoaded to it, the event it waits for before it mounts its components.
THEME_LOADER = (
    '<script>addEventListener("DOMContentLoaded",function(){'
    "requestAnimationFrame(function(){setTimeout(function(){"
    '[{sources}].forEach(function(u,i){var s=document.createElement("script");'
    "s.src=u;s.async=!1;if(!i)s.onload=function(){"
    'document.dispatchEvent(new Event("DOMContentLoaded"))};'
    "document.body.appendChild(s)})},0)})},{once:!0})</script>"
)


def load_theme_scripts_after_paint(html: str) -> str:
    """Replace Material's bundle and the deferred scripts after it with THEME_LOADER, which
    loads them once the page is painted (pure). A page without the bundle's tag is left as
    is."""
    match = THEME_SCRIPTS.search(html)
    if match is None:
        return html
    sources = [match.group(1), *EXTRA_SCRIPT_SRC.findall(match.group(2))]
    loader = THEME_LOADER.replace("{sources}", ",".join(json.dumps(src) for src in sources))
    return html[: match.start()] + loader + html[match.end() :]


# A code block as pymdownx.highlight writes it (`<pre><span></span><code>`); Material gives
# every `pre:not(.mermaid) > code` in a page's content a copy button.
CODE_BLOCK = re.compile(r"(<pre(?![^>]*\bmermaid\b)(?:\s[^>]*)?>(?:<span></span>)?)<code([^>]*)>")
CODE_ID = re.compile(r'\sid="([^"]+)"')
# Material's button (templates/clipboard in its source), in its navigation strip.
COPY_BUTTON = (
    '<nav class="md-code__nav"><button class="md-code__button" title="Copy to clipboard" '
    'data-clipboard-target="#{target}" data-md-type="copy"></button></nav>'
)


def with_copy_buttons(html: str) -> str:
    """`html` with a copy button before each code block's `<code>`, which gets an id
    (`__code_copy_<n>`, in page order) for the button to name (pure). A block that has
    its button already is left as is."""
    numbers = itertools.count()

    def add_button(match: re.Match) -> str:
        attributes = match.group(2)
        found = CODE_ID.search(attributes)
        if found:
            target = found.group(1)
        else:
            target = f"__code_copy_{next(numbers)}"
            attributes += f' id="{target}"'
        return match.group(1) + COPY_BUTTON.format(target=target) + f"<code{attributes}>"

    return CODE_BLOCK.sub(add_button, html)


# A data table as Python-Markdown writes it, and the wrapper Material's bundle would move it
# into (templates/table in its source). The class keeps the bundle's `table:not([class])`
# from wrapping it again; TABLE_RULE is how Material's stylesheet names such tables.
DATA_TABLE = re.compile(r"<table>(.*?)</table>", re.DOTALL)
TABLE_CLASS = "data-table"
WRAPPED_TABLE = (
    '<div class="md-typeset__scrollwrap"><div class="md-typeset__table">'
    f'<table class="{TABLE_CLASS}">{{rows}}</table></div></div>'
)
TABLE_RULE = "table:not([class])"
WRAPPED_TABLE_RULE = f"table:is(:not([class]),.{TABLE_CLASS})"
MAIN_CSS = "assets/stylesheets/main.*.min.css"


def with_wrapped_tables(html: str) -> str:
    """`html` with each class-less table in Material's scroll wrapper, marked TABLE_CLASS
    (pure). A table holding another table is left to the bundle."""

    def wrap(match: re.Match) -> str:
        if "<table" in match.group(1):
            return match.group(0)
        return WRAPPED_TABLE.format(rows=match.group(1))

    return DATA_TABLE.sub(wrap, html)


def with_wrapped_table_rules(css: str) -> str:
    """`css` with Material's rules for class-less tables matching TABLE_CLASS too (pure)."""
    return css.replace(TABLE_RULE, WRAPPED_TABLE_RULE)


def with_theme_scripts_after_paint(html: str) -> str:
    """The search dialog named, the root's colour scheme following the palette, the
    colour-scheme guard before Material's bundle, and the bundle and the scripts after it
    loaded once the page is painted (pure)."""
    html = root_color_scheme_follows_palette(keep_color_scheme_meta_out(name_search_dialog(html)))
    return load_theme_scripts_after_paint(html)


def with_link_preview(
    output: str,
    config,
    name: str,
    title: str,
    description: str,
    *,
    page_url: str = "",
    kind="website",
) -> str:
    """`output` with its Open Graph and Twitter tags, after writing the preview image
    `name` into the site being built."""
    path = f"{link_previews.OUT_DIR}/{name}"
    site_name = str(config["site_name"])
    link_previews.write_image(
        Path(config["site_dir"]) / path, title, description, site_name, PREVIEW_BYLINE["text"]
    )
    preview = link_previews.Preview(
        title=title,
        description=description,
        site_name=site_name,
        image_url=link_previews.absolute(config.get("site_url"), path),
        page_url=page_url,
        kind=kind,
    )
    return link_previews.insert_meta(output, link_previews.meta_tags(preview))


def with_page_chrome(html: str) -> str:
    """What every built page gets, the 404 page included (pure): Material's bundle after
    the first paint, no unused mkdocstrings stylesheet, the root's state preset."""
    html = with_theme_scripts_after_paint(html)
    return preset_root_state(without_unused_mkdocstrings_css(html))


def on_post_page(output, page, config):
    site_name = str(config["site_name"])
    site_description = str(config.get("site_description") or "")
    if page.is_homepage:
        # The home page speaks for the whole site: the owner's name, role and headline.
        title = PREVIEW_BYLINE["text"] or site_name
        description = link_previews.description_for(
            page.meta, "", PREVIEW_BYLINE["headline"] or site_description
        )
    else:
        title = link_previews.plain(page.title or site_name)
        description = link_previews.description_for(page.meta, page.content or "", site_description)
    output = with_link_preview(
        output,
        config,
        link_previews.image_name(page.url),
        title,
        description,
        page_url=page.canonical_url or "",
        kind="article" if page.file.src_uri.startswith("blog/posts/") else "website",
    )
    return with_page_chrome(with_wrapped_tables(with_copy_buttons(output)))


def on_post_template(output_content, template_name, config):
    """The 404 page (rendered from a template, not a page) gets a link preview too, and
    Material's bundle after the first paint, as every page does."""
    if template_name != "404.html":
        return output_content
    description = str(config.get("site_description") or "")
    output = with_link_preview(output_content, config, "404.png", "Page not found", description)
    return with_page_chrome(output)


def on_post_build(config):
    site = Path(config["site_dir"])
    _rewrite(site.glob(MAIN_CSS), with_wrapped_table_rules)
    _rewrite(site.glob(PALETTE_CSS), without_color_switching_rule)


def _rewrite(paths, edit) -> None:
    """Apply `edit` (a pure str -> str) to each file, writing only the ones it changes."""
    for path in paths:
        text = path.read_text(encoding="utf-8")
        edited = edit(text)
        if edited != text:
            path.write_text(edited, encoding="utf-8")
