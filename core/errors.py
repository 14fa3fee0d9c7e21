"""The one error type whose message is meant for the user: the CLI prints it as a single line."""


class EarshotError(Exception):
    """A failure with a clear, actionable message (missing tool, service not ready, bad input)."""
