"""What payments tell the rest of the site, without knowing who listens (the insights app
counts payment news in the journey that sent the request).

`payment_event`: kwargs `submission`, `request` (None for news from the provider or a command)
and `kind`: "payment_started", "payment_succeeded", "payment_failed" or "payment_cancelled".
"""

from django.dispatch import Signal

payment_event = Signal()
