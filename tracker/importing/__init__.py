"""Turn a published report into a draft seed file."""
