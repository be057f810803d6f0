"""What a recurring commitment itself (3.2-D, not its period 3.2-D/2022-01-04) may be given.

A recurring commitment's work is done period by period: each period is done when something
is logged on it. The commitment row has no completion of its own, so marking it done (or
signing it off) would say something the periods do not, and leave every unlogged period red.
Officers log the periods instead (`tracker log CODE --from … --to …`), or cancel the
commitment, which stops its future periods.
"""

from __future__ import annotations

from tracker.errors import TrackerError
from tracker.models import Commitment, Kind, Status


def is_recurring_parent(item: Commitment) -> bool:
    """Whether `item` is a recurring commitment itself rather than one of its periods."""
    return item.parent_id is None and item.kind == Kind.RECURRING


def refuse_parent_status(item: Commitment, status: Status) -> None:
    """Refuse any status but cancelled on a recurring commitment itself."""
    if is_recurring_parent(item) and status is not Status.CANCELLED:
        raise TrackerError("recurring_status_refused", code=item.code)


def refuse_parent_signoff(item: Commitment) -> None:
    """Refuse signing off (销号) a recurring commitment itself: its periods are signed off."""
    if is_recurring_parent(item):
        raise TrackerError("recurring_verify_refused", code=item.code)
