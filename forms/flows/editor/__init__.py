"""The flow editor's own admin screens and actions, each in its module; wagtail_hooks imports
them so their hooks are registered."""
