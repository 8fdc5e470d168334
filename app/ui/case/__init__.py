"""The case screen: one widget per flowchart step, and the step indicator."""
