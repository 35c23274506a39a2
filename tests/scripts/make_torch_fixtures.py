#!/usr/bin/python3
"""Writes tiny BERT/RoBERTa/ELECTRA checkpoints made with real PyTorch, and PyTorch's outputs for them.

HF transformers cannot be installed here (no PyPI), so BertModel, RobertaModel and ElectraModel below are
plain-torch copies of transformers' modeling_bert.py / modeling_roberta.py / modeling_electra.py (eager
attention, eval mode, no dropout):
the same module tree (hence the same state-dict names) and the same arithmetic. The converter's parity
tests compare its ONNX graphs against expected.json.

Run (from the repository root):  /usr/bin/python3 tests/scripts/make_torch_fixtures.py [--only tiny-st-bert]
Writes udfs/src/test/resources/torch-fixtures/{tiny-bert,tiny-roberta,tiny-bert-legacy-names,tiny-electra,
tiny-xlm-roberta,tiny-st-bert}/. tiny-xlm-roberta's tokenizer is udfs/src/test/resources/unigram/ko-unigram.model
(make_unigram_fixtures.py; run that first), used as its sentencepiece.bpe.model; its expected ids come from
SentencePiece with fairseq's offset. --only tiny-st-bert writes that directory alone (the sentence-transformers
checkpoint: BertModel + Pooling + Dense + Normalize, with plain-torch copies of
sentence_transformers.models.Pooling/Dense/Normalize).
Deterministic: seeded weights, fixed inputs; safetensors/JSON bytes are identical run to run.
"""

import json
import math
import os
import struct
import sys
from collections import OrderedDict
from copy import deepcopy

import numpy as np
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "udfs", "src", "test", "resources",
                   "torch-fixtures")

# ---------------------------------------------------------------------------------------------- vocab

# Body shared by both vocabularies: punctuation, Korean syllables and ## pieces, some English.
VOCAB_BODY = (
    [".", ",", "!", "?", "'", "(", ")", "-", "0", "1", "2", "3"]
    + list("가나다라마바사아자차카타파하고는을를이에의도서한대로부기지시어우수리")
    + ["##" + s for s in "가나는을를이에의도서한요고게며면지기까습니어"]
    + ["한국", "서울", "학교", "사람", "오늘", "날씨", "좋", "##은", "##았", "##어요", "##입니다", "##했다",
       "먹", "##었", "##다", "밥", "책", "읽", "친구", "만나", "자연어", "처리", "문장", "단어", "데이터", "검색",
       "##들", "##과", "##와", "##로", "##부터", "##까지", "있", "없", "##였", "##는데", "그리고", "하지만"]
    + ["the", "a", "is", "was", "of", "and", "to", "in", "it", "model", "spark", "text", "embed", "##ding",
       "##s", "##ed", "##ing", "korean", "language", "un", "##der", "##stand", "good", "day", "hello",
       "world", "we", "read", "book", "##ly", "fast", "slow", "data", "search", "sentence", "word", "token",
       "##er"]
)
BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]  # klue/bert-base order
ROBERTA_SPECIALS = ["[CLS]", "[PAD]", "[SEP]", "[UNK]", "[MASK]"]  # klue/roberta-* order
BERT_VOCAB = BERT_SPECIALS + VOCAB_BODY
ROBERTA_VOCAB = ROBERTA_SPECIALS + VOCAB_BODY
assert len(set(BERT_VOCAB)) == len(BERT_VOCAB), "duplicate vocab entries"

BERT_CONFIG = OrderedDict(
    model_type="bert", architectures=["BertModel"], vocab_size=len(BERT_VOCAB), hidden_size=32,
    num_hidden_layers=2, num_attention_heads=4, intermediate_size=64, hidden_act="gelu",
    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, max_position_embeddings=40, type_vocab_size=2,
    initializer_range=0.02, layer_norm_eps=1e-12, pad_token_id=0, position_embedding_type="absolute",
    torch_dtype="float32", transformers_version="4.30.0")
ROBERTA_CONFIG = OrderedDict(
    model_type="roberta", architectures=["RobertaForMaskedLM"], vocab_size=len(ROBERTA_VOCAB), hidden_size=24,
    num_hidden_layers=3, num_attention_heads=3, intermediate_size=48, hidden_act="gelu",
    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, max_position_embeddings=42, type_vocab_size=1,
    initializer_range=0.02, layer_norm_eps=1e-5, pad_token_id=1, bos_token_id=0, eos_token_id=2,
    position_embedding_type="absolute", torch_dtype="float32", transformers_version="4.30.0")

# ElectraForPreTraining (a discriminator) with embedding_size != hidden_size, so embeddings_project exists.
ELECTRA_CONFIG = OrderedDict(
    model_type="electra", architectures=["ElectraForPreTraining"], vocab_size=len(BERT_VOCAB), embedding_size=16,
    hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64, hidden_act="gelu",
    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, max_position_embeddings=40, type_vocab_size=2,
    initializer_range=0.02, layer_norm_eps=1e-12, pad_token_id=0, position_embedding_type="absolute",
    summary_type="first", torch_dtype="float32", transformers_version="4.30.0")
# XLMRobertaModel is RobertaModel with another config: a SentencePiece vocabulary in fairseq's layout
# (<s>=0 <pad>=1 </s>=2 <unk>=3, pieces, <mask>), here the 2,002 ids of the Unigram fixture.
XLMR_SPM = os.path.join(OUT, "..", "unigram", "ko-unigram.model")
XLMR_CONFIG = OrderedDict(
    model_type="xlm-roberta", architectures=["XLMRobertaModel"], vocab_size=2002, hidden_size=32,
    num_hidden_layers=2, num_attention_heads=4, intermediate_size=64, hidden_act="gelu",
    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, max_position_embeddings=40, type_vocab_size=1,
    initializer_range=0.02, layer_norm_eps=1e-5, pad_token_id=1, bos_token_id=0, eos_token_id=2,
    position_embedding_type="absolute", torch_dtype="float32", transformers_version="4.30.0")
# Row 0 is the longest (no padding); row 1 is a pair, <s> A </s></s> B </s> (XLM-R's template, types all 0).
XLMR_TEXTS = [
    ["체크인할 때 호스트가 직접 나와서 동네 맛집 지도를 건네주었습니다."],
    ["가을 하늘이 맑다.", "오늘은 날씨가 좋다."],
    ["Spark로 한국어 문장을 임베딩한다."],
    ["뷁"],
]

# ---------------------------------------------------------------------------- model (HF semantics)


class Embeddings(nn.Module):
    """BertEmbeddings / RobertaEmbeddings / ElectraEmbeddings: word + position + token type, LayerNorm.

    ElectraEmbeddings is BertEmbeddings at width embedding_size (tables and LayerNorm)."""

    def __init__(self, c, roberta):
        super().__init__()
        self.roberta = roberta
        self.pad = c["pad_token_id"]
        width = c.get("embedding_size", c["hidden_size"])
        self.word_embeddings = nn.Embedding(c["vocab_size"], width, padding_idx=self.pad)
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], width,
                                                padding_idx=self.pad if roberta else None)
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], width)
        self.LayerNorm = nn.LayerNorm(width, eps=c["layer_norm_eps"])
        # Persistent in transformers < 4.31, so older checkpoints carry it; readers must skip it.
        self.register_buffer("position_ids", torch.arange(c["max_position_embeddings"]).expand((1, -1)))

    def positions(self, input_ids):
        if self.roberta:  # create_position_ids_from_input_ids
            mask = input_ids.ne(self.pad).int()
            return (torch.cumsum(mask, dim=1).type_as(mask) * mask).long() + self.pad
        return self.position_ids[:, :input_ids.shape[1]]

    def forward(self, input_ids, token_type_ids):
        x = (self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
             + self.position_embeddings(self.positions(input_ids)))
        return self.LayerNorm(x)


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c["num_attention_heads"]
        self.head_size = c["hidden_size"] // self.heads
        self.query = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.key = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.value = nn.Linear(c["hidden_size"], c["hidden_size"])

    def split(self, x):
        return x.view(x.shape[0], x.shape[1], self.heads, self.head_size).permute(0, 2, 1, 3)

    def forward(self, hidden, extended_mask):
        q, k, v = self.split(self.query(hidden)), self.split(self.key(hidden)), self.split(self.value(hidden))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_size) + extended_mask
        context = torch.matmul(nn.functional.softmax(scores, dim=-1), v)
        context = context.permute(0, 2, 1, 3).contiguous()
        return context.view(context.shape[0], context.shape[1], -1)


class DenseLayerNorm(nn.Module):
    """BertSelfOutput / BertOutput: dense, residual add, LayerNorm."""

    def __init__(self, c, width_in):
        super().__init__()
        self.dense = nn.Linear(width_in, c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = SelfAttention(c)
        self.output = DenseLayerNorm(c, c["hidden_size"])

    def forward(self, hidden, extended_mask):
        return self.output(self.self(hidden, extended_mask), hidden)


class Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        assert c["hidden_act"] == "gelu"
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])

    def forward(self, x):
        return nn.functional.gelu(self.dense(x))  # exact erf GELU, as HF "gelu"


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = DenseLayerNorm(c, c["intermediate_size"])

    def forward(self, hidden, extended_mask):
        attended = self.attention(hidden, extended_mask)
        return self.output(self.intermediate(attended), attended)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])


class Pooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])

    def forward(self, hidden):
        return torch.tanh(self.dense(hidden[:, 0]))


class EncoderModel(nn.Module):
    """BertModel (roberta=False) or RobertaModel (roberta=True), with pooler."""

    def __init__(self, c, roberta):
        super().__init__()
        self.embeddings = Embeddings(c, roberta)
        self.encoder = Encoder(c)
        self.pooler = Pooler(c)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        # get_extended_attention_mask: [batch, 1, 1, seq], 0 for keep and float32 min for padding.
        extended = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
        hidden = self.embeddings(input_ids, token_type_ids)
        states = [hidden]
        for layer in self.encoder.layer:
            hidden = layer(hidden, extended)
            states.append(hidden)
        return hidden, self.pooler(hidden), states


class LmHead(nn.Module):
    """RobertaLMHead; its decoder is tied to the word embeddings as in RobertaForMaskedLM."""

    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.layer_norm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.decoder = nn.Linear(c["hidden_size"], c["vocab_size"])
        self.bias = nn.Parameter(torch.zeros(c["vocab_size"]))
        self.decoder.bias = self.bias


class RobertaForMaskedLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.roberta = EncoderModel(c, roberta=True)
        self.lm_head = LmHead(c)
        self.lm_head.decoder.weight = self.roberta.embeddings.word_embeddings.weight


class ElectraModel(nn.Module):
    """ElectraModel: BERT's embeddings (embedding_size wide), embeddings_project when embedding_size !=
    hidden_size, BERT's encoder, no pooler. HF hands the projected embeddings to the encoder, and the encoder's
    first hidden state is its input: hidden_states[0] is the projected embeddings."""

    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c, roberta=False)
        if c["embedding_size"] != c["hidden_size"]:
            self.embeddings_project = nn.Linear(c["embedding_size"], c["hidden_size"])
        self.encoder = Encoder(c)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        extended = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
        hidden = self.embeddings(input_ids, token_type_ids)
        if hasattr(self, "embeddings_project"):
            hidden = self.embeddings_project(hidden)
        states = [hidden]
        for layer in self.encoder.layer:
            hidden = layer(hidden, extended)
            states.append(hidden)
        return hidden, None, states


class DiscriminatorPredictions(nn.Module):
    """ElectraDiscriminatorPredictions (the replaced-token head; the converter ignores it)."""

    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.dense_prediction = nn.Linear(c["hidden_size"], 1)


class ElectraForPreTraining(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.electra = ElectraModel(c)
        self.discriminator_predictions = DiscriminatorPredictions(c)


def randomize(module, seed):
    """std 0.2 weights and biases, LayerNorm weights 1 + noise: outputs well away from zero."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in module.named_parameters():  # tied parameters are listed once
            noise = torch.randn(param.shape, generator=generator) * 0.2
            param.copy_(1.0 + noise * 0.5 if name.endswith("LayerNorm.weight") or name.endswith("layer_norm.weight")
                        else noise)
    module.eval()
    return module

# ------------------------------------------------------------------------------------------- inputs


def batch(vocab, rows, token_type_rows=None):
    """Pads rows of tokens (strings) to one length with the vocab's [PAD]; ids, mask and types."""
    ids = {token: i for i, token in enumerate(vocab)}
    pad = ids["[PAD]"]
    length = max(len(r) for r in rows)
    input_ids = [[ids[t] for t in r] + [pad] * (length - len(r)) for r in rows]
    mask = [[1] * len(r) + [0] * (length - len(r)) for r in rows]
    types = None
    if token_type_rows is not None:
        types = [list(t) + [0] * (length - len(t)) for t in token_type_rows]
    return input_ids, mask, types


# Row 0 is the longest (no padding); row 2 of BERT is a sentence pair (token types 0 then 1).
BERT_ROWS = [
    ["[CLS]", "오늘", "날씨", "##는", "좋", "##았", "##다", ".", "친구", "만나", "##요", "[SEP]"],
    ["[CLS]", "spark", "embed", "##ding", "##s", "korean", "text", "fast", "[SEP]"],
    ["[CLS]", "한국", "##어", "책", "[SEP]", "we", "read", "a", "book", ".", "[SEP]"],
    ["[CLS]", "가", "[UNK]", "[SEP]"],
]
BERT_TYPES = [[0] * 12, [0] * 9, [0] * 5 + [1] * 6, [0] * 4]
ROBERTA_ROWS = [
    ["[CLS]", "서울", "##의", "학교", "##에", "사람", "##이", "밥", "##을", "먹", "##었", "##다", "[SEP]"],
    ["[CLS]", "hello", "world", "[MASK]", "[SEP]"],
    ["[CLS]", "un", "##der", "##stand", "##ing", "language", "is", "good", "[SEP]"],
    ["[CLS]", "하", "##고", "[SEP]"],
]

# ------------------------------------------------------------------------------------------ writing


def sig9(values):
    """float32 values as Python floats with 9 significant digits (round-trips float32 exactly)."""
    return [float("%.9g" % v) for v in values]


def nested(tensor):
    array = tensor.detach().to(torch.float32).numpy()
    if array.ndim == 1:
        return sig9(array.tolist())
    return [nested(torch.from_numpy(a)) for a in array]


SAFETENSORS_DTYPES = {torch.float32: "F32", torch.int64: "I64"}


def write_safetensors(path, tensors):
    """safetensors: u64 LE header length, JSON header (space-padded to 8 bytes), raw LE data."""
    header = OrderedDict([("__metadata__", {"format": "pt"})])
    blobs, offset = [], 0
    for name, tensor in tensors.items():
        data = tensor.detach().contiguous().numpy().astype(tensor.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = OrderedDict(dtype=SAFETENSORS_DTYPES[tensor.dtype], shape=list(tensor.shape),
                                   data_offsets=[offset, offset + len(data)])
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-(8 + len(text)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    """Reads back what write_safetensors wrote, to check the file independently of torch."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = OrderedDict()
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = {"F32": "<f4", "I64": "<i8"}[info["dtype"]]
        begin, end = info["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[begin:end], dtype=dtype).reshape(info["shape"]).copy())
    return out


def write_text(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_json(path, obj, compact=False):
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":")) if compact else \
        json.dumps(obj, ensure_ascii=False, indent=2)
    write_text(path, text + "\n")


def tokenizer_config(specials):
    return OrderedDict(tokenizer_class="BertTokenizer", do_lower_case=False, do_basic_tokenize=True,
                       never_split=None, strip_accents=None, tokenize_chinese_chars=True,
                       model_max_length=512, **specials)


def expected(model, config, vocab, rows, token_type_rows, note):
    input_ids, mask, types = batch(vocab, rows, token_type_rows)
    ids_t, mask_t = torch.tensor(input_ids), torch.tensor(mask)
    types_t = torch.tensor(types) if types is not None else None
    with torch.no_grad():
        last, pooled, states = model(ids_t, mask_t, types_t)
    result = OrderedDict()
    result["note"] = note
    result["torch_version"] = torch.__version__
    result["tokens"] = [r + ["[PAD]"] * (len(input_ids[0]) - len(r)) for r in rows]
    result["input_ids"] = input_ids
    result["attention_mask"] = mask
    if types is not None:
        result["token_type_ids"] = types
    result["position_ids"] = model.embeddings.positions(ids_t).expand(len(rows), -1).tolist()
    result["last_hidden_state"] = nested(last)
    if pooled is not None:  # ELECTRA has no pooler
        result["pooler_output"] = nested(pooled)
    result["hidden_states"] = [nested(s) for s in states]
    assert len(result["hidden_states"]) == config["num_hidden_layers"] + 1
    return result, (ids_t, mask_t, types_t, last, pooled, states)


def expected_xlmr(model):
    """Like expected(), from texts: SentencePiece pieces with fairseq's ids (HF's slow XLMRobertaTokenizer)."""
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=XLMR_SPM)
    assert sp.get_piece_size() + 2 == XLMR_CONFIG["vocab_size"]
    fairseq = lambda text: [i + 1 if i > 0 else 3 for i in sp.encode(text)]
    rows = [[0] + fairseq(t[0]) + [2] + ([2] + fairseq(t[1]) + [2] if len(t) > 1 else []) for t in XLMR_TEXTS]
    pad, length = XLMR_CONFIG["pad_token_id"], max(len(r) for r in rows)
    assert length == len(rows[0]) and length <= XLMR_CONFIG["max_position_embeddings"] - pad - 1
    input_ids = [r + [pad] * (length - len(r)) for r in rows]
    mask = [[1] * len(r) + [0] * (length - len(r)) for r in rows]
    ids_t, mask_t = torch.tensor(input_ids), torch.tensor(mask)
    with torch.no_grad():
        last, pooled, states = model(ids_t, mask_t, None)
    result = OrderedDict()
    result["note"] = ("XLMRobertaModel (RobertaModel's code) outputs (eval, fp32); ids from SentencePiece "
                      "(unigram/ko-unigram.model, as sentencepiece.bpe.model) with fairseq's offset; rows padded "
                      "with <pad>=1; row 1 is a pair; no token_type_ids input.")
    result["torch_version"] = torch.__version__
    result["texts"] = XLMR_TEXTS
    result["input_ids"] = input_ids
    result["attention_mask"] = mask
    result["position_ids"] = model.embeddings.positions(ids_t).expand(len(rows), -1).tolist()
    result["last_hidden_state"] = nested(last)
    result["pooler_output"] = nested(pooled)
    result["hidden_states"] = [nested(s) for s in states]
    return result, (ids_t, mask_t, None, last, pooled, states)

# ------------------------------------------------------------------------------------------- checks


def check_padding_invariance(model, run, name):
    """Each row alone, unpadded, gives its real tokens the outputs the padded batch gave them.

    Checked in float64 (a copy of the model), where masking is the only possible source of a difference;
    float32 differs by summation order alone (different matmul shapes), reported as the second figure.
    """
    ids, mask, types = run[:3]
    worst = {}
    for dtype in (torch.float64, torch.float32):
        copy = deepcopy(model).to(dtype)
        with torch.no_grad():
            last, pooled, _ = copy(ids, mask, types)
            worst[dtype] = 0.0
            for row in range(ids.shape[0]):
                n = int(mask[row].sum())
                alone_types = types[row:row + 1, :n] if types is not None else None
                alone_last, alone_pooled, _ = copy(ids[row:row + 1, :n], mask[row:row + 1, :n], alone_types)
                worst[dtype] = max(worst[dtype], (alone_last[0] - last[row, :n]).abs().max().item(),
                                   0.0 if pooled is None else (alone_pooled[0] - pooled[row]).abs().max().item())
    assert worst[torch.float64] < 1e-6, f"{name}: padding changed real-token outputs by {worst[torch.float64]}"
    assert worst[torch.float32] < 1e-5, f"{name}: float32 padded/unpadded differ by {worst[torch.float32]}"
    return worst[torch.float64], worst[torch.float32]


def check_roberta_positions(model, run, pad):
    ids, mask = run[0], run[1]
    positions = model.embeddings.positions(ids)
    for row in range(ids.shape[0]):
        n = int(mask[row].sum())
        want = list(range(pad + 1, pad + 1 + n)) + [pad] * (ids.shape[1] - n)
        assert positions[row].tolist() == want, f"RoBERTa positions row {row}: {positions[row].tolist()}"


def numpy_reference(state, c, ids, mask, types, roberta, prefix=""):
    """An independent float64 numpy forward pass (from the state dict alone) to cross-check the torch modules."""
    w = {k[len(prefix):]: v.double().numpy() for k, v in state.items() if k.startswith(prefix)}
    eps, pad, h = c["layer_norm_eps"], c["pad_token_id"], c["hidden_size"]
    heads = c["num_attention_heads"]
    ids, mask = ids.numpy(), mask.numpy().astype(np.float64)
    types = np.zeros_like(ids) if types is None else types.numpy()

    def ln(x, p):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + eps) * w[p + ".weight"] + w[p + ".bias"]

    def dense(x, p):
        return x @ w[p + ".weight"].T + w[p + ".bias"]

    if roberta:
        real = (ids != pad).astype(np.int64)
        pos = np.cumsum(real, axis=1) * real + pad
    else:
        pos = np.broadcast_to(np.arange(ids.shape[1]), ids.shape)
    x = ln(w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][pos]
           + w["embeddings.token_type_embeddings.weight"][types], "embeddings.LayerNorm")
    if "embeddings_project.weight" in w:  # ELECTRA with embedding_size != hidden_size
        x = dense(x, "embeddings_project")
    erf = np.vectorize(math.erf)
    bias = (1.0 - mask)[:, None, None, :] * np.finfo(np.float32).min
    for i in range(c["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        b, s = x.shape[:2]
        split = lambda t: t.reshape(b, s, heads, h // heads).transpose(0, 2, 1, 3)
        q, k, v = (split(dense(x, p + "attention.self." + n)) for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(h // heads) + bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        ctx = (scores / scores.sum(-1, keepdims=True)) @ v
        ctx = ctx.transpose(0, 2, 1, 3).reshape(b, s, h)
        a = ln(dense(ctx, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        inter = dense(a, p + "intermediate.dense")
        inter = 0.5 * inter * (1.0 + erf(inter / math.sqrt(2.0)))
        x = ln(dense(inter, p + "output.dense") + a, p + "output.LayerNorm")
    return x, (np.tanh(dense(x[:, 0], "pooler.dense")) if "pooler.dense.weight" in w else None)


def check_against_numpy(state, c, run, roberta, prefix, name):
    ids, mask, types, last, pooled, _ = run
    ref_last, ref_pooled = numpy_reference(state, c, ids, mask, types, roberta, prefix)
    worst = max(np.abs(ref_last - last.double().numpy()).max(),
                0.0 if pooled is None else np.abs(ref_pooled - pooled.double().numpy()).max())
    assert worst < 1e-4, f"{name}: torch and numpy reference differ by {worst}"
    return worst

# --------------------------------------------------------------------------------------------- main


# ------------------------------------------------------------- sentence-transformers (plain torch copies)

ST_MODES = ["cls", "mean", "max", "mean_sqrt_len_tokens", "weightedmean", "lasttoken"]
ST_MODE_KEYS = {"cls": "pooling_mode_cls_token", "mean": "pooling_mode_mean_tokens",
                "max": "pooling_mode_max_tokens", "mean_sqrt_len_tokens": "pooling_mode_mean_sqrt_len_tokens",
                "weightedmean": "pooling_mode_weightedmean_tokens", "lasttoken": "pooling_mode_lasttoken"}
ST_DENSE_OUT = 20


def st_pooling(mode, token_embeddings, attention_mask):
    """sentence_transformers.models.Pooling.forward (v2.2-3.x) for one mode, include_prompt=True."""
    if mode == "cls":
        return token_embeddings[:, 0]
    if mode == "max":
        input_mask_expanded = attention_mask.unsqueeze(-1).expand(token_embeddings.size()).to(token_embeddings.dtype)
        token_embeddings = token_embeddings.clone()
        token_embeddings[input_mask_expanded == 0] = -1e9  # padding never the maximum
        return torch.max(token_embeddings, 1)[0]
    if mode in ("mean", "mean_sqrt_len_tokens"):
        input_mask_expanded = attention_mask.unsqueeze(-1).expand(token_embeddings.size()).to(token_embeddings.dtype)
        sum_embeddings = torch.sum(token_embeddings * input_mask_expanded, 1)
        sum_mask = torch.clamp(input_mask_expanded.sum(1), min=1e-9)
        return sum_embeddings / sum_mask if mode == "mean" else sum_embeddings / torch.sqrt(sum_mask)
    if mode == "weightedmean":
        input_mask_expanded = attention_mask.unsqueeze(-1).expand(token_embeddings.size()).to(token_embeddings.dtype)
        weights = (torch.arange(start=1, end=token_embeddings.shape[1] + 1).unsqueeze(0).unsqueeze(-1)
                   .expand(token_embeddings.size()).to(token_embeddings.dtype))
        input_mask_expanded = input_mask_expanded * weights
        sum_embeddings = torch.sum(token_embeddings * input_mask_expanded, 1)
        sum_mask = torch.clamp(input_mask_expanded.sum(1), min=1e-9)
        return sum_embeddings / sum_mask
    if mode == "lasttoken":
        bs, seq_len, hidden_dim = token_embeddings.shape
        values, indices = attention_mask.flip(1).max(1)
        indices = torch.where(values == 0, seq_len - 1, indices)
        gather_indices = (seq_len - indices - 1).unsqueeze(-1).repeat(1, hidden_dim).unsqueeze(1)
        return torch.gather(token_embeddings, 1, gather_indices).squeeze(dim=1)
    raise ValueError(mode)


class StDense(nn.Module):
    """sentence_transformers.models.Dense: activation(linear(x)); state-dict names linear.weight / linear.bias."""

    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features, bias=True)
        self.activation_function = nn.Tanh()

    def forward(self, x):
        return self.activation_function(self.linear(x))


def st_normalize(x):
    """sentence_transformers.models.Normalize: F.normalize(x, p=2, dim=1)."""
    return torch.nn.functional.normalize(x, p=2, dim=1)


def write_sentence_transformers(report):
    """tiny-st-bert: a BertModel in sentence-transformers layout (mean pooling declared, Dense tanh, Normalize)."""
    bert = randomize(EncoderModel(BERT_CONFIG, roberta=False), seed=4321)
    dense = StDense(BERT_CONFIG["hidden_size"], ST_DENSE_OUT)
    generator = torch.Generator().manual_seed(4322)
    with torch.no_grad():
        for param in dense.parameters():
            param.copy_(torch.randn(param.shape, generator=generator) * 0.3)
    dense.eval()
    st_dir = os.path.join(OUT, "tiny-st-bert")
    os.makedirs(os.path.join(st_dir, "1_Pooling"), exist_ok=True)
    os.makedirs(os.path.join(st_dir, "2_Dense"), exist_ok=True)
    state = bert.state_dict()
    write_json(os.path.join(st_dir, "config.json"), BERT_CONFIG)
    write_text(os.path.join(st_dir, "vocab.txt"), "\n".join(BERT_VOCAB) + "\n")
    write_json(os.path.join(st_dir, "tokenizer_config.json"), tokenizer_config(OrderedDict(
        unk_token="[UNK]", sep_token="[SEP]", pad_token="[PAD]", cls_token="[CLS]", mask_token="[MASK]")))
    write_safetensors(os.path.join(st_dir, "model.safetensors"), state)
    modules = [OrderedDict(idx=0, name="0", path="", type="sentence_transformers.models.Transformer"),
               OrderedDict(idx=1, name="1", path="1_Pooling", type="sentence_transformers.models.Pooling"),
               OrderedDict(idx=2, name="2", path="2_Dense", type="sentence_transformers.models.Dense"),
               OrderedDict(idx=3, name="3", path="3_Normalize", type="sentence_transformers.models.Normalize")]
    write_json(os.path.join(st_dir, "modules.json"), modules)
    pooling = OrderedDict(word_embedding_dimension=BERT_CONFIG["hidden_size"])
    for mode in ST_MODES:
        pooling[ST_MODE_KEYS[mode]] = mode == "mean"
    pooling["include_prompt"] = True
    write_json(os.path.join(st_dir, "1_Pooling", "config.json"), pooling)
    write_json(os.path.join(st_dir, "2_Dense", "config.json"), OrderedDict(
        in_features=BERT_CONFIG["hidden_size"], out_features=ST_DENSE_OUT, bias=True,
        activation_function="torch.nn.modules.activation.Tanh"))
    # Dense weights as older sentence-transformers saved them: pytorch_model.bin (torch.save of the state dict).
    torch.save(dense.state_dict(), os.path.join(st_dir, "2_Dense", "pytorch_model.bin"))
    # Normalize has no files; sentence-transformers writes an empty 3_Normalize folder, which git cannot hold.

    input_ids, mask, types = batch(BERT_VOCAB, BERT_ROWS, BERT_TYPES)
    ids_t, mask_t, types_t = torch.tensor(input_ids), torch.tensor(mask), torch.tensor(types)
    result = OrderedDict()
    result["note"] = ("sentence-transformers pipeline outputs (eval, fp32) for tiny-bert's batch: BertModel, then "
                      "Pooling with each mode, Dense(32->20, tanh), Normalize. 1_Pooling/config.json declares mean; "
                      "sentence_embedding[mode] is what the checkpoint gives when that mode is declared.")
    result["torch_version"] = torch.__version__
    result["input_ids"] = input_ids
    result["attention_mask"] = mask
    result["token_type_ids"] = types
    worst = 0.0
    with torch.no_grad():
        last = bert(ids_t, mask_t, types_t)[0]
        result["pooled"] = OrderedDict()
        result["sentence_embedding"] = OrderedDict()
        for mode in ST_MODES:
            pooled = st_pooling(mode, last, mask_t)
            result["pooled"][mode] = nested(pooled)
            result["sentence_embedding"][mode] = nested(st_normalize(dense(pooled)))
            # float64 check of the whole pipeline from the same weights
            pooled64 = st_pooling(mode, deepcopy(bert).double()(ids_t, mask_t, types_t)[0], mask_t)
            full64 = st_normalize(deepcopy(dense).double()(pooled64))
            worst = max(worst, (full64 - st_normalize(dense(pooled)).double()).abs().max().item())
    write_json(os.path.join(st_dir, "expected.json"), result, compact=True)
    back = torch.load(os.path.join(st_dir, "2_Dense", "pytorch_model.bin"))
    assert list(back) == ["linear.weight", "linear.bias"], list(back)
    for name, tensor in read_safetensors(os.path.join(st_dir, "model.safetensors")).items():
        assert torch.equal(tensor, state[name]), f"tiny-st-bert: {name} did not round-trip"
    report.append(("tiny-st-bert float32 vs float64 sentence_embedding max diff (all modes)", worst))


def legacy_names(state):
    """bert. prefix and TF-era LayerNorm gamma/beta, as old converted checkpoints have."""
    out = OrderedDict()
    for name, tensor in state.items():
        if name == "embeddings.position_ids":
            continue  # old checkpoints predate the buffer
        name = name.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
        out["bert." + name] = tensor
    return out


def main():
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    report = []
    if sys.argv[1:] == ["--only", "tiny-st-bert"]:
        write_sentence_transformers(report)
        for label, value in report:
            print(f"{label}: {value}")
        print(f"torch {torch.__version__}; wrote {os.path.join(OUT, 'tiny-st-bert')}")
        return 0
    if sys.argv[1:]:
        raise SystemExit("usage: make_torch_fixtures.py [--only tiny-st-bert]")

    # BERT: BertModel saved without prefix.
    bert = randomize(EncoderModel(BERT_CONFIG, roberta=False), seed=1234)
    bert_dir = os.path.join(OUT, "tiny-bert")
    os.makedirs(bert_dir, exist_ok=True)
    bert_state = bert.state_dict()
    write_json(os.path.join(bert_dir, "config.json"), BERT_CONFIG)
    write_text(os.path.join(bert_dir, "vocab.txt"), "\n".join(BERT_VOCAB) + "\n")
    write_json(os.path.join(bert_dir, "tokenizer_config.json"), tokenizer_config(OrderedDict(
        unk_token="[UNK]", sep_token="[SEP]", pad_token="[PAD]", cls_token="[CLS]", mask_token="[MASK]")))
    write_safetensors(os.path.join(bert_dir, "model.safetensors"), bert_state)
    torch.save(bert_state, os.path.join(bert_dir, "pytorch_model.bin"))
    bert_expected, bert_run = expected(
        bert, BERT_CONFIG, BERT_VOCAB, BERT_ROWS, BERT_TYPES,
        "BertModel outputs (eval, fp32) for the batch below; rows padded with [PAD]=0; row 2 is a sentence pair.")
    write_json(os.path.join(bert_dir, "expected.json"), bert_expected, compact=True)
    report.append(("tiny-bert padded vs alone max diff (float64, float32)", check_padding_invariance(bert, bert_run, "tiny-bert")))
    report.append(("tiny-bert torch vs numpy float64 max diff",
                   check_against_numpy(bert_state, BERT_CONFIG, bert_run, False, "", "tiny-bert")))

    # Same BERT weights under legacy names (bert. prefix, gamma/beta), safetensors only, with a pretraining head.
    legacy_dir = os.path.join(OUT, "tiny-bert-legacy-names")
    os.makedirs(legacy_dir, exist_ok=True)
    legacy = legacy_names(bert_state)
    head = torch.Generator().manual_seed(99)
    legacy["cls.predictions.bias"] = torch.randn(len(BERT_VOCAB), generator=head) * 0.2
    legacy["cls.seq_relationship.weight"] = torch.randn(2, BERT_CONFIG["hidden_size"], generator=head) * 0.2
    legacy["cls.seq_relationship.bias"] = torch.randn(2, generator=head) * 0.2
    legacy_config = OrderedDict(BERT_CONFIG)
    legacy_config["architectures"] = ["BertForPreTraining"]
    write_json(os.path.join(legacy_dir, "config.json"), legacy_config)
    write_text(os.path.join(legacy_dir, "vocab.txt"), "\n".join(BERT_VOCAB) + "\n")
    write_safetensors(os.path.join(legacy_dir, "model.safetensors"), legacy)

    # RoBERTa: RobertaForMaskedLM-style checkpoint, roberta. prefix plus lm_head.* the converter ignores.
    mlm = randomize(RobertaForMaskedLM(ROBERTA_CONFIG), seed=5678)
    roberta = mlm.roberta
    roberta_dir = os.path.join(OUT, "tiny-roberta")
    os.makedirs(roberta_dir, exist_ok=True)
    mlm_state = mlm.state_dict()  # lm_head.decoder.weight shares storage with the word embeddings
    write_json(os.path.join(roberta_dir, "config.json"), ROBERTA_CONFIG)
    write_text(os.path.join(roberta_dir, "vocab.txt"), "\n".join(ROBERTA_VOCAB) + "\n")
    write_json(os.path.join(roberta_dir, "tokenizer_config.json"), tokenizer_config(OrderedDict(
        bos_token="[CLS]", eos_token="[SEP]", unk_token="[UNK]", sep_token="[SEP]", pad_token="[PAD]",
        cls_token="[CLS]", mask_token="[MASK]")))
    # save_pretrained drops tied weights from safetensors (shared tensors are not allowed there).
    tied = {"lm_head.decoder.weight", "lm_head.decoder.bias"}
    write_safetensors(os.path.join(roberta_dir, "model.safetensors"),
                      OrderedDict((k, v) for k, v in mlm_state.items() if k not in tied))
    torch.save(mlm_state, os.path.join(roberta_dir, "pytorch_model.bin"))
    roberta_expected, roberta_run = expected(
        roberta, ROBERTA_CONFIG, ROBERTA_VOCAB, ROBERTA_ROWS, None,
        "RobertaModel outputs (eval, fp32) for the batch below; rows padded with [PAD]=1; no token_type_ids "
        "input (type_vocab_size 1, all zeros); position_ids = cumsum(input_ids != 1) * mask + 1.")
    write_json(os.path.join(roberta_dir, "expected.json"), roberta_expected, compact=True)
    check_roberta_positions(roberta, roberta_run, ROBERTA_CONFIG["pad_token_id"])
    report.append(("tiny-roberta padded vs alone max diff (float64, float32)",
                   check_padding_invariance(roberta, roberta_run, "tiny-roberta")))
    report.append(("tiny-roberta torch vs numpy float64 max diff",
                   check_against_numpy(mlm_state, ROBERTA_CONFIG, roberta_run, True, "roberta.", "tiny-roberta")))

    # ELECTRA discriminator: ElectraForPreTraining-style checkpoint, electra. prefix (embeddings 16 wide, projected
    # to hidden 32) plus discriminator_predictions.* the converter ignores; same vocabulary and rows as tiny-bert.
    discriminator = randomize(ElectraForPreTraining(ELECTRA_CONFIG), seed=4321)
    electra = discriminator.electra
    electra_dir = os.path.join(OUT, "tiny-electra")
    os.makedirs(electra_dir, exist_ok=True)
    electra_state = discriminator.state_dict()
    write_json(os.path.join(electra_dir, "config.json"), ELECTRA_CONFIG)
    write_text(os.path.join(electra_dir, "vocab.txt"), "\n".join(BERT_VOCAB) + "\n")
    electra_tokenizer = tokenizer_config(OrderedDict(
        unk_token="[UNK]", sep_token="[SEP]", pad_token="[PAD]", cls_token="[CLS]", mask_token="[MASK]"))
    electra_tokenizer["tokenizer_class"] = "ElectraTokenizer"
    write_json(os.path.join(electra_dir, "tokenizer_config.json"), electra_tokenizer)
    write_safetensors(os.path.join(electra_dir, "model.safetensors"), electra_state)
    torch.save(electra_state, os.path.join(electra_dir, "pytorch_model.bin"))
    electra_expected, electra_run = expected(
        electra, ELECTRA_CONFIG, BERT_VOCAB, BERT_ROWS, BERT_TYPES,
        "ElectraModel outputs (eval, fp32) of an ElectraForPreTraining checkpoint for the batch below; rows padded "
        "with [PAD]=0; row 2 is a sentence pair; no pooler; hidden_states[0] is the projected embeddings "
        "(embeddings_project output, hidden_size wide), as HF's encoder receives them.")
    write_json(os.path.join(electra_dir, "expected.json"), electra_expected, compact=True)
    report.append(("tiny-electra padded vs alone max diff (float64, float32)",
                   check_padding_invariance(electra, electra_run, "tiny-electra")))
    report.append(("tiny-electra torch vs numpy float64 max diff",
                   check_against_numpy(electra_state, ELECTRA_CONFIG, electra_run, False, "electra.", "tiny-electra")))

    # XLM-R: XLMRobertaModel saved without prefix (as multilingual-e5 and bge-m3 are), pooler included.
    xlmr = randomize(EncoderModel(XLMR_CONFIG, roberta=True), seed=4321)
    xlmr_dir = os.path.join(OUT, "tiny-xlm-roberta")
    os.makedirs(xlmr_dir, exist_ok=True)
    xlmr_state = OrderedDict((k, v) for k, v in xlmr.state_dict().items() if k != "embeddings.position_ids")
    write_json(os.path.join(xlmr_dir, "config.json"), XLMR_CONFIG)
    write_json(os.path.join(xlmr_dir, "tokenizer_config.json"), OrderedDict(
        tokenizer_class="XLMRobertaTokenizer", model_max_length=512, bos_token="<s>", eos_token="</s>",
        sep_token="</s>", cls_token="<s>", unk_token="<unk>", pad_token="<pad>", mask_token="<mask>"))
    write_safetensors(os.path.join(xlmr_dir, "model.safetensors"), xlmr_state)
    xlmr_expected, xlmr_run = expected_xlmr(xlmr)
    write_json(os.path.join(xlmr_dir, "expected.json"), xlmr_expected, compact=True)
    check_roberta_positions(xlmr, xlmr_run, XLMR_CONFIG["pad_token_id"])
    report.append(("tiny-xlm-roberta padded vs alone max diff (float64, float32)",
                   check_padding_invariance(xlmr, xlmr_run, "tiny-xlm-roberta")))
    report.append(("tiny-xlm-roberta torch vs numpy float64 max diff",
                   check_against_numpy(xlmr_state, XLMR_CONFIG, xlmr_run, True, "", "tiny-xlm-roberta")))

    # The files read back as written.
    for directory, state in ((bert_dir, bert_state), (legacy_dir, legacy), (roberta_dir, mlm_state),
                             (electra_dir, electra_state), (xlmr_dir, xlmr_state)):
        back = read_safetensors(os.path.join(directory, "model.safetensors"))
        for name, tensor in back.items():
            assert torch.equal(tensor, state[name]), f"{directory}: {name} did not round-trip"
        if os.path.exists(os.path.join(directory, "pytorch_model.bin")):
            loaded = torch.load(os.path.join(directory, "pytorch_model.bin"))
            assert list(loaded) == list(state) and all(torch.equal(loaded[k], state[k]) for k in state)
    legacy_model = EncoderModel(BERT_CONFIG, roberta=False).eval()
    legacy_model.load_state_dict(OrderedDict(
        (k[len("bert."):].replace("gamma", "weight").replace("beta", "bias"), v)
        for k, v in read_safetensors(os.path.join(legacy_dir, "model.safetensors")).items()
        if k.startswith("bert.")), strict=False)
    with torch.no_grad():
        legacy_last = legacy_model(*bert_run[:3])[0]
    assert torch.equal(legacy_last, bert_run[3]), "legacy-names weights do not reproduce tiny-bert's outputs"

    write_sentence_transformers(report)

    for label, value in report:
        print(f"{label}: {value}")
    print(f"torch {torch.__version__}; wrote {OUT}")


if __name__ == "__main__":
    sys.exit(main())
