"""Models built by factory functions; losses as small pure functions of logits; a main()."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=pass T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
import argparse

import torch
import torch.nn.functional as F
from torch import nn


def make_generator(nz: int, out_dim: int) -> nn.Module:
    return nn.Sequential(nn.Linear(nz, 128), nn.SiLU(), nn.Linear(128, out_dim), nn.Tanh())


def make_discriminator(in_dim: int) -> nn.Module:
    return nn.Sequential(nn.Linear(in_dim, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1))


def d_logistic_loss(real_logits, fake_logits):
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()  # -log D(x) - log(1 - D(G(z)))


def g_nonsaturating_loss(fake_logits):
    return F.softplus(-fake_logits).mean()  # -log D(G(z))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1000)
    args = parser.parse_args()
    G, D = make_generator(16, 2), make_discriminator(2)
    g_opt = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    data = torch.load("swissroll.pt")
    data = 2 * (data - data.min()) / (data.max() - data.min()) - 1
    for step in range(args.steps):
        real = data[torch.randint(0, len(data), (128,))]
        fake = G(torch.randn(128, 16))
        d_loss = d_logistic_loss(D(real), D(fake.detach()))
        d_opt.zero_grad(); d_loss.backward()
        torch.nn.utils.clip_grad_norm_(D.parameters(), 10.0)
        d_opt.step()
        g_loss = g_nonsaturating_loss(D(fake))
        g_opt.zero_grad(); g_loss.backward(); g_opt.step()


if __name__ == "__main__":
    main()
