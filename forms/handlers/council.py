"""The council's handlers: fees, look-ups, results and actions for the demo flows.

Importing this module registers them all. They live in modules named for what they do:
`council_fees`, `council_lookups` and `council_bins` (not `fees`, `lookups`...: a submodule
of that name would replace the registry of the same name on the `forms.handlers` package).
"""

from forms.handlers import council_bins, council_fees, council_lookups

__all__ = ["council_bins", "council_fees", "council_lookups"]
