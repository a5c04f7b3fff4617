"""`.env.example` lists exactly the variables the deployables read, internal ones apart."""

from __future__ import annotations

import re
from pathlib import Path

from stacks.routes import MICRO_SERVICES, service_env_urls

PROJECT_DIR = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = PROJECT_DIR / ".env.example"
# Where the deployables' code is (tests and the workbench in stacks/ are not deployed).
DEPLOYED_CODE = ("shared", "micro", "monolith")
ENTRYPOINT = PROJECT_DIR / "deploy" / "docker-entrypoint.sh"
# Read by the code but not the blog's to document: the shell's and Django's own.
NOT_OURS = {"PATH", "HOME", "DJANGO_SETTINGS_MODULE"}
READERS = (
    r"env_(?:str|bool|int|list)",
    r"production_secret",
    r"refuse_placeholder",
    r"os\.environ\.get",
    r"os\.getenv",
    r"os\.environ\.setdefault",
)
PYTHON_READ = re.compile(r"(?:" + "|".join(READERS) + r")\(\s*\"([A-Z][A-Z0-9_]+)\"")
SUBSCRIPT_READ = re.compile(r"os\.environ\[\"([A-Z][A-Z0-9_]+)\"\]")
SHELL_READ = re.compile(r"\$\{?([A-Z][A-Z0-9_]+)")
INTERNAL_SECTION = "# -- Internal:"
# Where each micro service is: compose and Kubernetes set all of them alike, also the ones
# no service calls yet (QUERY_URL, MODERATION_URL, AGGREGATOR_URL).
ADDRESSES = set(service_env_urls({spec.name: "" for spec in MICRO_SERVICES}))


def deployed_python_files() -> list[Path]:
    files = [path for folder in DEPLOYED_CODE for path in (PROJECT_DIR / folder).rglob("*.py")]
    return [path for path in files if not {"tests", "testing"} & set(path.parts)]


def names_the_code_reads() -> set[str]:
    names = set()
    for path in deployed_python_files():
        text = path.read_text()
        names |= set(PYTHON_READ.findall(text)) | set(SUBSCRIPT_READ.findall(text))
    names |= set(SHELL_READ.findall(ENTRYPOINT.read_text()))
    return names - NOT_OURS


def names_listed() -> tuple[set[str], set[str]]:
    """(the public settings, the internal ones) that .env.example lists."""
    public, internal = ENV_EXAMPLE.read_text().split(INTERNAL_SECTION)
    pattern = re.compile(r"^([A-Z][A-Z0-9_]+)=", re.M)
    return set(pattern.findall(public)), set(pattern.findall(internal))


def test_env_example_lists_every_variable_the_code_reads_and_no_other():
    public, internal = names_listed()
    read = names_the_code_reads()

    assert read - (public | internal) == set(), "add these to .env.example"
    assert (public | internal) - read - ADDRESSES == set(), "nothing reads these: drop them"
    assert public >= ADDRESSES
    assert not public & internal


def test_the_scan_finds_reads_of_every_kind():
    """The check above can fail: it sees a secret, a multi-line read, a subscript, the shell."""
    read = names_the_code_reads()
    assert {"DJANGO_SECRET_KEY", "INTERNAL_TOKEN", "PGPASSWORD"} <= read
    assert "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS" in read  # its call spans two lines
    assert {"BLOG_FAULT_FILE", "WEB_THREADS", "BLOG_SERVICE"} <= read


def test_the_launchers_own_variables_are_marked_internal():
    _, internal = names_listed()
    assert {"BLOG_READY_FILE", "BLOG_TRACE_DIR", "BLOG_FAULT_FILE"} <= internal
