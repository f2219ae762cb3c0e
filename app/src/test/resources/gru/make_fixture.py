"""Writes gru_fixture.json: PyTorch's nn.GRU on fixed weights and inputs, the reference GruFixtureTest
holds rnn's DL4J GRU layer to. Run once with a Python that has torch (float64 throughout):

    python3 make_fixture.py    # from this directory
"""
import json

import torch

N_IN, HIDDEN, LAYERS, BATCH, STEPS = 5, 4, 2, 3, 6

torch.manual_seed(20260101)
gru = torch.nn.GRU(N_IN, HIDDEN, num_layers=LAYERS, batch_first=True).double()
with torch.no_grad():
    for p in gru.parameters():  # wider than PyTorch's default 1/sqrt(H), so that every gate is far from linear
        p.uniform_(-0.7, 0.7)
x = torch.randn(BATCH, STEPS, N_IN, dtype=torch.float64, requires_grad=True)
weight = torch.randn(BATCH, STEPS, HIDDEN, dtype=torch.float64)  # the loss is sum(top layer's outputs * weight)

out, _ = gru(x)
loss = (out * weight).sum()
loss.backward()

# each layer's outputs: the same weights, one layer at a time
outputs, below = [], x.detach()
for l in range(LAYERS):
    one = torch.nn.GRU(N_IN if l == 0 else HIDDEN, HIDDEN, batch_first=True).double()
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(one, name + "_l0").copy_(getattr(gru, f"{name}_l{l}"))
        below, _ = one(below)
    outputs.append(below.tolist())
assert torch.allclose(below, out.detach())

layers = []
for l in range(LAYERS):
    layer = {}
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        p = getattr(gru, f"{name}_l{l}")
        layer[name] = p.detach().tolist()
        layer["grad_" + name] = p.grad.tolist()
    layers.append(layer)

fixture = {
    "about": "torch.nn.GRU(%d, %d, num_layers=%d, batch_first=True), float64, torch %s; made by make_fixture.py"
             % (N_IN, HIDDEN, LAYERS, torch.__version__),
    "input": x.detach().tolist(),            # [batch, step, feature]
    "loss_weight": weight.tolist(),          # [batch, step, hidden]
    "loss": loss.item(),
    "outputs": outputs,                      # [layer][batch][step][hidden]
    "grad_input": x.grad.tolist(),           # [batch, step, feature]
    "layers": layers,                        # PyTorch's layout: weight_ih [3H, nIn], rows r, z, n
}
with open("gru_fixture.json", "w") as f:
    json.dump(fixture, f, indent=1)
