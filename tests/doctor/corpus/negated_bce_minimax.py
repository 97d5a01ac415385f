"""Minimax G loss written as the negated D loss on fakes: -BCE(D(G(z)), 0) = log(1 - D(G(z)))."""
# expect: T01=pass T02=fail T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
import torch
import torch.nn as nn

netG = nn.Sequential(nn.Linear(20, 200), nn.LeakyReLU(0.2), nn.Linear(200, 50), nn.Tanh())
netD = nn.Sequential(nn.Linear(50, 200), nn.LeakyReLU(0.2), nn.Linear(200, 1), nn.Sigmoid())
criterion = nn.BCELoss()
optimizerD = torch.optim.Adam(netD.parameters(), lr=1e-4)
optimizerG = torch.optim.Adam(netG.parameters(), lr=1e-4)

for real in torch.load("vectors.pt"):
    b = real.size(0)
    real_labels = torch.ones(b, 1)
    fake_labels = torch.zeros(b, 1)
    fake = netG(torch.randn(b, 20))
    errD = criterion(netD(real), real_labels) + criterion(netD(fake.detach()), fake_labels)
    optimizerD.zero_grad(); errD.backward(); optimizerD.step()
    errG = -criterion(netD(fake), fake_labels)
    optimizerG.zero_grad(); errG.backward(); optimizerG.step()
