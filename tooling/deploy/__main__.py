"""`python -m tooling.deploy`: the deploy tool's command line."""

import sys

from tooling.deploy.deployer import main

sys.exit(main())
