"""The benchmark's sizes, defined once: a full run's and a `--quick` run's.

`manage.py compare` takes its defaults and the defaults its help names from here; its
options (`--duration`, `--posts`, ...) replace single sizes.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Sizes:
    levels: tuple[int, ...]  # closed-loop client counts
    duration: float  # seconds per run
    repetitions: int  # of each closed-loop run
    posts: int  # seeded on each stack
    comments_per_post: int  # seeded on each post
    lag_comments: int  # comments whose consistency lag is measured at idle
    lag_checks: int  # of those, checked against polling query
    pair_clients: tuple[int, ...]  # clients of each post + comment pair run
    max_writes: int  # per write run: micro must process each one afterwards
    count_posts: int  # N of the request-count table's post list
    warm_up_seconds: float  # of each action at 2 clients, before the reads and the writes
    floor_samples: int  # requests per floor measurement (GET /health/, list, WSGI floor)
    tracing_repetitions: int  # of the tracing A/B (traced, untraced) per list


FULL = Sizes(
    levels=(1, 8, 32),
    duration=2.0,
    repetitions=2,
    posts=50,
    comments_per_post=10,
    lag_comments=100,
    lag_checks=20,
    pair_clients=(16, 50),
    max_writes=100,
    count_posts=10,
    warm_up_seconds=1.0,
    floor_samples=300,
    tracing_repetitions=3,
)
QUICK = Sizes(
    levels=(1, 4),
    duration=0.5,
    repetitions=1,
    posts=10,
    comments_per_post=3,
    lag_comments=10,
    lag_checks=5,
    pair_clients=(20,),
    max_writes=40,
    count_posts=10,
    warm_up_seconds=0.25,
    floor_samples=50,
    tracing_repetitions=1,
)
