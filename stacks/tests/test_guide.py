"""The study guide names only what exists: manage.py commands and their options, make
targets, settings and environment variables, files and tests; its figures are generated."""

from __future__ import annotations

import json
import re
from pathlib import Path

import django
import pytest

from stacks.compare.figures import CHAPTERS, FIGURES, README_END, README_START, write_figures
from stacks.launcher import PROJECT_DIR

DOCS = PROJECT_DIR / "docs"
PAGES = sorted(
    [path for path in DOCS.glob("*.md")] + [PROJECT_DIR / "README.md"], key=lambda p: p.name
)
SOURCE_FOLDERS = ("shared", "micro", "monolith", "stacks", "deploy", "tests")
SOURCE_FILES = (".env.example", "Makefile", "pyproject.toml", "docker-compose.yml", "Dockerfile")
# Files that only exist once something ran (the launcher's run folder, reports, the site).
RUNTIME_PREFIXES = ("var/", "reports/", "site/", "test-artifacts/", "/")
# Inline code is one `span`; a fenced block is read line by line.
INLINE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.DOTALL | re.MULTILINE)
MANAGE = re.compile(r"manage\.py\s{1,2}([a-z_]+)((?:\s+[^\s|;&#`]+)*)")
MAKE = re.compile(r"(?<![\w-])make\s+([a-z][a-z0-9-]*)")
UPPER = re.compile(r"^([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:=.*)?$")
PATH = re.compile(r"^[\w.-]+(?:/[\w.<>*-]+)+/?(?:::[\w\[\]. -]+)?$")


def code_of(text: str) -> list[str]:
    """Every inline code span and every line of every fenced block of a page."""
    lines = [line for block in FENCE.findall(text) for line in block.splitlines()]
    return lines + INLINE.findall(FENCE.sub("", text))


def management_commands() -> dict[str, Path]:
    """name -> module file: the project's commands and Django's (contrib apps included)."""
    roots = [PROJECT_DIR / folder for folder in SOURCE_FOLDERS] + [Path(django.__file__).parent]
    return {
        path.stem: path
        for root in roots
        for path in root.rglob("management/commands/*.py")
        if not path.stem.startswith("_")
    }


def make_targets() -> set[str]:
    text = (PROJECT_DIR / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z0-9-]*):", text, re.MULTILINE))


def source_text() -> str:
    files = [PROJECT_DIR / name for name in SOURCE_FILES]
    for folder in SOURCE_FOLDERS:
        files += [p for p in (PROJECT_DIR / folder).rglob("*") if p.is_file()]
    this = Path(__file__).resolve()  # its own examples of names that do not exist
    files = [p for p in files if p.resolve() != this]
    return "\n".join(
        p.read_text(errors="ignore") for p in files if p.suffix not in (".pyc", ".png")
    )


def command_options(module: Path) -> str:
    """The source that declares a command's options: its module and the project's commands
    (launch's shared stack options are used by demo and compare)."""
    project = (PROJECT_DIR / "stacks" / "management" / "commands").glob("*.py")
    return module.read_text() + "".join(p.read_text() for p in project)


DJANGO_OPTIONS = {"--settings", "--help", "--pythonpath", "--traceback", "--no-color"}


def missing_in(text: str, *, commands, targets, source) -> list[str]:
    """What a page's code names that does not exist, each as a short description."""
    missing = []
    for code in code_of(text):
        for name, arguments in MANAGE.findall(code):
            if name not in commands:
                missing.append(f"manage.py command {name!r}")
                continue
            for option in re.findall(r"(?<!\S)(--[a-z][a-z-]*)", arguments):
                declared = command_options(commands[name])
                # A boolean option --x (BooleanOptionalAction) also gives --no-x.
                positive = "--" + option.removeprefix("--no-")
                if option not in DJANGO_OPTIONS and not (
                    f'"{option}"' in declared or f'"{positive}"' in declared
                ):
                    missing.append(f"option {option} of manage.py {name}")
            for module in re.findall(r"--settings=([\w.<>]+)", arguments):
                if "<" in module:
                    continue  # micro.<service>.settings: a pattern, not a module
                if not (PROJECT_DIR / (module.replace(".", "/") + ".py")).exists():
                    missing.append(f"settings module {module}")
        missing += [f"make target {t!r}" for t in MAKE.findall(code) if t not in targets]
        for token in dict.fromkeys([code.strip(), *code.split()]):
            upper = UPPER.match(token)
            if upper and upper.group(1) not in source:
                missing.append(f"setting or environment variable {upper.group(1)}")
            if PATH.match(token) and not token.startswith(RUNTIME_PREFIXES):
                missing += missing_path(token)
    return missing


def missing_path(token: str) -> list[str]:
    path, _, test = token.partition("::")
    if "<" in path or "*" in path:  # a pattern (micro/<service>/): its folder must exist
        path = path.split("<")[0].split("*")[0].rsplit("/", 1)[0]
    if not path.endswith("/") and "." not in Path(path).name:
        return []  # a dotted name or a word with a slash ("sync/async"), not a file
    where = PROJECT_DIR / path
    if not where.exists():
        return [f"file {path}"]
    name = test.split("[")[0]
    if name and f"def {name}(" not in where.read_text():
        return [f"test {path}::{name}"]
    return []


@pytest.fixture(scope="module")
def known() -> dict:
    return {"commands": management_commands(), "targets": make_targets(), "source": source_text()}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_a_page_names_only_what_exists(page, known):
    assert missing_in(page.read_text(), **known) == []


@pytest.mark.parametrize(
    "text, found",
    [
        ("`manage.py no_such_command`", "manage.py command 'no_such_command'"),
        ("`manage.py launch micro --no-such-option`", "option --no-such-option of manage.py"),
        ("`manage.py migrate --settings=micro.nowhere.settings`", "settings module micro.now"),
        ("```sh\nmake no-such-target   # a comment\n```", "make target 'no-such-target'"),
        ("`BLOG_NO_SUCH_SETTING=1`", "setting or environment variable BLOG_NO_SUCH_SETTING"),
        ("see `stacks/no_such_module.py`", "file stacks/no_such_module.py"),
        ("`tests/test_reliability.py::test_no_such_test`", "test tests/test_reliability.py::"),
    ],
)
def test_the_check_finds_what_does_not_exist(text, found, known):
    missing = missing_in(text, **known)
    assert len(missing) == 1 and missing[0].startswith(found), missing


def test_the_check_accepts_what_exists(known):
    text = (
        "`manage.py compare --quick`, `manage.py rebuild_query --settings=micro.query.settings`,"
        " `make docs`, `REDIS_URL`, `stacks/compare/figures.py`, `micro/<service>/`,"
        " `tests/test_latency_properties.py::test_a_slow_comments_service_slows_the_aggregator"
        "_but_not_query`, `var/query.sqlite3`"
    )
    assert missing_in(text, **known) == []


def test_every_chapter_includes_its_generated_figures():
    for slug in CHAPTERS:
        assert f'--8<-- "{FIGURES}/{slug}.md"' in (DOCS / f"{slug}.md").read_text(), slug


def test_the_committed_figures_are_what_docs_figures_makes_of_the_committed_run(tmp_path):
    raw = json.loads((DOCS / FIGURES / "raw.json").read_text())
    readme = tmp_path / "README.md"
    readme.write_text(f"{README_START}\n{README_END}\n")
    write_figures(raw, tmp_path, readme)
    for slug in CHAPTERS:
        generated = (tmp_path / FIGURES / f"{slug}.md").read_text()
        assert generated == (DOCS / FIGURES / f"{slug}.md").read_text(), f"{slug}: edited?"
    committed = (PROJECT_DIR / "README.md").read_text()
    assert readme.read_text().strip() in committed, "README figures differ from docs_figures'"
    charts = {p.name for p in (tmp_path / FIGURES).glob("*.png")}
    assert charts == {p.name for p in (DOCS / FIGURES).glob("*.png")}
