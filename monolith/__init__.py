"""The blog as one Django project: one process type, one database."""
