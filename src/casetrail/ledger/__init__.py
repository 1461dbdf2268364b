"""The ledger: an append-only, hash-chained record of every action.

`merkle`, `canonical`, `signing` and `verify` are framework-free; `models` and `record`
store entries through Django. Apps write through `casetrail.ledger.record.record`.
"""
