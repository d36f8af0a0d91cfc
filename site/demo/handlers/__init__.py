"""The demo's handlers: fees, look-ups, results and actions that the demo flows name.

Importing this package registers them all (the demo app does it when it is ready). `records`
holds the fake council-tax accounts and penalty charge notices that the look-ups check: the
demo has no council systems behind it, so these never run in production.
"""

from . import bins, fees, records

__all__ = ["bins", "fees", "records"]
