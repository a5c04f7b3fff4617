"""How often, and how patiently, a consumer retries a message before it gives up on it."""

MAX_RETRIES = 5


def backoff_seconds(retries: int) -> float:
    """Exponential backoff: 0.2 s, 0.4 s, 0.8 s ... capped at 10 s."""
    return min(0.2 * (2**retries), 10.0)
