"""Ledger errors that the command line catches without loading Django."""


class TreeStorageError(RuntimeError):
    """A node the tree needs is not stored: the rows were removed or never written."""
