"""Charts (placeholder while the result formats settle)."""

from __future__ import annotations

import shutil

from demo_pipeline.workdir import Workdir
from generators.project import Project

CHARTS = ("bench", "memory", "storage", "pipeline", "quality")


def build(project: Project, workdir: Workdir) -> None:
    partials = project.partials / "charts"
    if partials.exists():
        shutil.rmtree(partials)
    partials.mkdir(parents=True)
    for name in CHARTS:
        (partials / f"{name}.md").write_text(f"*Chart {name} pending.*\n", encoding="utf-8")
