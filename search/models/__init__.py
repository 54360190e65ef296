"""Models: the sentence encoders that turn text into vectors.

The sentence-transformers model run by torch or ONNX Runtime (`embedder`,
`onnx_model`), the multilingual Universal Sentence Encoder (`use_encoder`),
which model embeds which languages (`spaces`) and the threads they may use
(`threads`).

Beside the ground floor: imports only `search.config`.
"""
