"""`python -m casetrail.cli` runs the casetrail command."""

import sys

from casetrail.cli import main

sys.exit(main())
