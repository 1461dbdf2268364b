"""Ledger errors that the command line catches without loading Django."""


class LedgerDamaged(RuntimeError):
    """The stored ledger lacks a row it must have: `casetrail ledger verify` says more."""


class TreeStorageError(LedgerDamaged):
    """A node the tree needs is not stored: the rows were removed or never written."""


class ChainStorageError(LedgerDamaged):
    """An entry names as its previous one an entry the log does not have."""
