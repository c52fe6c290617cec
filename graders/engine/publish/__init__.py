"""Publishing the kit: the student release (:mod:`.release`), the Gradescope bundle
(:mod:`.gradescope`) and the student notebooks made from the skeletons (:mod:`.notebook_export`)."""
