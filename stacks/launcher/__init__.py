"""Start a whole stack (monolith or micro) on loopback, drive its processes, stop it all.

Importable, so that tests and the benchmark can start a stack, stop, kill, pause and
restart one service or worker, and wait until everything is healthy again. `Stack`
(stack.py: its life cycle) is made of one part per role, each in a module of its own:
processes.py (each process, extra workers, health), databases.py (each service's
database, migrations, resets, admin users), faults.py (the injected faults of study mode)
and keys.py (the launch's internal token, event signing keys and Redis URLs).
"""

from stacks.launcher.base import MANAGE_PY, PROJECT_DIR, StackError
from stacks.launcher.stack import Stack

__all__ = ["MANAGE_PY", "PROJECT_DIR", "Stack", "StackError"]
