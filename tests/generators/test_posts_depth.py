"""Blog posts have depth and real code: every post counts at least 1,200 words of prose on
the built page (code excluded), includes at least one section of a repository file with
pymdownx.snippets, and the site build fails when an included section disappears.

One real build per module (fixture results, on a project copy); the failing build reruns
only the mkdocs step on the same copy."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generators.frontmatter import split_front_matter
from generators.project import REPO_ROOT
from tests.generators.project_copy import build

POSTS = sorted((REPO_ROOT / "docs" / "blog" / "posts").glob("*.md"))
MIN_WORDS = 1200
# `--8<-- "path:section"` (pymdownx.snippets), on a line of its own.
INCLUDE = re.compile(r'^\s*--8<--\s+"(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"\s*$', re.M)
WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")


class ProseText(HTMLParser):
    """The visible text of a post's <article>, without code, scripts or heading anchors."""

    SKIP = frozenset({"pre", "code", "script", "style", "svg", "nav"})

    def __init__(self) -> None:
        super().__init__()
        self.depth_article = 0
        self.skipping = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "article":
            self.depth_article += 1
        elif self.depth_article and (tag in self.SKIP or "headerlink" in classes):
            self.skipping += 1

    def handle_endtag(self, tag):
        if tag == "article":
            self.depth_article -= 1
        elif self.skipping and (tag in self.SKIP or tag == "a"):
            self.skipping -= 1

    def handle_data(self, data):
        if self.depth_article and not self.skipping:
            self.parts.append(data)


def prose_words(html: str) -> int:
    parser = ProseText()
    parser.feed(html)
    return len(WORD.findall(" ".join(parser.parts)))


def includes(markdown: str) -> list[tuple[str, str | None]]:
    return [(m["path"], m["section"]) for m in INCLUDE.finditer(markdown)]


def post_slug(path: Path) -> str:
    meta, _ = split_front_matter(path.read_text(encoding="utf-8"), source=path)
    return str(meta.get("slug") or path.stem)


@pytest.fixture(scope="module")
def built(fixture_site):
    return fixture_site.project, fixture_site.workdir


def test_there_are_posts():
    assert len(POSTS) >= 4


@pytest.mark.parametrize("post", POSTS, ids=lambda p: p.stem)
def test_post_includes_an_existing_section_of_a_repository_file(post):
    """Each post includes code from a repository file, by a section that exists in it."""
    found = includes(post.read_text(encoding="utf-8"))
    assert found, f"{post.name}: no `--8<--` include of repository code"
    for path, section in found:
        source = REPO_ROOT / path
        assert source.is_file(), f"{post.name}: includes {path}, which does not exist"
        if section:
            text = source.read_text(encoding="utf-8")
            for edge in ("start", "end"):
                assert f"--8<-- [{edge}:{section}]" in text, (
                    f"{post.name}: {path} has no [{edge}:{section}] marker"
                )


@pytest.mark.slow
@pytest.mark.parametrize("post", POSTS, ids=lambda p: p.stem)
def test_post_has_at_least_1200_words_of_prose_and_the_included_code(post, built):
    """On the built page: at least 1,200 words outside code, and the included lines are
    there, in a code block."""
    project, _ = built
    page = project / "site" / "blog" / post_slug(post) / "index.html"
    html = page.read_text(encoding="utf-8")
    words = prose_words(html)
    assert words >= MIN_WORDS, f"{post.name}: {words} words of prose, fewer than {MIN_WORDS}"
    assert "--8<--" not in html, f"{post.name}: an include was not expanded"
    for path, section in includes(post.read_text(encoding="utf-8")):
        source = (REPO_ROOT / path).read_text(encoding="utf-8")
        if section:
            source = source.split(f"[start:{section}]", 1)[1].split(f"[end:{section}]", 1)[0]
        line = next(ln.strip() for ln in source.splitlines()[1:] if len(ln.strip()) > 12)
        code = re.sub(r"<[^>]+>", "", " ".join(re.findall(r"<pre.*?</pre>", html, re.S)))
        code = code.replace("&quot;", '"').replace("&#39;", "'").replace("&gt;", ">")
        code = code.replace("&lt;", "<").replace("&amp;", "&")
        assert line in code, f"{post.name}: {line!r} from {path} is not in a code block"


@pytest.mark.slow
def test_build_fails_when_an_included_section_disappears(built, tmp_path):
    """Remove the markers of a section a post includes: the build stops and names it."""
    # On a copy of the shared build (others read it): same pages, same step records.
    shared_project, shared_workdir = built
    project = Path(shutil.copytree(shared_project, tmp_path / "project", symlinks=True))
    workdir = Path(shutil.copytree(shared_workdir, tmp_path / "wd", symlinks=True))
    post = POSTS[0]
    path, section = next(
        (p, s) for p, s in includes(post.read_text(encoding="utf-8")) if s is not None
    )
    # Code folders are symlinks into the repository: replace the one holding the file
    # with a real copy, so the edit stays in the project copy.
    top = Path(path).parts[0]
    linked = project / top
    if linked.is_symlink():
        linked.unlink()
        shutil.copytree(REPO_ROOT / top, linked, ignore=shutil.ignore_patterns("__pycache__"))
    source = project / path
    original = source.read_text(encoding="utf-8")
    source.write_text(
        "\n".join(ln for ln in original.splitlines() if f":{section}]" not in ln) + "\n",
        encoding="utf-8",
    )
    result = build(project, workdir, "--only", "mkdocs")
    assert result.returncode != 0, "the build passed without the section's markers"
    output = result.stdout + result.stderr
    assert f"Snippet section '{section}' could not be located" in output, output[-3000:]


def test_leadership_page_names_its_practices_in_searchable_words():
    """The leadership page has a heading for each practice recruiters search for, in the
    first person, with its figures self-reported through `reported()`."""
    text = (REPO_ROOT / "docs" / "leadership.md").read_text(encoding="utf-8")
    headings = [
        line.lstrip("#").strip().lower() for line in text.splitlines() if line.startswith("## ")
    ]
    for practice in (
        "mentoring",
        "onboarding",
        "code review",
        "standards",
        "documentation",
        "stakeholder management",
    ):
        assert any(practice in h for h in headings), f"no heading names {practice!r}"
    assert re.search(r"\bI\b", text) and 'reported("' in text
    body = re.sub(r"\{\{.*?\}\}", "", text, flags=re.S)
    assert not re.search(r"\d+\s*(%|weeks?|months?|days?)", body), "a figure typed in the page"
