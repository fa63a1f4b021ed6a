"""Rep and hold state machines: one ``update`` per frame, events out."""
