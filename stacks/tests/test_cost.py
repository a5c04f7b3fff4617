"""Reading memory, CPU and storage of processes and databases from /proc and SQLite."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

from stacks.compare.cost import _sqlite_size, cpu_seconds, process_tree, status_kb


def test_a_process_tree_includes_the_children_it_started():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        assert child.pid in process_tree(os.getpid())
        assert process_tree(child.pid) == [child.pid]
    finally:
        child.kill()
        child.wait()


def test_rss_pss_and_cpu_of_this_process_are_read_from_proc():
    assert status_kb(os.getpid(), "VmRSS") > 1000
    assert status_kb(os.getpid(), "Pss") > 0
    before = cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.1
    while time.process_time() < deadline:
        pass
    assert cpu_seconds(os.getpid()) > before


def test_a_gone_process_reads_as_nothing():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert (status_kb(child.pid, "VmRSS"), cpu_seconds(child.pid)) == (0, 0.0)


def test_sqlite_data_counts_pages_in_use_even_before_a_checkpoint(tmp_path):
    path = tmp_path / "blog.sqlite3"
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # everything stays in the -wal file
    writer.execute("CREATE TABLE comment (content TEXT)")
    writer.executemany("INSERT INTO comment VALUES (?)", [("x" * 500,)] * 400)
    writer.commit()
    size = _sqlite_size(f"sqlite:///{path}")
    writer.close()
    assert size["data"] > 200_000  # 400 x 500 bytes, read through the WAL
    assert size["disk"] >= size["data"]


def test_sqlite_tables_hold_each_tables_bytes_with_its_indexes(tmp_path):
    path = tmp_path / "blog.sqlite3"
    writer = sqlite3.connect(path)
    writer.execute("CREATE TABLE query_post (title TEXT)")
    writer.execute("CREATE INDEX query_post_title ON query_post (title)")
    writer.execute("CREATE TABLE auth_user (name TEXT)")
    writer.executemany("INSERT INTO query_post VALUES (?)", [("t" * 500,)] * 200)
    writer.commit()
    writer.close()

    size = _sqlite_size(f"sqlite:///{path}")

    assert set(size["tables"]) == {"query_post", "auth_user", "sqlite_schema"}
    assert size["tables"]["query_post"] > 2 * 200 * 500  # the rows, and the index again
    assert sum(size["tables"].values()) == size["data"]
