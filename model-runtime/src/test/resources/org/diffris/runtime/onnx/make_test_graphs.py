"""Writes the tiny ONNX graphs the model-runtime tests run, with outputs known in closed form.

Run from this folder with Debian's PyTorch (1.13) and onnx (1.12):

    /usr/bin/python3 make_test_graphs.py

text_encoder.onnx   input_ids int64 [N,77] -> text_features float32 [N,77,4],
                    text_features[n,t,d] = input_ids[n,t] * 0.001 * (d + 1)
segmenter.onnx      image float32 [N,3,H,W], text_features float32 [N,77,4] -> mask_logits [N,1,H,W],
                    mask_logits[n,0,y,x] = image[n,0,y,x] + 0.5 image[n,1,y,x] - 0.25 image[n,2,y,x]
                                           - text_features[n,1,0]
                    (per pixel: tiling must not change it; the text term is the first text token)
segmenter_misnamed.onnx  the same graph with inputs named "pixels" and "text" (a contract error)
segmenter_d384.onnx the segmenter for text features [N,77,384], the width of the pretrained
                    BERT-style encoders (all-MiniLM-L6-v2) that wordpiece bundles name

N, H and W are dynamic axes, so one graph runs any tile size and batch.
"""
import torch

D = 4


class TextEncoder(torch.nn.Module):
    def forward(self, input_ids):
        scale = torch.arange(1, D + 1, dtype=torch.float32) * 0.001
        return input_ids.to(torch.float32).unsqueeze(-1) * scale


class Segmenter(torch.nn.Module):
    def __init__(self, dim=D):
        super().__init__()
        self.dim = dim

    def forward(self, image, text_features):
        weights = torch.tensor([1.0, 0.5, -0.25]).view(1, 3, 1, 1)
        pixel = (image * weights).sum(dim=1, keepdim=True)
        return pixel - text_features[:, 1, 0].view(-1, 1, 1, 1)


def main():
    ids = torch.zeros(2, 77, dtype=torch.int64)
    torch.onnx.export(TextEncoder(), (ids,), "text_encoder.onnx", opset_version=17,
                      input_names=["input_ids"], output_names=["text_features"],
                      dynamic_axes={"input_ids": {0: "N"}, "text_features": {0: "N"}})
    image = torch.zeros(2, 3, 16, 16)
    features = torch.zeros(2, 77, D)
    axes = {"image": {0: "N", 2: "H", 3: "W"}, "text_features": {0: "N"},
            "mask_logits": {0: "N", 2: "H", 3: "W"}}
    torch.onnx.export(Segmenter(), (image, features), "segmenter.onnx", opset_version=17,
                      input_names=["image", "text_features"], output_names=["mask_logits"],
                      dynamic_axes=axes)
    axes = {"pixels": {0: "N", 2: "H", 3: "W"}, "text": {0: "N"},
            "mask_logits": {0: "N", 2: "H", 3: "W"}}
    torch.onnx.export(Segmenter(), (image, features), "segmenter_misnamed.onnx", opset_version=17,
                      input_names=["pixels", "text"], output_names=["mask_logits"],
                      dynamic_axes=axes)
    axes = {"image": {0: "N", 2: "H", 3: "W"}, "text_features": {0: "N"},
            "mask_logits": {0: "N", 2: "H", 3: "W"}}
    torch.onnx.export(Segmenter(384), (image, torch.zeros(2, 77, 384)), "segmenter_d384.onnx",
                      opset_version=17, input_names=["image", "text_features"],
                      output_names=["mask_logits"], dynamic_axes=axes)


if __name__ == "__main__":
    main()
