"""The shared black-box suite: the same scenarios against each stack, over real HTTP."""
