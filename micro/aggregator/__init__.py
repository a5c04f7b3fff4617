"""The aggregator (the "sync" option): composes the post list by calling posts and comments."""
