import sys

from producer.demo.run import main

sys.exit(main())
