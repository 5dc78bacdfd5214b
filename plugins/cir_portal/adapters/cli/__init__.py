"""The ``cir`` command."""
