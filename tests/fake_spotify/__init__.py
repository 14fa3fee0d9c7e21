"""Test helpers for the producer: a fake Spotify Web API on loopback and Kafka topic readers."""
