"""Blog support: the authors file (from the owner's profile) and the 'latest posts'
list the home page includes, both from the posts' front matter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from generators.escape import text
from generators.frontmatter import split_front_matter

AUTHORS_FILE = "generated/blog-authors.yml"


def render_authors(owner: dict) -> str:
    """Material's blog authors file with one author: the owner (no invented people).

    The values are escaped (generators/escape.py): Material puts them into its pages
    as they are (`alt="{{ author.name }}"`, `href="{{ author.url }}"`), and the RSS
    plugin into the feeds' <author>, where they stay valid XML."""
    profile = owner["profile"]
    authors = {
        "authors": {
            "owner": {
                "name": str(text(profile["name"])),
                "description": str(text(profile["role"])),
                "avatar": "assets/images/avatar.svg",
                "url": str(text(profile["links"].get("github", ""))),
            }
        }
    }
    return yaml.safe_dump(authors, sort_keys=True, allow_unicode=True)


def _post_date(meta: dict) -> dt.date:
    value = meta.get("date")
    if isinstance(value, dict):
        value = value.get("created")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def load_posts(posts_dir: Path) -> list[dict]:
    """Every post's title, date, description and source path, newest first."""
    posts = []
    for path in sorted(posts_dir.glob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"), source=path)
        if meta.get("draft"):
            continue
        title = next(
            (line[2:].strip() for line in body.splitlines() if line.startswith("# ")), path.stem
        )
        posts.append(
            {
                "title": title,
                "date": _post_date(meta),
                "description": str(meta.get("description", "")),
                "src": f"blog/posts/{path.name}",
            }
        )
    return sorted(posts, key=lambda p: (p["date"], p["src"]), reverse=True)


def render_latest_posts(posts: list[dict], limit: int = 4) -> str:
    """A list of the newest posts; links are made relative by the page_link macro."""
    if not posts:
        return "No posts yet.\n"
    lines = []
    for post in posts[:limit]:
        link = f'{{{{ page_link("{post["src"]}") }}}}'
        when = post["date"].strftime("%d %B %Y").lstrip("0")
        lines.append(f"- **[{post['title']}]({link})** · {when}  ")
        if post["description"]:
            lines.append(f"  {text(post['description'])}")
    lines.append("")
    lines.append('[All posts]({{ page_link("blog/index.md") }})')
    return "\n".join(lines) + "\n"
