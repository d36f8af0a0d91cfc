"""What the flow runtime tells the rest of the site, without knowing who listens: search's
analytics credits a flow to the search that led to it, and the insights app counts each step.

- `flow_started`: a resident started a flow (or started it again); kwargs `page` (the FlowPage)
  and `request`.
- `flow_event`: a resident did something in a flow; kwargs `page`, `request`, `kind` (such as
  "step_viewed", "step_failed", "submitted"), `step` and `detail` (a dict: `field` and `error`
  for a failed answer). Never an answer.
- `flow_finished`: a request was sent; kwargs `page`, `request` and `submission`.

The runtime sends them robustly: a listener's error never stops a resident's flow.
"""

from django.dispatch import Signal

flow_started = Signal()
flow_event = Signal()
flow_finished = Signal()
