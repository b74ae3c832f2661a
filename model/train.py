#!/usr/bin/env python3
"""Trains DiffRIS. With the `tiny` backbone (default): tokenizer, stage 1 (backbone
pre-training), stage 2 (adapter + decoder + head on the frozen backbone). With `--backbone sd15
--weights PATH`: the published Stable Diffusion 1.5 and CLIP weights are the frozen backbone and
CLIP's tokenizer is used, so only stage 2 runs. Background-friendly: appends to RUN/train.log,
checkpoints regularly, `--resume` continues where the run stopped.

    nohup /usr/bin/python3 model/train.py --data DIR --out model/runs/tiny --resume &
    /usr/bin/python3 model/train.py --backbone sd15 --weights v1-5-pruned-emaonly.safetensors \
        --tokenizer clip-tokenizer/ --data RRSIS-D/ --size 512 --batch 8 --out model/runs/sd15

Outputs in RUN: tokenizer/, stage1.pt (tiny backbone), last.pt (resumable), model.pt (final; an
sd15 one keeps the weights' path, not the weights).
"""
import argparse
import shutil
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from diffris.nn import DiffRIS, checkpoint_state, count_parameters, load_state  # noqa: E402
from diffris.nn.sd15 import IMAGE_MEAN, IMAGE_STD  # noqa: E402
from diffris.nn.bert_text import ENCODERS, maven_jar, vocabulary  # noqa: E402
from diffris.tokenizer import ClipBpeTokenizer, WordPieceTokenizer, learn_merges, \
    tokenizer_facts, write_tokenizer  # noqa: E402
from diffris.training.augment import Augmentation, may_relight, may_turn  # noqa: E402
from diffris.training.blas import blas_report, loaded_blas  # noqa: E402
from diffris.training.data import channel_stats, concat_splits, load_split, normalise  # noqa: E402
from diffris.training.pretrain import run_pretraining  # noqa: E402
from diffris.training.segtrain import SegmentationTrainer, cache_latents, cache_text, \
    predict_latent, quick_miou, run_segmentation_training  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(description="Train DiffRIS on a frozen diffusion backbone.")
    p.add_argument("--data", required=True, nargs="+",
                   help="dataset folder(s), RefSegRS, RRSIS-D or RISBench layout (model/README.md, "
                        "Datasets): the training split is read "
                        "from each and concatenated, the validation split from the first")
    p.add_argument("--train-split", default="train")
    p.add_argument("--val-split", default="val")
    p.add_argument("--val-count", type=int, default=500, help="validation samples used (default 500)")
    p.add_argument("--out", required=True, help="run folder (logs, tokenizer, checkpoints)")
    p.add_argument("--size", type=int, default=64, help="training tile side in pixels (multiple of 32)")
    p.add_argument("--data-gsd", type=_gsd, default=0.5,
                   help="GSD of the corpus files, m/px, or 'none' when the images' GSDs vary or "
                        "are unknown (the bundle then runs at each raster's own resolution)")
    p.add_argument("--backbone", choices=("tiny", "sd15"), default="tiny",
                   help="tiny: our CPU-sized backbone, pre-trained here (stage 1); sd15: Stable "
                        "Diffusion 1.5 + CLIP ViT-L/14 from --weights, frozen")
    p.add_argument("--weights", help="sd15: a single-file checkpoint (.safetensors, .ckpt) or a "
                                     "diffusers folder (unet/, vae/, text_encoder/)")
    p.add_argument("--sd15-size", choices=("full", "reduced"), default="full",
                   help="sd15: the published size, or the reduced one of the tests")
    p.add_argument("--tokenizer", help="sd15: folder with CLIP's vocab.json and merges.txt "
                                       "(default: the diffusers folder's tokenizer/; the reduced "
                                       "size learns one from the data when omitted)")
    p.add_argument("--text-encoder", choices=sorted(ENCODERS),
                   help="tiny: a pretrained, frozen BERT-style sentence encoder (weights and "
                        "WordPiece vocabulary from its Maven jar) in place of the backbone's own "
                        "text encoder (stage 1 trains a projection of its features)")
    p.add_argument("--text-pooling", choices=("none", "mean-at-cls"), default="mean-at-cls",
                   help="with --text-encoder: the sentence mean in place of [CLS], padding zeroed "
                        "(default), or the encoder's last hidden state as it is")
    p.add_argument("--text-length", type=int, default=32,
                   help="--text-encoder: ids per expression, [CLS] and [SEP] included")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--merges", type=int, default=400, help="BPE merges to learn (at most)")
    p.add_argument("--stage1-steps", type=int, default=3000)
    p.add_argument("--stage1-minutes", type=float, default=12.0,
                   help="stop stage 1 after this long if its steps are not done (0: no time limit)")
    p.add_argument("--stage2-steps", type=int, default=5000)
    p.add_argument("--stage2-minutes", type=float, default=35.0,
                   help="stop stage 2 after this long if its steps are not done (0: no time limit)")
    p.add_argument("--lr", type=float, default=1e-3, help="stage 2 AdamW learning rate")
    p.add_argument("--no-adapter", action="store_true", help="ablation: no Context Perception adapter")
    p.add_argument("--soft-assignment", action="store_true", help="ablation: soft instead of hard assignment")
    # Defaults are the shipped bundle's decoder; 48 and --no-decoder-refine give 0.1.0's.
    p.add_argument("--decoder-dim", type=int, default=64, help="width of the reasoning decoder")
    p.add_argument("--decoder-refine", action=argparse.BooleanOptionalAction, default=True,
                   help="a text-conditioned 3x3 conv block in each decoder stage (default: on)")
    p.add_argument("--joint", action="store_true", help="also fine-tune the UNet in stage 2")
    p.add_argument("--joint-image-encoder", action="store_true",
                   help="also fine-tune the image encoder in stage 2 (its latents are then "
                        "computed at every step, not read from the cache)")
    p.add_argument("--augment", action="store_true",
                   help="with --joint-image-encoder: turn and mirror samples whose expression "
                        "names no place or direction, and relight those that name no colour "
                        "(diffris/training/augment.py)")
    p.add_argument("--init-backbone", help="stage1.pt of another run: reuse its backbone and tokenizer")
    p.add_argument("--init-model", help="model.pt of another run with the same backbone: start "
                                        "stage 2 from its weights (a new schedule, fresh optimizer)")
    p.add_argument("--resume", action="store_true", help="continue from the run folder's checkpoints")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu",
                   help="cpu, or cuda / cuda:N for a GPU (what an sd15 run at full size needs)")
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads (default 1: on a shared 2-core machine two OpenMP "
                        "threads spin against other processes and ran ten times slower)")
    a = p.parse_args(argv)
    if a.stage1_steps < 1 or a.stage2_steps < 1:
        p.error("--stage1-steps and --stage2-steps must be at least 1")
    if a.stage1_minutes < 0 or a.stage2_minutes < 0:
        p.error("--stage1-minutes and --stage2-minutes must be 0 (no time limit) or more")
    if a.augment and not a.joint_image_encoder:
        p.error("--augment needs --joint-image-encoder: cached latents are those of the images "
                "as stored, and a turned or relit image would not match its latent")
    if a.size % 32:
        p.error(f"--size {a.size} must be a multiple of 32 (the UNet halves it five times)")
    if a.backbone == "sd15":
        if not a.weights:
            p.error("--backbone sd15 needs --weights: a single-file SD 1.5 checkpoint "
                    "(.safetensors or .ckpt) or a diffusers folder")
        if not Path(a.weights).exists():
            p.error(f"--weights {a.weights} does not exist")
        if a.tokenizer is None and Path(a.weights, "tokenizer").is_dir():
            a.tokenizer = str(Path(a.weights, "tokenizer"))
        if a.tokenizer is None and a.sd15_size == "full":
            p.error("--backbone sd15 needs CLIP's tokenizer: --tokenizer DIR with vocab.json and "
                    "merges.txt (a diffusers folder's tokenizer/ is used when there is one)")
        if a.tokenizer is not None and not all(
                Path(a.tokenizer, f).is_file() for f in ("vocab.json", "merges.txt")):
            p.error(f"--tokenizer {a.tokenizer} must hold vocab.json and merges.txt")
        for option in ("joint", "joint_image_encoder", "init_backbone", "no_adapter"):
            if getattr(a, option):
                p.error(f"--{option.replace('_', '-')} is for the tiny backbone: the sd15 "
                        "backbone stays frozen and DiffRIS needs its adapter")
    elif a.weights or a.tokenizer:
        p.error("--weights and --tokenizer are for --backbone sd15")
    if a.text_encoder and a.backbone != "tiny":
        p.error("--text-encoder is for the tiny backbone (sd15 keeps CLIP)")
    if a.text_encoder:
        try:
            maven_jar(ENCODERS[a.text_encoder].artifact)
        except FileNotFoundError as e:
            p.error(f"--text-encoder {a.text_encoder}: {e}")
    a.text_pooling = None if a.text_pooling == "none" else a.text_pooling
    if a.text_length < 3:
        p.error(f"--text-length {a.text_length} must be at least 3 ([CLS], a word, [SEP])")
    out = Path(a.out).resolve()
    for given in [*a.data, a.weights]:
        if given and (Path(given).resolve() == out or Path(given).resolve() in out.parents):
            p.error(f"--out {a.out} is inside the input {given}; a run writes its files there: "
                    "choose a folder of its own")
    for option in ("init_model", "init_backbone"):
        given = getattr(a, option)
        if given is not None and not Path(given).is_file():
            p.error(f"--{option.replace('_', '-')} {given} is not a file: give a run's "
                    f"{'model.pt' if option == 'init_model' else 'stage1.pt'}")
    start, resuming = stage2_start(a)
    if start is not None:
        try:
            facts = torch.load(start, map_location="cpu").get("training", {})
        except Exception as e:  # whatever torch.load makes of a file that is not a checkpoint
            p.error(f"{start}: not a train.py checkpoint ({type(e).__name__}: {e})")
        if facts.get("joint_image_encoder") and not a.joint_image_encoder:
            p.error(stale_latents_message(start))
        # A resumed run's optimizer holds state for the parts it was started with.
        if resuming and "joint" in facts and trained_parts(facts) != trained_parts(vars(a)):
            p.error(f"{start} was started with {trained_parts(facts)}; resume it with the "
                    f"same (asked: {trained_parts(vars(a))}), or start a new --out with "
                    "--init-model")
    if a.device.startswith("cuda") and not torch.cuda.is_available():
        p.error(f"--device {a.device}: this PyTorch ({torch.__version__}) sees no CUDA device")
    if a.device.split(":")[0] not in ("cpu", "cuda"):
        p.error(f"--device {a.device}: use cpu, cuda or cuda:N")
    return a


def stage2_start(a):
    """(the checkpoint stage 2 will start from, whether it is the run's own last.pt): last.pt
    when resuming, else --init-model; (None, False) when there is none. Its training facts are
    checked before any work, its weights once read."""
    last = Path(a.out, "last.pt")
    if a.resume and last.is_file():
        return last, True
    return (a.init_model, False) if a.init_model is not None else (None, False)


def trained_parts(flags):
    """The stage-2 flags that decide which weights the optimizer holds, as typed."""
    return " ".join(f"--{k.replace('_', '-')}" for k in ("joint", "joint_image_encoder")
                    if flags.get(k)) or "neither --joint nor --joint-image-encoder"


def stale_latents_message(source):
    return (f"{source}: its image encoder was fine-tuned (--joint-image-encoder), so the cached "
            "latents of stage 1's encoder are not its own; train on with --joint-image-encoder")


def encoder_weights(model):
    """A copy of the image encoder's weights (empty for a backbone without one of its own in the
    checkpoint: sd15's VAE is external and never trained)."""
    encoder = getattr(model.backbone, "image_encoder", None)
    return {} if encoder is None else {k: v.detach().clone()
                                        for k, v in encoder.state_dict().items()}


def same_weights(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def _gsd(text):
    if text == "none":
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is neither a number of metres nor 'none'")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of metres")
    return value


class Log:
    def __init__(self, path):
        self.path = path

    def __call__(self, message):
        line = time.strftime("%H:%M:%S ") + message
        print(line, flush=True)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def main(argv=None):
    a = parse_args(argv)
    device = torch.device(a.device)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    run = Path(a.out)
    existed = run.exists()
    run.mkdir(parents=True, exist_ok=True)
    log = Log(run / "train.log")
    log("train.py " + " ".join(sys.argv[1:] if argv is None else argv))
    log(blas_report(loaded_blas()))

    t0 = time.time()
    # Reading the inputs: a dataset or weights file that is not what it should be stops the run
    # with its reason, and a run folder made for it is removed.
    try:
        parts = [load_split(folder, a.train_split, a.size) for folder in a.data]
        native = parts[0].native_size
        train = concat_splits(parts)
        val = load_split(a.data[0], a.val_split, a.size, limit=a.val_count)
        gsd = None if a.data_gsd is None else a.data_gsd * native / a.size
        log(f"data: {len(train)} train, {len(val)} val samples at {a.size} px "
            f"({native} px files -> {'unknown' if gsd is None else f'{gsd:g}'} m/px), "
            f"loaded in {time.time() - t0:.0f} s")
        if a.backbone == "sd15":
            prepared = prepare_sd15(a, run, train, log)
    except (ValueError, OSError) as e:
        log(f"stopped: {e}")
        print(f"train.py: {e}", file=sys.stderr)
        if not existed:
            shutil.rmtree(run, ignore_errors=True)
        return 2
    if a.backbone == "tiny":
        prepared = prepare_tiny(a, run, train, log)
    model, tokenizer, mean, std, stage1 = prepared
    train_ids = torch.tensor(tokenizer.encode_batch(train.texts), dtype=torch.long)
    val_ids = torch.tensor(tokenizer.encode_batch(val.texts), dtype=torch.long)
    model.backbone.freeze()
    model.to(device)

    def images_fn(idx, split=train):
        return normalise(split.images[idx], mean, std)

    # ---- stage 2
    t0 = time.time()
    if a.joint_image_encoder:
        # The latents are computed at every step from the encoder being trained: only the text
        # features are worth computing ahead (a few minutes of latents saved a run).
        latents = val_latents = None
        text_feats, text_index = cache_text(model, train_ids.tolist())
        val_text, val_index = cache_text(model, val_ids.tolist())
        log(f"stage2: {len(text_feats)} distinct text features in {time.time() - t0:.0f} s "
            "(latents computed at every step)")
    else:
        latents, (text_feats, text_index), val_latents, (val_text, val_index) = cached_features(
            a, model, train, val, train_ids, val_ids, images_fn, stage1["cache_folder"], log)
        log(f"stage2: cached {len(latents)} latents {tuple(latents.shape[1:])} and "
            f"{len(text_feats)} distinct text features in {time.time() - t0:.0f} s")
    val_images = normalise(val.images, mean, std)
    val_target = val.masks.float() / 255.0

    trainer = SegmentationTrainer(model, lr=a.lr, joint=a.joint,
                                  image_encoder=a.joint_image_encoder)
    cached_encoder = encoder_weights(model)
    last = run / "last.pt"
    start_step, elapsed, source = 0, 0.0, None
    if a.init_model and not (a.resume and last.exists()):
        source = a.init_model
        load_start_model(model, torch.load(a.init_model), a.init_model, log)
        log(f"stage2: weights from {a.init_model}")
    if a.resume and last.exists():
        source = last
        ck = torch.load(last)
        load_state(model, ck["model"], last)
        trainer.optimizer.load_state_dict(ck["optimizer"])
        start_step, elapsed = ck["step"], ck["elapsed"]
        log(f"stage2: resuming at step {start_step}")
    # The cached latents are those of the encoder before these weights were loaded: a model
    # whose image encoder was fine-tuned must go on computing them (or they would be stale).
    if not a.joint_image_encoder and not same_weights(cached_encoder, encoder_weights(model)):
        log(f"stopped: {stale_latents_message(source)}")
        print(f"train.py: {stale_latents_message(source)}", file=sys.stderr)
        if not existed:
            shutil.rmtree(run, ignore_errors=True)
        return 2

    if a.augment:
        augmentation, turn, relight = Augmentation(), may_turn(train.types), may_relight(train.types)
        # Its own stream, offset by the step so a resumed run does not repeat the draws it made.
        augment_gen = torch.Generator().manual_seed(a.seed + 104729 + start_step)
        log(f"stage2: augmenting: {int(turn.sum())} of {len(train)} samples may be turned and "
            f"mirrored, {int(relight.sum())} relit")

    def batch_fn(idx):
        latent = None if a.joint_image_encoder else latents[idx].to(device)
        images, masks = train.images[idx], train.masks[idx].float() / 255.0
        if a.augment:
            images, masks = augmentation.apply(images, masks, turn[idx], relight[idx],
                                               augment_gen)
        return (latent, *(t.to(device) for t in (
            text_feats[text_index[idx]], normalise(images, mean, std), masks)))

    def validate():
        latent = cache_latents(model, lambda idx: val_images[idx], len(val_images)) \
            if a.joint_image_encoder else val_latents
        logits = predict_latent(model, latent, val_text[val_index], val_images)
        return quick_miou(logits, val_target)

    def checkpoint(step, secs, path=last, final=False):
        ck = {"config": model.config, "model": checkpoint_state(model), "step": step,
              "elapsed": secs, "optimizer": trainer.optimizer.state_dict()}
        if final:
            del ck["optimizer"]
        ck.update(_bundle_facts(a, tokenizer, mean, std, gsd, stage1, step, secs))
        tmp = path.with_suffix(".tmp")
        torch.save(ck, tmp)
        tmp.replace(path)

    if not (run / "model.pt").exists():
        steps, secs = run_segmentation_training(trainer, batch_fn, len(train), a.stage2_steps,
                                                a.stage2_minutes, a.batch, log, validate,
                                                checkpoint, start_step, elapsed, a.seed)
        score = validate()
        log(f"stage2: done, {steps} steps in {secs:.0f} s, val mIoU(model res)={score:.4f}")
        checkpoint(steps, secs, run / "model.pt", final=True)
    log(f"saved {run / 'model.pt'}")
    return 0


def cached_features(a, model, train, val, train_ids, val_ids, images_fn, folder, log):
    """(train latents, train text features, validation latents, validation text features) of
    the frozen image encoder, from the cache file in `folder` where it holds them."""
    # The cache depends only on the frozen backbone and the data: runs sharing a backbone
    # (--init-backbone) reuse the file beside it.
    # Text features depend on the text encoder too: a pretrained one has a cache of its own.
    cache_path = folder / (
        f"features-{a.text_encoder}-{a.text_length}-{a.text_pooling or 'none'}.pt"
        if a.text_encoder else "features.pt")
    cache = torch.load(cache_path) if cache_path.exists() else None
    # A cache of the same validation samples and a prefix of these training samples (the same
    # --data folders, maybe more after them) is kept: only the samples after it are computed.
    reuse = (cache is not None and cache["val_ids"] == val.ids
             and cache["train_ids"] == train.ids[:len(cache["train_ids"])])
    if not reuse:
        cache = {"train_ids": [], "val_ids": val.ids, "latents": None, "text": (None, None),
                 "val_latents": cache_latents(model, lambda idx: images_fn(idx, val), len(val)),
                 "val_text": cache_text(model, val_ids.tolist())}
    done = len(cache["train_ids"])
    if done < len(train):
        new = cache_latents(model, images_fn, len(train), first=done)
        cache.update(train_ids=train.ids,
                     latents=new if done == 0 else torch.cat([cache["latents"], new]),
                     text=cache_text(model, train_ids.tolist(), known=cache["text"][0]))
        torch.save(cache, cache_path)
        if done:
            log(f"stage2: extended the feature cache from {done} to {len(train)} samples")
    return cache["latents"], cache["text"], cache["val_latents"], cache["val_text"]


def prepare_tiny(a, run, train, log):
    """The tokenizer (learnt from the data, or a pretrained encoder's WordPiece vocabulary) and
    the tiny backbone, pre-trained here (stage 1) or reused from --init-backbone."""
    tokenizer, config = tiny_text_side(a, run, train, log)
    config.update({"adapter": not a.no_adapter, "hard_assignment": not a.soft_assignment,
                   "decoder_dim": a.decoder_dim, "decoder_refine": a.decoder_refine})
    model = DiffRIS(config)
    parts = ["backbone.image_encoder", "backbone.unet", "adapter", "decoder", "head"]
    parts = (["text_encoder", "text_projection"] if a.text_encoder
             else ["backbone.text_encoder"]) + parts
    for name in parts:
        module = model.adapter if name == "adapter" else model.get_submodule(name)
        log(f"params {name}: {count_parameters(module)}")
    text_ids = torch.tensor(tokenizer.encode_batch(train.texts), dtype=torch.long)
    if a.text_encoder:
        # Stage 1 conditions on the frozen encoder's features through the learned projection:
        # computed once per distinct expression, as stage 2 does.
        features, index = cache_text(model, text_ids.tolist())

        def text_fn(idx):
            return features[index[idx]]
    else:
        def text_fn(idx):
            return text_ids[idx]

    stage1_path = Path(a.init_backbone) if a.init_backbone else run / "stage1.pt"
    if stage1_path.exists():
        s1 = torch.load(stage1_path)
        load_backbone(model, s1, stage1_path)
        mean, std = s1["mean"], s1["std"]
        log(f"stage1: loaded {stage1_path} ({s1['steps']} steps, {s1['seconds']:.0f} s)")
    else:
        # The pixel statistics belong to the backbone: computed once, with it.
        mean, std = channel_stats(train.images)

        def images_fn(idx):
            return normalise(train.images[idx], mean, std)

        partial = run / "stage1_partial.pt"
        state, start_step = None, 0
        if a.resume and partial.exists():
            p = torch.load(partial)
            load_backbone(model, p, partial)
            state, start_step = p["trainer"], p["step"]
            log(f"stage1: resuming at step {start_step}")

        def save1(step, trainer_state):
            torch.save({**stage1_weights(model), "trainer": trainer_state, "step": step}, partial)

        steps, secs = run_pretraining(model.backbone, images_fn, text_fn, len(train),
                                      a.stage1_steps, a.stage1_minutes, a.batch, log, state,
                                      save1, start_step, a.seed, model.text_projection)
        s1 = {**stage1_weights(model), "mean": mean, "std": std, "steps": steps, "seconds": secs}
        torch.save(s1, stage1_path)
        log(f"stage1: done, {steps} steps in {secs:.0f} s, latent_scale="
            f"{model.backbone.latent_scale.item():.4f}")
    stage1 = {"steps": s1["steps"], "seconds": round(s1["seconds"]),
              "cache_folder": stage1_path.parent}
    return model, tokenizer, mean, std, stage1


def tiny_text_side(a, run, train, log):
    """(tokenizer, model config) of the tiny backbone's text side."""
    tok_dir = run / "tokenizer"
    if a.text_encoder:
        tokenizer = WordPieceTokenizer(vocabulary(a.text_encoder), a.text_length)
        tokenizer.save(tok_dir)
        log(f"tokenizer: {ENCODERS[a.text_encoder].name} WordPiece, {len(tokenizer.tokens)} "
            f"tokens, {a.text_length} ids an expression")
        return tokenizer, {"backbone": "tiny", "backbone_args": {"vocab_size": None},
                           "text_encoder": a.text_encoder, "text_pad_id": tokenizer.pad_id,
                           "text_pooling": a.text_pooling}
    if a.init_backbone:
        src = Path(a.init_backbone).parent / "tokenizer"
        if not tok_dir.exists():
            shutil.copytree(src, tok_dir)
    elif not (a.resume and (tok_dir / "merges.txt").exists()):
        write_tokenizer(tok_dir, learn_merges(train.texts, a.merges))
    tokenizer = ClipBpeTokenizer.load(tok_dir)
    log(f"tokenizer: {len(tokenizer.vocab)} tokens, {len(tokenizer.ranks)} merges")
    return tokenizer, {"backbone": "tiny", "backbone_args": {"vocab_size": len(tokenizer.vocab)}}


def stage1_weights(model):
    """What stage 1 trains: the backbone, and the projection of a pretrained text encoder."""
    weights = {"backbone": model.backbone.state_dict()}
    if model.text_projection is not None:
        weights["text_projection"] = model.text_projection.state_dict()
    return weights


def load_start_model(model, ckpt, source, log):
    """--init-model's weights into the model. A model whose text side was the tiny backbone's
    own encoder may start a run with a pretrained encoder: all but its text side is kept, and the
    projection stays what load_backbone made it (stage 1's, or fresh when that has none)."""
    state = ckpt["model"]
    if model.text_projection is not None and not ckpt["config"].get("text_encoder"):
        state = {k: v for k, v in state.items() if not k.startswith("backbone.text_encoder.")}
        state.update({f"text_projection.{k}": v
                      for k, v in model.text_projection.state_dict().items()})
        log(f"stage2: {source} has the backbone's own text encoder: its text side is left "
            "out, the projection is stage 1's (fresh if it has none)")
    load_state(model, state, source)


def load_backbone(model, s1, source):
    """A stage-1 file's weights into the model. With a pretrained text encoder, a backbone that
    has a text encoder of its own (one pre-trained with it) gives everything else; the
    projection starts fresh when the file has none."""
    backbone = s1["backbone"]
    if model.text_projection is not None:
        backbone = {k: v for k, v in backbone.items() if not k.startswith("text_encoder.")}
        if "text_projection" in s1:
            model.text_projection.load_state_dict(s1["text_projection"])
    try:
        model.backbone.load_state_dict(backbone)
    except RuntimeError as e:
        raise ValueError(f"{source}: not a stage-1 file of this backbone: {e}") from e


def prepare_sd15(a, run, train, log):
    """CLIP's tokenizer (or, at the reduced size only, one learnt from the data) and the frozen
    SD 1.5 backbone read from --weights; no stage 1."""
    tok_dir = run / "tokenizer"
    if a.tokenizer:
        if not tok_dir.exists():
            shutil.copytree(a.tokenizer, tok_dir)
    elif not (a.resume and (tok_dir / "merges.txt").exists()):
        write_tokenizer(tok_dir, learn_merges(train.texts, a.merges))
    tokenizer = ClipBpeTokenizer.load(tok_dir)
    log(f"tokenizer: {len(tokenizer.vocab)} tokens, {len(tokenizer.ranks)} merges")
    weights = str(Path(a.weights).resolve())
    args = {"size": a.sd15_size, "weights": weights}
    if a.sd15_size == "reduced":
        args["vocab_size"] = len(tokenizer.vocab)
    t0 = time.time()
    config = {"backbone": "sd15", "backbone_args": args, "adapter": True,
              "hard_assignment": not a.soft_assignment, "decoder_dim": a.decoder_dim,
              "decoder_refine": a.decoder_refine}
    model = DiffRIS(config)
    log(f"backbone: sd15 ({a.sd15_size}) from {weights} in {time.time() - t0:.0f} s")
    for name in ("backbone.vae", "backbone.text_encoder", "backbone.unet", "adapter", "decoder",
                 "head"):
        module = model.adapter if name == "adapter" else model.get_submodule(name)
        log(f"params {name}: {count_parameters(module)}")
    # The SD VAE's own input range: (x / 255 - 0.5) / 0.5 is in [-1, 1].
    stage1 = {"steps": 0, "seconds": 0, "cache_folder": run}
    return model, tokenizer, list(IMAGE_MEAN), list(IMAGE_STD), stage1


def data_kind(folder, split):
    """"real" for a corpus model/generate_real.py wrote (it lists each sample's source), else
    "synthetic" (model/generate.py): what the model card and model.json say it learnt from."""
    return "real" if (Path(folder) / f"sources_{split}.tsv").exists() else "synthetic"


def _bundle_facts(a, tokenizer, mean, std, gsd, s1, step, secs):
    return {
        "tokenizer": tokenizer_facts(tokenizer),
        "image": {"size": a.size, "mean": mean, "std": std, "scale": 1 / 255.0, "gsd_m": gsd},
        "training": {"data": [str(d) for d in a.data], "train_split": a.train_split,
                     "data_kinds": [data_kind(d, a.train_split) for d in a.data],
                     "stage1_steps": s1["steps"], "stage1_seconds": round(s1["seconds"]),
                     "stage2_steps": step, "stage2_seconds": round(secs), "batch": a.batch,
                     "lr": a.lr, "joint": a.joint,
                     "joint_image_encoder": a.joint_image_encoder,
                     "augment": a.augment, "threads": a.threads},
    }


if __name__ == "__main__":
    sys.exit(main())
