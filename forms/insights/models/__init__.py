"""The insights app's models: flow events, their daily roll-ups, satisfaction and channels."""

from .days import (
    JOURNEY_COUNTS,
    TIME_BUCKETS,
    ChannelCosts,
    ChannelVolume,
    FlowDay,
    FlowErrorDay,
    FlowStepDay,
    Satisfaction,
    SatisfactionResponse,
)
from .events import FlowEvent

__all__ = [
    "JOURNEY_COUNTS",
    "TIME_BUCKETS",
    "ChannelCosts",
    "ChannelVolume",
    "FlowDay",
    "FlowErrorDay",
    "FlowEvent",
    "FlowStepDay",
    "Satisfaction",
    "SatisfactionResponse",
]
