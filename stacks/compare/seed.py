"""The seed: the same posts and comments on both stacks (through the public API), then the
storage they take and the probes that need exactly that data (the HTTP floor, SQL queries
per list, each read strategy's fan-out)."""

from __future__ import annotations

import functools

from stacks.compare import cost, loadgen, probes, workload
from stacks.compare.phase import Context, Phase, in_parallel


class Seed(Phase):
    name = "seed"

    def run(self, context: Context) -> None:
        options, stacks, record = context.options, context.stacks, context.record
        for kind, stack in stacks.items():
            # Made before the seed, so never among the newest posts the list shows: one for
            # the lag probes, one (kept short, so that each poll is quick) for the lag check.
            client = loadgen.client(kind, stack.urls)
            for purpose in ("lag", "lag check"):
                context.side_posts[kind, purpose] = client.create_post(f"For {purpose}").body["id"]
        context.say(
            f"seeding {options.posts} posts x {options.comments_per_post} comments each ..."
        )

        def seed(kind: str) -> None:
            context.post_ids[kind] = workload.seed(
                stacks[kind], posts=options.posts, comments_per_post=options.comments_per_post
            )
            workload.wait_for_read_model(
                stacks[kind], context.post_ids[kind], options.comments_per_post
            )

        in_parallel([functools.partial(seed, kind) for kind in stacks])
        context.say("  seeded; micro's read model has every comment with its final status")
        record.cost.storage_seeded = {k: cost.storage_bytes(s) for k, s in stacks.items()}
        record.probes.http_floor = {k: probes.http_floor(s) for k, s in stacks.items()}
        limits = tuple(sorted({1, options.posts}))
        record.probes.sql_per_list = {
            k: probes.sql_per_list(s, limits=limits) for k, s in stacks.items()
        }
        record.probes.read_fanout = {
            k: probes.read_fanout(s, posts=options.posts) for k, s in stacks.items()
        }
