"""The public review format (``formcheck.review/1``) and its JSON Schema."""

from formcheck.review.schema import (
    REVIEW_SCHEMA_ID,
    CheckStatus,
    FaultEvent,
    Hold,
    Measurement,
    MostCommonFault,
    Processing,
    Rep,
    Review,
    ReviewSource,
    ReviewWarning,
    Summary,
)

__all__ = [
    "REVIEW_SCHEMA_ID", "CheckStatus", "FaultEvent", "Hold", "Measurement", "MostCommonFault", "Processing", "Rep", "Review",
    "ReviewSource", "ReviewWarning", "Summary",
]
