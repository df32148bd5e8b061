"""The query files: one per question per engine, same names across engine folders, and
every engine's file giving the same answer on real files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from demo_pipeline.bench import (
    dimensional,
    engines_polars_pandas,
    formats,
    memory,
    partitions,
    preagg,
    row_stores,
    variants,
)
from demo_pipeline.bench.answers import AnswerFingerprint, fingerprint, validate_all
from demo_pipeline.bench.queries import (
    ENGINES,
    HERE,
    answer_rows,
    folder_for,
    frame_query,
    query_path,
    sql,
)
from demo_pipeline.bench.questions import ALL_QUESTIONS, BY_NAME, QUESTIONS, columns_needed
from demo_pipeline.errors import BenchmarkError

BENCH_CODE = Path(engines_polars_pandas.__file__).parent


def _files_in(folder: str) -> set[str]:
    return {
        p.stem
        for p in (HERE / folder).iterdir()
        if p.suffix in (".sql", ".py") and not p.name.startswith("__")
    }


@pytest.mark.parametrize("question", ALL_QUESTIONS, ids=lambda q: q.name)
def test_every_question_has_its_file_in_every_engine_folder_that_runs_it(question):
    """Each declared engine has `<engine>/<question>.sql|.py`, under the same name."""
    for engine in question.engines:
        path = query_path(engine, question.name)
        assert path.stem == question.name and path.parent.name == engine
        assert path.read_text(encoding="utf-8").strip(), path


def test_no_query_file_is_undeclared():
    """Every file in an engine's folder is a declared question that engine answers: the
    folders and questions.py cannot drift apart."""
    for engine in ENGINES:
        declared = {q.name for q in ALL_QUESTIONS if engine in q.engines}
        assert _files_in(engine) == declared, engine


def test_the_analytical_questions_have_the_same_file_names_in_all_five_folders():
    """The questions every engine answers line up file for file across the folders."""
    names = {q.name for q in QUESTIONS}
    for engine in ENGINES:
        assert names <= _files_in(engine), engine


def test_every_benchmark_asks_only_questions_its_engines_have_files_for():
    """What each benchmark runs, by engine configuration, is declared for that folder."""
    runs: list[tuple[str, tuple[str, ...]]] = [
        *((q.name, engines_polars_pandas.ENGINES) for q in QUESTIONS),
        *((q.name, memory.ENGINES) for q in QUESTIONS),
        *((q.name, ("duckdb", "sqlite", "postgres")) for q in QUESTIONS),
        *((name, ("duckdb",)) for name in dimensional.QUERIES),
        *((name, ("duckdb",)) for name in preagg.QUERIES.values()),
        (formats.QUESTION.name, variants.ENGINES),
        *(
            (v.question, variants.ENGINES)
            for v in partitions.variants({"day": "2026-11-02", "lake": "l", "single": "s"})
        ),
    ]
    for name, engines in runs:
        for engine in engines:
            assert folder_for(engine) in BY_NAME[name].engines, (name, engine)
            query_path(engine, name)


def test_no_benchmark_picks_its_query_with_an_if_chain():
    """Query text lives in queries/, never in `if question == ...` branches or in SQL
    strings inside a benchmark module."""
    for module in BENCH_CODE.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        assert not re.search(r"\bquestion\s*==", text), module.name
        assert "GROUP BY" not in text, module.name


def test_a_missing_file_or_parameter_is_a_clear_error():
    """The loader names the file it expected, and the placeholder it could not fill."""
    with pytest.raises(BenchmarkError, match=r"sqlite/one_day_sales\.sql"):
        query_path("sqlite", "one_day_sales")
    with pytest.raises(BenchmarkError, match=r"placeholder"):
        sql("duckdb", "one_day_sales")
    assert "DATE '2026-11-02'" in sql("duckdb", "one_day_sales", day="2026-11-02")


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.name)
def test_every_engine_file_gives_the_same_answer_on_real_files(question, gold_workdir, tmp_path):
    """DuckDB and SQLite (loaded as the row-store benchmark loads them), Polars eager
    and lazy, pandas with numpy and with pyarrow dtypes: one fingerprint."""
    paths = {
        t: str(gold_workdir.gold_parquet / f"{t}.parquet")
        for t in ("fact_sales", "dim_product", "fact_inventory_daily")
    }
    answers = {}
    for engine, (con, query) in (
        ("duckdb", row_stores._load_duckdb(paths, str(tmp_path / "q.duckdb"), 1)),
        ("sqlite", row_stores._load_sqlite(paths, str(tmp_path / "q.sqlite"))),
    ):
        answers[engine] = fingerprint(question.output, query(sql(engine, question.name)))
        con.close()
    needed = columns_needed([question])
    for engine in ("polars_eager", "pandas_numpy", "pandas_arrow"):
        frames = engines_polars_pandas.load_frames(engine, paths, needed, 1)
        answer = frame_query(engine, question.name)(frames)
        answers[engine] = fingerprint(question.output, answer_rows(engine, answer, question.output))
    frames = engines_polars_pandas.load_frames("polars_eager", paths, needed, 1)
    lazy = frame_query("polars_lazy", question.name)({t: f.lazy() for t, f in frames.items()})
    answers["polars_lazy"] = fingerprint(
        question.output, answer_rows("polars", lazy.collect(), question.output)
    )
    validate_all(question.name, answers)


@pytest.mark.parametrize("module", [formats, partitions], ids=lambda m: m.NAME)
def test_the_shared_write_then_scan_helper_serves_formats_and_partitions(
    module, gold_workdir, tmp_path
):
    """Both benchmarks write their variants, then each engine answers every variant from
    its own query file through variants.scan_variants; the answers agree."""
    writer = formats.write_formats if module is formats else partitions.write_layouts
    scanner = formats.scan_formats if module is formats else partitions.scan_layouts
    key = "formats" if module is formats else "layouts"
    written = writer(
        {"source": str(gold_workdir.gold_parquet / "fact_sales.parquet"), "out_dir": tmp_path},
        1,
    )
    found = {}
    for engine in variants.ENGINES:
        payload = scanner({"engine": engine, "written": written, "warmups": 0, "repetitions": 1}, 1)
        assert payload["engine"] == engine
        for variant, result in payload[key].items():
            assert len(result["timing"]["runs_s"]) == 1
            found[f"{engine}/{variant}"] = result["answer"]
    expected = {f"{e}/{v.name}" for e in variants.ENGINES for v in module.variants(written)}
    assert set(found) == expected
    fingerprints = {k: AnswerFingerprint.from_dict(v) for k, v in found.items()}
    reference = validate_all(module.NAME, fingerprints)
    assert found[reference]["rows"] > 0
