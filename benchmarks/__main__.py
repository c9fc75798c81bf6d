"""``python -m benchmarks``: run glassnet's speed benchmark."""

import sys

from benchmarks.run import main

sys.exit(main())
