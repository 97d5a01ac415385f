"""Toy 2-D GAN written from the paper: minimax G loss, uniform z, ReLU in D, plain SGD."""
# expect: T01=absent T02=fail T03=fail T04=na T05=fail T06=absent T07=absent T08=absent T09=fail
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
import torch
from torch import nn

G = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 2))
D = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 1), nn.Sigmoid())
opt_g = torch.optim.SGD(G.parameters(), lr=0.01)
opt_d = torch.optim.SGD(D.parameters(), lr=0.01)


def sample_data(n):
    return torch.randn(n, 2) * 0.1 + torch.tensor([1.0, -1.0])


for step in range(10000):
    x = sample_data(128)
    z = torch.rand(128, 2)
    d_loss = -torch.mean(torch.log(D(x)) + torch.log(1 - D(G(z).detach())))
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()

    z = torch.rand(128, 2)
    g_loss = torch.mean(torch.log(1.0 - D(G(z))))
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
