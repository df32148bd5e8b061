"""The Spark executor: the silver and gold declarations compiled for Apache Spark."""
