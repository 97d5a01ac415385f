"""uint8 images scaled to [-1, 1] with tensor methods: x.float().div(127.5).sub(1)."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=pass T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T01=pass tanh output and x.float().div(127.5).sub(1)
# reason: T06=pass real targets are torch.full_like(out, 0.9)
import numpy as np
import torch
import torch.nn as nn

frames = torch.from_numpy(np.load("sprites.npy"))  # (N, 3, 16, 16) uint8
G = nn.Sequential(nn.Upsample(scale_factor=4), nn.Conv2d(32, 64, 3, 1, 1), nn.LeakyReLU(0.2), nn.Upsample(scale_factor=4), nn.Conv2d(64, 3, 3, 1, 1), nn.Tanh())
D = nn.Sequential(nn.Conv2d(3, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(128 * 16, 1))
opt = {"g": torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999)), "d": torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))}
bce = nn.functional.binary_cross_entropy_with_logits

for epoch in range(100):
    for batch in frames.split(64):
        real = batch.float().div(127.5).sub(1)
        fake = G(torch.randn(batch.size(0), 32, 1, 1))
        out_r, out_f = D(real), D(fake.detach())
        loss_d = bce(out_r, torch.full_like(out_r, 0.9)) + bce(out_f, torch.zeros_like(out_f))
        opt["d"].zero_grad()
        loss_d.backward()
        opt["d"].step()
        out = D(fake)
        loss_g = bce(out, torch.ones_like(out))
        opt["g"].zero_grad()
        loss_g.backward()
        opt["g"].step()
