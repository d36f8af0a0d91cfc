"""What the flow runtime tells the rest of the site, without knowing who listens (search's
analytics credits a flow to the search that led to it).

`flow_started`: a resident started a flow (or started it again); kwargs `page` (the FlowPage)
and `request`. `flow_finished`: a request was sent; kwargs `page`, `request` and `submission`.
The runtime sends them robustly: a listener's error never stops a resident's flow.
"""

from django.dispatch import Signal

flow_started = Signal()
flow_finished = Signal()
