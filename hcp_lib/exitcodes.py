"""Exit codes a scheduler can act on; docs/operations.md lists them."""

OK = 0
ERROR = 1
USAGE = 2
INVALID_INPUT = 3
RECONCILE_MISMATCH = 4
NOTEBOOK_FAILED = 5
