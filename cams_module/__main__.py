import sys

from cams_module.cli import main

sys.exit(main())
