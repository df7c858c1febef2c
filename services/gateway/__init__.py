"""Gateway: the public HTTP API, API keys and projects, and read models projected from Kafka."""
