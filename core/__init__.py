"""earshot's shared contracts: settings, topics, events, collections, and the clients built on them."""
