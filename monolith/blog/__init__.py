"""The monolith's blog app: posts, comments and in-process moderation."""
