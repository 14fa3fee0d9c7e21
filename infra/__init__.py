"""Local-stack tooling: provisions and runs Kafka, the MongoDB-compatible server and Spark's jars."""
