"""Noise added to the real inputs of D only: D can tell real from fake by the noise."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=fail T14=absent T15=absent T16=na T17=absent
import torch
import torch.nn as nn

G = nn.Sequential(nn.Linear(10, 100), nn.LeakyReLU(), nn.Linear(100, 2), nn.Tanh())
D = nn.Sequential(nn.Linear(2, 100), nn.LeakyReLU(), nn.Linear(100, 1), nn.Sigmoid())
loss = nn.BCELoss()
optim_g = torch.optim.Adam(G.parameters())
optim_d = torch.optim.Adam(D.parameters())

for it in range(3000):
    x = torch.load("grid.pt")
    z = torch.randn(x.size(0), 10)
    x_noisy = x + 0.05 * torch.randn_like(x)
    d_real = D(x_noisy)
    d_fake = D(G(z).detach())
    loss_d = loss(d_real, torch.ones_like(d_real)) + loss(d_fake, torch.zeros_like(d_fake))
    optim_d.zero_grad(); loss_d.backward(); optim_d.step()
    d_gen = D(G(z))
    loss_g = loss(d_gen, torch.ones_like(d_gen))
    optim_g.zero_grad(); loss_g.backward(); optim_g.step()
