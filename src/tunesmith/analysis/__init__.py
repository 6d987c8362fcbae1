"""Music understanding of recordings Tunesmith did not make: separation, rhythm, harmony, form, melody, words."""
