"""WGAN-GP driven by argparse where --n_critic defaults to 1: one critic step per G step."""
# expect: T01=pass T02=na T03=pass T04=na T05=pass T06=na T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T14=absent `for _ in range(args.n_critic)` with default=1 is one critic step per G step
# reason: T02=na g_loss = -critic(G(z)).mean()
import argparse

import torch
import torch.nn as nn
from torch import autograd

parser = argparse.ArgumentParser(description="WGAN-GP on toy data")
parser.add_argument("--n-critic", type=int, default=1, help="critic steps per generator step")
parser.add_argument("--lr", type=float, default=1e-4)
parser.add_argument("--gp", type=float, default=10.0)
args = parser.parse_args()

G = nn.Sequential(nn.Linear(2, 256), nn.LeakyReLU(0.2), nn.Linear(256, 2), nn.Tanh())
critic = nn.Sequential(nn.Linear(2, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1))
opt_G = torch.optim.Adam(G.parameters(), lr=args.lr, betas=(0.5, 0.9))
opt_C = torch.optim.Adam(critic.parameters(), lr=args.lr, betas=(0.5, 0.9))
data = torch.load("swiss.pt")


def penalty(real, fake):
    t = torch.rand(real.size(0), 1)
    mix = (t * real + (1 - t) * fake).requires_grad_(True)
    g = autograd.grad(critic(mix).sum(), mix, create_graph=True)[0]
    return ((g.norm(dim=1) - 1) ** 2).mean()


for step in range(20000):
    for _ in range(args.n_critic):
        real = data[torch.randint(len(data), (256,))]
        fake = G(torch.randn(256, 2)).detach()
        c_loss = critic(fake).mean() - critic(real).mean() + args.gp * penalty(real, fake)
        opt_C.zero_grad()
        c_loss.backward()
        opt_C.step()
    g_loss = -critic(G(torch.randn(256, 2))).mean()
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
