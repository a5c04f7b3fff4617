"""The HTTP contract both stacks serve: serializers, errors, health, body limit, request ids."""
