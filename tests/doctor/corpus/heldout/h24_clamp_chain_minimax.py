"""Original minimax objective with clamped logs written as method chains and a module-level EPS."""
# expect: T01=pass T02=fail T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=fail the G loss is (1 - p_fake).clamp(min=EPS).log().mean(): G minimises log(1 - D(G(z)))
# reason: T01=pass G ends with nn.Tanh and the data is scaled by x / 127.5 - 1
import torch
from torch import nn

EPS = 1e-7
LATENT = 50
net_g = nn.Sequential(nn.Linear(LATENT, 256), nn.ELU(), nn.Linear(256, 28 * 28), nn.Tanh())
net_d = nn.Sequential(nn.Linear(28 * 28, 256), nn.ELU(), nn.Linear(256, 1), nn.Sigmoid())
opt_g = torch.optim.Adam(net_g.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(net_d.parameters(), lr=2e-4, betas=(0.5, 0.999))
pixels = torch.load("digits_uint8.pt").float().flatten(1)
dataset = pixels / 127.5 - 1

for epoch in range(100):
    for real in dataset[torch.randperm(len(dataset))].split(64):
        p_real = net_d(real)
        p_fake = net_d(net_g(torch.randn(len(real), LATENT)).detach())
        loss_d = -(p_real.clamp(min=EPS).log() + (1 - p_fake).clamp(min=EPS).log()).mean()
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        p_fake = net_d(net_g(torch.randn(len(real), LATENT)))
        loss_g = (1 - p_fake).clamp(min=EPS).log().mean()
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
