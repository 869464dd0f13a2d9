"""Names the CLI needs before it imports any heavy module."""

EXPORTS = ("facts", "reports", "checks", "errors", "warnings", "coverage", "agencies", "series")
