"""Exact percentiles and P(lag <= t) from raw samples."""

from __future__ import annotations

import random
import statistics

import pytest

from stacks.compare.stats import (
    curve_points,
    latency_summary,
    percentile,
    probability_curve,
    probability_within,
    rate,
)


def test_percentile_interpolates_between_the_two_nearest_ranks():
    samples = [4.0, 1.0, 3.0, 2.0]  # unsorted on purpose
    assert percentile(samples, 0) == 1.0
    assert percentile(samples, 100) == 4.0
    assert percentile(samples, 50) == 2.5
    assert percentile(samples, 25) == pytest.approx(1.75)
    assert percentile(samples, 99) == pytest.approx(3.97)


def test_percentile_agrees_with_the_standard_librarys_inclusive_quantiles():
    generator = random.Random(7)
    samples = [generator.expovariate(0.1) for _ in range(501)]
    cut_points = statistics.quantiles(samples, n=100, method="inclusive")
    for q in (1, 25, 50, 95, 99):
        assert percentile(samples, q) == pytest.approx(cut_points[q - 1])


def test_percentile_of_one_sample_is_that_sample_and_of_none_is_none():
    assert percentile([7.5], 99) == 7.5
    assert percentile([], 50) is None


def test_percentile_refuses_a_rank_outside_0_to_100():
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_latency_summary_reports_count_percentiles_mean_and_max():
    summary = latency_summary([float(ms) for ms in range(1, 101)])
    assert summary["n"] == 100
    assert summary["p50"] == pytest.approx(50.5)
    assert summary["p99"] == pytest.approx(99.01)
    assert (summary["mean"], summary["max"]) == (50.5, 100.0)
    assert latency_summary([])["p50"] is None


def test_probability_within_is_the_share_at_or_below_the_limit():
    lags = [5.0, 10.0, 10.0, 40.0]
    assert probability_within(lags, 10.0) == 0.75
    assert probability_within(lags, 4.9) == 0.0
    assert probability_within(lags, 40.0) == 1.0
    assert probability_within([], 10.0) is None


def test_probability_curve_never_falls_and_ends_at_one():
    lags = [3.0, 8.0, 8.0, 20.0, 55.0]
    curve = probability_curve(lags, curve_points(lags, count=20))
    shares = [share for _t, share in curve]
    assert shares == sorted(shares)
    assert shares[0] == 0.0 and shares[-1] == 1.0
    assert curve[0][0] == 0.0


def test_rate_is_none_without_elapsed_time():
    assert rate(30, 2.0) == 15.0
    assert rate(30, 0.0) is None
