"""earshot: the front door (the `earshot` command) and the pipeline supervisor."""
