"""Targets and the course's claims, judged from a run's raw figures."""

from __future__ import annotations

import copy

from stacks.compare import claims
from stacks.compare.claims import FAILS, HOLDS, PARTLY, UNKNOWN, combine


def by_name(rows: list[dict], key: str, text: str) -> dict:
    return next(row for row in rows if row[key].startswith(text))


def test_combine_all_true_holds_all_false_fails_a_mix_is_partly():
    assert combine([True, True]) == HOLDS
    assert combine([False, False]) == FAILS
    assert combine([True, False]) == PARTLY
    assert combine([True, None]) == HOLDS  # unmeasured parts are left out
    assert combine([None, None]) == UNKNOWN


def test_targets_are_judged_from_the_medians_at_one_client(raw):
    targets = claims.targets(raw)
    query = by_name(targets, "target", "query list of 50 posts x 10 comments: p50 <= 0.52")
    monolith = by_name(targets, "target", "monolith list")
    assert (query["measured"], query["met"]) == ("6.00 ms", False)  # p50 of 5, 6, 7
    assert (monolith["measured"], monolith["met"]) == ("3.50 ms", False)  # over 2.0 ms
    comment = by_name(targets, "target", "add comment on micro, 1 client: p50 <= 5.67 ms")
    assert (comment["measured"], comment["met"]) == ("4.50 ms", True)
    post = by_name(targets, "target", "create post on micro, 1 client: p50 <= 2.36 ms")
    assert (post["measured"], post["met"]) == ("2.50 ms", False)
    lag_p50 = by_name(targets, "target", "consistency lag at idle: p50 <= 11.9 ms")
    assert (lag_p50["measured"], lag_p50["met"]) == ("16.5 ms", False)  # of 10, 15, 18, 90
    assert by_name(targets, "target", "consistency lag at idle: p99 <= 50 ms")["met"] is False


def test_cpu_per_pair_counts_every_process_at_the_fewest_clients(raw):
    row = by_name(claims.targets(raw), "target", "CPU per post + comment pair")
    # 2.0 + 4.0 + 0.6 s of CPU for 440 pairs at 16 clients.
    assert (row["measured"], row["met"]) == ("15.0 ms at 16 clients", True)
    costly = copy.deepcopy(raw)
    costly["pairs"][0]["server_cpu_s"]["query-worker"] = 3.0
    assert by_name(claims.targets(costly), "target", "CPU per post + comment pair")["met"] is False


def test_idle_cpu_and_memory_after_load_are_judged_on_micro(raw):
    idle = by_name(claims.targets(raw), "target", "idle CPU of the whole micro stack")
    assert (idle["measured"], idle["met"]) == (
        "0.80% over 10 s (busiest: eventbus-worker 0.50%)",
        True,
    )
    memory = by_name(claims.targets(raw), "target", "micro PSS after load: <= 530 MiB")
    assert (memory["measured"], memory["met"]) == ("80 MiB in 3 processes", True)
    busy = copy.deepcopy(raw)
    busy["cost"]["idle_cpu"]["cpu_s"]["micro"]["query-web"] = 0.06
    assert by_name(claims.targets(busy), "target", "idle CPU of the whole")["met"] is False


def test_query_list_is_judged_against_the_wsgi_floor_of_its_bytes(raw):
    row = by_name(
        claims.targets(raw), "target", "query list of 50 posts x 10 comments: p50 <= 1.5x"
    )
    assert (row["measured"], row["met"]) == ("12.0x (6.00 ms over 0.50 ms)", False)
    near = copy.deepcopy(raw)
    near["floor"]["list"]["micro"]["wsgi_floor"]["p50_ms"] = 4.5
    row = by_name(
        claims.targets(near), "target", "query list of 50 posts x 10 comments: p50 <= 1.5x"
    )
    assert row["met"] is True  # 6.0 / 4.5 = 1.33x


def test_query_throughput_at_8_clients_needs_the_node_rate_and_no_errors(raw):
    row = by_name(claims.targets(raw), "target", "query list at 8 clients")
    assert row["met"] is False  # 2 requests in a second, and one 503
    assert row["measured"].endswith("req/s, 1 errors")


def test_every_service_health_must_be_under_the_floor_target(raw):
    row = by_name(claims.targets(raw), "target", "GET /health/")
    assert (row["measured"], row["met"]) == ("slowest micro query 0.70 ms; fastest 0.50 ms", False)
    fast = copy.deepcopy(raw)
    fast["floor"]["health"]["micro"]["query"]["p50_ms"] = 0.6
    assert by_name(claims.targets(fast), "target", "GET /health/")["met"] is True


def test_write_throughput_needs_the_rate_and_nothing_lost_at_each_client_count(raw):
    at_16, at_50 = "post + comment pairs at 16 clients", "post + comment pairs at 50 clients"
    assert by_name(claims.targets(raw), "target", at_16)["met"] is True  # 220 pairs/s
    assert by_name(claims.targets(raw), "target", at_50)["met"] is False  # 160 pairs/s
    lossy = copy.deepcopy(raw)
    lossy["pairs"][0]["check"]["lost"] = 1
    assert by_name(claims.targets(lossy), "target", at_16)["met"] is False


def test_a_target_without_a_measurement_is_not_judged(raw):
    empty = copy.deepcopy(raw)
    empty["runs"], empty["pairs"], empty["lag"], empty["probes"] = [], [], {}, {}
    empty["floor"], empty["cost"] = {}, {}
    assert {target["met"] for target in claims.targets(empty)} == {None}
    assert {target["measured"] for target in claims.targets(empty)} == {"not measured"}


def test_sql_per_list_must_not_grow_with_the_number_of_posts(raw):
    assert (
        by_name(
            claims.targets(raw), "target", "SQL queries per list read do not grow with N (monolith)"
        )["met"]
        is True
    )
    growing = copy.deepcopy(raw)
    growing["probes"]["sql_per_list"]["micro"] = {"1": 2, "50": 51}
    row = by_name(
        claims.targets(growing), "target", "SQL queries per list read do not grow with N (query)"
    )
    assert row["met"] is False


def test_the_claims_table_has_every_claim_of_the_course_with_a_verdict(raw):
    table = claims.claims(raw)
    assert len(table) == 9
    assert all(row["verdict"] in (HOLDS, FAILS, PARTLY, UNKNOWN) for row in table)
    assert all(row["checked_by"] and row["measured"] for row in table)


def test_sync_failure_and_query_independence_follow_the_outage_probe(raw):
    table = claims.claims(raw)
    assert by_name(table, "claim", "If any inter-service")["verdict"] == HOLDS
    assert by_name(table, "claim", "If posts or comments are down")["verdict"] == HOLDS
    changed = copy.deepcopy(raw)
    changed["probes"]["writers_down"]["query_unchanged"] = False
    changed["probes"]["writers_down"]["outcomes"]["aggregator"] = "200"
    table = claims.claims(changed)
    assert by_name(table, "claim", "If any inter-service")["verdict"] == FAILS
    assert by_name(table, "claim", "If posts or comments are down")["verdict"] == FAILS


def test_query_is_independent_but_not_extremely_fast_when_it_misses_4_ms(raw):
    row = by_name(claims.claims(raw), "claim", "The query service")
    assert row["verdict"] == PARTLY  # 0 calls, same answer when down; p50 6 ms > 4 ms


def test_data_duplication_verdict_follows_the_stated_byte_ratio(raw):
    row = by_name(claims.claims(raw), "claim", "Data duplication")
    assert row["verdict"] == PARTLY  # 320 KB vs 100 KB: 3.2x
    assert "3.2x" in row["measured"]
    lean = copy.deepcopy(raw)
    for database in lean["cost"]["storage_seeded"]["micro"].values():
        database["data"] = 40_000
    assert by_name(claims.claims(lean), "claim", "Data duplication")["verdict"] == HOLDS


def test_scaling_holds_when_a_second_worker_of_the_busy_service_helps_in_both_regimes(raw):
    row = by_name(claims.claims(raw), "claim", "Scaling")
    # slowed: 5.0 -> 9.5 (1.9x); full speed: eventbus busiest, 10 -> 11 (1.1x): a mix.
    assert row["verdict"] == PARTLY
    assert "eventbus" in row["measured"]
    helped = copy.deepcopy(raw)
    helped["scaling"][3]["final_per_s"] = 18.0
    assert by_name(claims.claims(helped), "claim", "Scaling")["verdict"] == HOLDS


def test_unmeasured_claims_say_so(raw):
    bare = copy.deepcopy(raw)
    bare["probes"], bare["scaling"] = {}, []
    table = claims.claims(bare)
    assert by_name(table, "claim", "When moderation is down")["verdict"] == UNKNOWN
    assert by_name(table, "claim", "Scaling")["verdict"] == UNKNOWN


def test_data_duplication_leaves_out_djangos_own_tables_once_tables_are_measured(raw):
    """A database per service repeats Django's auth, admin and session tables: that is
    the price of separate databases, not of duplicated data."""
    measured = copy.deepcopy(raw)
    for stack in ("micro", "monolith"):
        for database in measured["cost"]["storage_seeded"][stack].values():
            database["tables"] = {"auth_user": 1_000_000, "blog_post": 0}
    measured["cost"]["storage_seeded"]["monolith"]["monolith"]["tables"]["blog_post"] = 100_000
    micro = measured["cost"]["storage_seeded"]["micro"]
    micro["posts"]["tables"]["posts_post"] = 100_000
    micro["query"]["tables"]["query_post"] = 120_000

    row = by_name(claims.claims(measured), "claim", "Data duplication")

    assert "2.2x" in row["measured"]  # 220 KB against 100 KB (3.8x with auth_user counted)
    assert row["verdict"] == PARTLY
