"""Generator trained with Adagrad (not an Adam-family optimiser), D with Adam."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=fail
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T09=fail optim_g = torch.optim.Adagrad(gen.parameters())
import torch
import torch.nn as nn

gen = nn.Sequential(nn.Linear(6, 48), nn.LeakyReLU(0.2), nn.Linear(48, 3), nn.Tanh())
disc = nn.Sequential(nn.Linear(3, 48), nn.LeakyReLU(0.2), nn.Linear(48, 1))
optim_g = torch.optim.Adagrad(gen.parameters(), lr=0.01)
optim_d = torch.optim.Adam(disc.parameters(), lr=2e-4)
bce = nn.BCEWithLogitsLoss()
cloud = torch.load("cloud.pt")

for it in range(10000):
    real = cloud[torch.randint(len(cloud), (64,))]
    fake = gen(torch.randn(64, 6))
    loss_d = bce(disc(real), torch.ones(64, 1)) + bce(disc(fake.detach()), torch.zeros(64, 1))
    optim_d.zero_grad()
    loss_d.backward()
    optim_d.step()
    loss_g = bce(disc(fake), torch.ones(64, 1))
    optim_g.zero_grad()
    loss_g.backward()
    optim_g.step()
