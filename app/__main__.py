import sys

from app.studio import main

sys.exit(main())
