"""Django settings that every deployable (the monolith and each micro service) starts from."""
