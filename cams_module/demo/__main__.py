"""`python -m cams_module.demo`: run the demo launcher."""

import sys

from cams_module.demo.launcher import main

sys.exit(main())
