"""Exit codes a scheduler can act on; docs/operations.md lists them."""

OK = 0
ERROR = 1
USAGE = 2
INVALID_INPUT = 3
RECONCILE_MISMATCH = 4
NOTEBOOK_FAILED = 5
# hcp send
NOT_SENDABLE = 6  # the report failed, is provisional, differs from its manifest, or was sent
SMTP_UNREACHABLE = 7  # the server could not be reached, or kept failing temporarily
SMTP_CERTIFICATE = 8  # the server's TLS certificate was not accepted (or TLS failed)
SMTP_AUTH = 9  # the server rejected the login
MAIL_REFUSED = 10  # the server refused a recipient or the message; nothing was sent
