"""The learner's side of self-check: hint ladders unlocked by real attempts (:mod:`.hints`)."""
