"""Base settings of the test suite's ``app`` fixture (see ``flaskkit_settings`` in pyproject.toml)."""

SECRET_KEY = "test-only-secret-key-that-is-long-enough-for-the-deploy-check-0123456789"
PLUGINS: list[str] = []
