"""The blog as separately deployable Django services that talk through Celery tasks on Redis."""
