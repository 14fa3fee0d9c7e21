import sys

from producer.poller.service import main

sys.exit(main())
