"""Placeholder: commands of this group are added by their owner."""


def register(sub):
    pass
