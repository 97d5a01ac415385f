"""2-D ring of Gaussians; losses as small helper functions, the G helper is the negated D-fake term."""
# expect: T01=absent T02=fail T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=pass T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=fail g_loss_fn returns -BCEWithLogits(logits, zeros) = log(1 - D(G(z))), the minimax loss
# reason: T10=pass the gradient norm of G is clipped and logged each step
# reason: T01=absent G is linear and the ring data is not rescaled
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def ring(n, modes=8, radius=2.0, std=0.02):
    k = torch.randint(0, modes, (n,))
    angle = 2 * math.pi * k.float() / modes
    centres = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], 1)
    return centres + std * torch.randn(n, 2)


def mlp(i, o, h=128):
    return nn.Sequential(nn.Linear(i, h), nn.LeakyReLU(0.2), nn.Linear(h, h), nn.LeakyReLU(0.2), nn.Linear(h, o))


def d_loss_fn(real_logits, fake_logits):
    real = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
    fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return real + fake


def g_loss_fn(fake_logits):
    return -F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))


gen = mlp(16, 2)
disc = mlp(2, 1)
opt_gen = torch.optim.Adam(gen.parameters(), lr=1e-4, betas=(0.5, 0.999))
opt_disc = torch.optim.Adam(disc.parameters(), lr=1e-4, betas=(0.5, 0.999))

for it in range(20000):
    x = ring(256)
    z = torch.randn(256, 16)
    loss_d = d_loss_fn(disc(x), disc(gen(z).detach()))
    opt_disc.zero_grad()
    loss_d.backward()
    opt_disc.step()
    loss_g = g_loss_fn(disc(gen(z)))
    opt_gen.zero_grad()
    loss_g.backward()
    gnorm = torch.nn.utils.clip_grad_norm_(gen.parameters(), 10.0)
    opt_gen.step()
    if it % 500 == 0:
        print(it, loss_d.item(), loss_g.item(), float(gnorm))
