"""Drawing: reads poses and reviews, decides nothing."""
