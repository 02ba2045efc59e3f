"""One module per ``hcp`` subcommand: ``register(subparsers)`` adds its parser and handler.

Command modules import heavy dependencies inside their handler, so ``hcp --help`` stays fast.
"""
