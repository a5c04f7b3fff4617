"""docs_figures on a small made-up run: a snippet per chapter, its charts, its verdicts."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from stacks.compare import claims as judged
from stacks.compare.figures import (
    CHAPTERS,
    FIGURES,
    README_END,
    README_START,
    claim_rows,
    replace_readme_block,
    write_figures,
)
from stacks.launcher import PROJECT_DIR

README = f"# Title\n\nbefore\n\n{README_START}\nold figures\n{README_END}\n\nafter\n"


def test_every_chapter_gets_a_snippet_naming_the_run(raw, tmp_path):
    write_figures(raw, tmp_path)
    for slug in CHAPTERS:
        text = (tmp_path / FIGURES / f"{slug}.md").read_text()
        first = text.splitlines()[0]
        assert "2026-01-01T00:00:00Z" in first
        assert "commit abc123" in first
        assert "`python manage.py compare --quick`" in first
        assert "### Verdict" in text


def test_a_chapter_shows_its_claims_verdicts_from_the_claims_table(raw, tmp_path):
    write_figures(raw, tmp_path)
    text = (tmp_path / FIGURES / "scaling.md").read_text()
    (scaling,) = [c for c in judged.claims(raw) if c["claim"].startswith("Scaling a busy")]
    verdict_row = [line for line in text.splitlines() if line.startswith("| Scaling a busy")]
    assert len(verdict_row) == 1
    assert scaling["verdict"] in verdict_row[0]
    assert scaling["measured"] in verdict_row[0]


def test_each_claim_a_chapter_names_is_exactly_one_row_of_the_claims_table(raw):
    for chapter in CHAPTERS.values():
        assert len(claim_rows(raw, chapter.claims)) == len(chapter.claims)
    with pytest.raises(ValueError, match="0 claims start with 'No such claim'"):
        claim_rows(raw, ("No such claim",))


def test_the_charts_the_snippets_show_are_written_beside_them(raw, tmp_path):
    write_figures(raw, tmp_path)
    directory = tmp_path / FIGURES
    shown = set()
    for slug in CHAPTERS:
        for line in (directory / f"{slug}.md").read_text().splitlines():
            if line.startswith("!["):
                shown.add(line.split("](", 1)[1].rstrip(")"))
    assert f"{FIGURES}/latency.png" in shown
    for path in shown:
        assert (tmp_path / path).read_bytes().startswith(b"\x89PNG")


def test_a_chart_the_run_has_no_data_for_does_not_survive_from_an_older_run(raw, tmp_path):
    (tmp_path / FIGURES).mkdir()
    (tmp_path / FIGURES / "scaling.png").write_bytes(b"old")
    write_figures({**raw, "scaling": []}, tmp_path)
    assert not (tmp_path / FIGURES / "scaling.png").exists()
    assert "not measured" in (tmp_path / FIGURES / "scaling.md").read_text()


def test_the_raw_json_is_copied_so_the_figures_can_be_made_again(raw, tmp_path):
    write_figures(raw, tmp_path)
    first = (tmp_path / FIGURES / "sync-vs-async.md").read_text()
    again = json.loads((tmp_path / FIGURES / "raw.json").read_text())
    write_figures(again, tmp_path)
    assert (tmp_path / FIGURES / "sync-vs-async.md").read_text() == first


def test_the_readme_block_is_replaced_and_nothing_else(raw, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(README)
    write_figures(raw, tmp_path / "docs", readme)
    text = readme.read_text()
    assert text.startswith("# Title\n\nbefore\n\n" + README_START)
    assert text.endswith(README_END + "\n\nafter\n")
    assert "old figures" not in text
    assert "| target" in text and "commit abc123" in text
    assert f"(docs/{FIGURES}/latency.png)" in text


def test_a_readme_without_the_markers_is_refused():
    with pytest.raises(ValueError, match=r"no .*docs_figures:start"):
        replace_readme_block("# no markers\n", "block")


def _docs_figures(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(PROJECT_DIR / "manage.py"), "docs_figures", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_names_the_report_dir_when_it_has_no_raw_json(tmp_path):
    result = _docs_figures(str(tmp_path), "--docs", str(tmp_path / "docs"), "--readme", "")
    assert result.returncode == 1
    assert f"report_dir: {tmp_path / 'raw.json'} does not exist" in result.stderr


def test_the_command_writes_the_figures_and_says_what_it_wrote(raw, tmp_path):
    (tmp_path / "raw.json").write_text(json.dumps(raw))
    docs = tmp_path / "docs"
    result = _docs_figures(str(tmp_path), "--docs", str(docs), "--readme", "")
    assert result.returncode == 0, result.stderr
    assert f"wrote {docs / FIGURES / 'query-service.md'}" in result.stdout.splitlines()
    assert (docs / FIGURES / "query-service.md").exists()
