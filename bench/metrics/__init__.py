"""Pure measurement functions over float32 audio shaped (channels, samples) at an explicit rate.

``audio`` (loudness, peaks, silence, clipping, stem residual, track difference), ``pitch`` (notes
sung within 50 cents), ``tempo``, ``key`` and ``asr`` (Whisper transcription, WER/CER).
"""
