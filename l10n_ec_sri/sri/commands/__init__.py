"""Sub-commands of ``python -m sri``, one module per group."""
