"""casetrail: case handling and supervision, closed-loop, queryable and traceable."""

__version__ = "0.1.0"
