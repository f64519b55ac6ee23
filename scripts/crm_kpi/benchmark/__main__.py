import sys

from crm_kpi.benchmark.run import main

sys.exit(main())
